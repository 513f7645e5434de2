import type { Context } from 'hono'
import { SSEStreamingApi } from 'hono/streaming'
import type { Mount } from '../mount/mount.ts'
import type { ConnectionHooks } from '../runtime/hooks.ts'
import type { ListenersEventJson, TrackEventJson } from '../web/client/api-types.d.ts'
import { onAirJson } from './mount-json.ts'

/** How long listener-count changes settle before an event goes out. */
const LISTENERS_DEBOUNCE_MS = 500
const KEEP_ALIVE_MS = 15_000
const HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-store',
  'X-Accel-Buffering': 'no',
}

/**
 * Server-Sent Events for some mounts, written through hono/streaming's `SSEStreamingApi`: a `track`
 * event when a track goes on air (with the stream position where it begins, so a page can time the
 * change to what its audio element plays) and a `listeners` event when the counts change
 * (debounced); the current state first. With several mounts (`tagged`), each event names its mount.
 * The stream ends when the client leaves or every mount stops; a HEAD request gets the headers and
 * subscribes to nothing. The response is made here, with its own headers, so that nothing (Hono's
 * `streamSSE` sets `Transfer-Encoding: chunked` by hand) breaks an HTTP/1.0 client's stream.
 *
 * @example
 * app.get('/api/mounts/:name/events', (c) => eventStream(c, [mount], hooks, false))
 * // in the page:
 * new EventSource('/api/mounts/stream/events').addEventListener('track', (e) => show(JSON.parse(e.data)))
 */
export const eventStream = (
  c: Context,
  mounts: readonly Mount[],
  hooks: ConnectionHooks,
  tagged: boolean,
): Response => {
  if (c.req.method === 'HEAD') return new Response(null, { headers: HEADERS })
  hooks.keepOpen?.(c)
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>()
  const stream = new SSEStreamingApi(writable, readable)
  void subscribe(stream, mounts, tagged).finally(() => stream.close())
  return new Response(stream.responseReadable, { headers: HEADERS })
}

/** Writes the mounts' events to `stream` until the client leaves or every mount ends. */
const subscribe = async (stream: SSEStreamingApi, mounts: readonly Mount[], tagged: boolean): Promise<void> => {
  const cleanups: (() => void)[] = []
  const ended = new Promise<void>((resolve) => {
    cleanups.push(resolve)
    stream.onAbort(resolve)
  })
  const send = (event: string, data: TrackEventJson | ListenersEventJson, id?: number) =>
    void stream.writeSSE({ event, data: JSON.stringify(data), ...(id !== undefined && { id: String(id) }) })
  void stream.write('retry: 3000\n\n')
  let running = mounts.length
  for (const mount of mounts) {
    const tag = tagged ? { mount: mount.path } : {}
    let lastCounts = ''
    let debounce: ReturnType<typeof setTimeout> | undefined
    const sendTrack = () => {
      const onAir = mount.onAir
      // Track ids are per mount: only a single mount's stream can name its events by them.
      if (onAir) {
        send('track', { ...tag, ...onAirJson(onAir), live: mount.position }, tagged ? undefined : onAir.track.id)
      }
    }
    const sendListeners = () => {
      const counts = mount.listenerCounts()
      const text = JSON.stringify(counts)
      if (text === lastCounts) return
      lastCounts = text
      send('listeners', { ...tag, ...counts })
    }
    sendTrack()
    sendListeners()
    cleanups.push(
      mount.observe((event) => {
        if (event.type === 'track') sendTrack()
        else if (event.type === 'listeners') {
          debounce ??= setTimeout(() => ((debounce = undefined), sendListeners()), LISTENERS_DEBOUNCE_MS)
        } else if (--running === 0) stream.abort()
      }),
      () => clearTimeout(debounce),
    )
  }
  const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), KEEP_ALIVE_MS)
  cleanups.push(() => clearInterval(keepAlive))
  await ended
  for (const cleanup of cleanups) cleanup()
}
