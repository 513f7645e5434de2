import type { Context } from 'hono'
import { SSEStreamingApi } from 'hono/streaming'
import type { ListenerCounts } from '../mount/listener-tally.ts'
import type { Mount, MountEvent } from '../mount/mount.ts'
import type { ConnectionHooks } from '../runtime/hooks.ts'
import type { ListenersEventJson, TrackEventJson } from '../web/client/api-types.d.ts'
import { onAirJson } from './mount-json.ts'

const KEEP_ALIVE_MS = 15_000
const HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-store',
  'X-Accel-Buffering': 'no',
}

/**
 * Server-Sent Events for some mounts, written through hono/streaming's `SSEStreamingApi`: a `track`
 * event when a track goes on air (with the stream position where it begins, so a page can time the
 * change to what its audio element plays) and a `listeners` event when the counts change (settled
 * by the mount: at most one every half second); the current state first. With several mounts
 * (`tagged`), each event names its mount. Each event is serialised once for all clients. The stream ends when the client leaves or every mount stops; a HEAD request gets the headers and
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

const encoder = new TextEncoder()

/** An event's bytes on the wire (one `data:` line: JSON has no line breaks). */
const encode = (event: string, data: TrackEventJson | ListenersEventJson, id?: number): Uint8Array =>
  encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n${id !== undefined ? `id: ${id}\n` : ''}\n`)

/**
 * Each mount event's bytes, made once for every stream (with and without the mount's name) rather
 * than once per client: thousands of open event streams then cost a write each, not a serialisation.
 */
const wire = new WeakMap<MountEvent, Map<boolean, Uint8Array>>()
const onWire = (event: MountEvent, tagged: boolean, make: () => Uint8Array): Uint8Array => {
  let forms = wire.get(event)
  if (!forms) wire.set(event, forms = new Map())
  let bytes = forms.get(tagged)
  if (!bytes) forms.set(tagged, bytes = make())
  return bytes
}

/** Writes the mounts' events to `stream` until the client leaves or every mount ends. */
const subscribe = async (stream: SSEStreamingApi, mounts: readonly Mount[], tagged: boolean): Promise<void> => {
  const cleanups: (() => void)[] = []
  const ended = new Promise<void>((resolve) => {
    cleanups.push(resolve)
    stream.onAbort(resolve)
  })
  void stream.write('retry: 3000\n\n')
  let running = mounts.length
  for (const mount of mounts) {
    const tag = tagged ? { mount: mount.path } : {}
    let lastCounts: ListenerCounts | undefined
    const track = () => {
      const onAir = mount.onAir
      // Track ids are per mount: only a single mount's stream can name its events by them.
      return onAir &&
        encode('track', { ...tag, ...onAirJson(onAir), live: mount.position }, tagged ? undefined : onAir.track.id)
    }
    const listeners = (counts: ListenerCounts) => {
      const same = lastCounts && lastCounts.current === counts.current && lastCounts.peak === counts.peak &&
        lastCounts.unique === counts.unique
      lastCounts = counts
      return same ? undefined : encode('listeners', { ...tag, ...counts })
    }
    const send = (bytes: Uint8Array | undefined) => void (bytes && stream.write(bytes))
    send(track())
    send(listeners(mount.listenerCounts()))
    cleanups.push(mount.observe((event) => {
      if (event.type === 'track') send(onWire(event, tagged, () => track() ?? new Uint8Array()))
      else if (event.type === 'listeners') {
        const fresh = listeners(event.listeners)
        if (fresh) send(onWire(event, tagged, () => fresh))
      } else if (--running === 0) stream.abort()
    }))
  }
  const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), KEEP_ALIVE_MS)
  cleanups.push(() => clearInterval(keepAlive))
  await ended
  for (const cleanup of cleanups) cleanup()
}
