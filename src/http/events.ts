import type { Context } from 'hono'
import type { Mount } from '../mount/mount.ts'
import { onAirJson } from './mount-json.ts'
import type { ConnectionHooks } from '../runtime/hooks.ts'
import { CORS_HEADERS } from './stream-headers.ts'

/** How long listener-count changes settle before an event goes out. */
export const LISTENERS_DEBOUNCE_MS = 500
const KEEP_ALIVE_MS = 15_000
const encoder = new TextEncoder()

/**
 * Server-Sent Events for one mount: a `track` event when a track goes on air (with the stream
 * position where it begins, so a page can time the change to what its audio element is playing)
 * and a `listeners` event when the counts change (debounced). The current state is sent first.
 *
 * @example
 * const events = new EventSource('/api/mounts/stream/events')
 * events.addEventListener('track', (e) => show(JSON.parse(e.data)))
 */
export const mountEvents = (c: Context, mount: Mount, hooks: ConnectionHooks): Response => eventStream(c, [mount], hooks, false)

/**
 * The same events for every mount of the station on one connection, each with a `mount` field
 * (`"/stream"`): a page showing many mounts needs one connection, not one per mount (browsers
 * allow six per server over HTTP/1.1, and the audio takes one).
 *
 * @example
 * const events = new EventSource('/api/events')
 * events.addEventListener('track', (e) => show(JSON.parse(e.data).mount, JSON.parse(e.data)))
 */
export const stationEvents = (c: Context, mounts: readonly Mount[], hooks: ConnectionHooks): Response => eventStream(c, mounts, hooks, true)

const eventStream = (c: Context, mounts: readonly Mount[], hooks: ConnectionHooks, tagged: boolean): Response => {
  const cleanups: (() => void)[] = []
  const cleanup = () => {
    for (const f of cleanups.splice(0)) f()
  }
  const stream = new ReadableStream<Uint8Array>({
    start: (controller) => {
      let open = true
      let ended = 0
      const send = (text: string) => {
        if (!open) return
        try {
          controller.enqueue(encoder.encode(text))
        } catch {
          cleanup()
        }
      }
      const event = (name: string, data: unknown, id?: number) => send(`event: ${name}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`)
      send('retry: 3000\n\n')
      for (const mount of mounts) {
        const tag = tagged ? { mount: mount.path } : {}
        let lastListeners = ''
        let debounce: ReturnType<typeof setTimeout> | undefined
        const sendTrack = () => {
          const onAir = mount.onAir
          // Track ids are per mount: only a single mount's stream can name its events by them.
          if (onAir) event('track', { ...tag, ...onAirJson(onAir), live: mount.position }, tagged ? undefined : onAir.track.id)
        }
        const sendListeners = () => {
          const counts = JSON.stringify(mount.listenerCounts())
          if (counts === lastListeners) return
          lastListeners = counts
          event('listeners', { ...tag, ...JSON.parse(counts) })
        }
        sendTrack()
        sendListeners()
        const unsubscribe = mount.observe((e) => {
          if (e.type === 'track') sendTrack()
          else if (e.type === 'listeners') debounce ??= setTimeout(() => ((debounce = undefined), sendListeners()), LISTENERS_DEBOUNCE_MS)
          else if (e.type === 'end' && ++ended === mounts.length) {
            cleanup()
            try {
              controller.close()
            } catch {
              // already closed
            }
          }
        })
        cleanups.push(unsubscribe, () => clearTimeout(debounce))
      }
      const keepAlive = setInterval(() => send(': keep-alive\n\n'), KEEP_ALIVE_MS)
      cleanups.push(() => clearInterval(keepAlive), () => (open = false))
    },
    cancel: () => cleanup(),
  })
  hooks.keepOpen?.(c)
  return new Response(stream, {
    headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-store', 'X-Accel-Buffering': 'no', ...CORS_HEADERS },
  })
}
