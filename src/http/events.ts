import type { Context } from 'hono'
import type { Mount } from '../mount/mount.ts'
import type { ConnectionHooks } from '../runtime/hooks.ts'
import type { EventClient } from './event-fanout.ts'
import { listenersEvent, subscribeEvents, trackEvent } from './event-fanout.ts'

const KEEP_ALIVE_MS = 15_000
/** Bytes queued for an event stream that does not read before it is closed (it reconnects by itself). */
const QUEUE_LIMIT = 256 * 1024
const HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-store',
  'X-Accel-Buffering': 'no',
}
const encoder = new TextEncoder()
const RETRY = encoder.encode('retry: 3000\n\n')
const KEEP_ALIVE = encoder.encode(': keep-alive\n\n')

/**
 * Server-Sent Events for some mounts: a `track` event when a track goes on air (with the stream
 * position where it begins, so a page can time the change to what its audio element plays) and a
 * `listeners` event when the counts change (settled by the mount: at most one every half second);
 * the current state first. With several mounts (`tagged`), each event names its mount. Events are
 * serialised once for every client and written in batches (`event-fanout.ts`). The stream ends when
 * the client leaves or every mount stops; one that stops reading is closed (EventSource reconnects);
 * a HEAD request gets the headers and subscribes to nothing. The response has its own headers and a
 * plain byte stream, so an HTTP/1.0 client gets the events as they come.
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
  let leave = () => {}
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false
      let running = mounts.length
      const close = () => {
        if (closed) return
        closed = true
        leave()
        controller.close()
      }
      const client: EventClient = {
        tagged,
        send: (bytes) => {
          if (closed) return
          if ((controller.desiredSize ?? 1) <= 0) return close()
          controller.enqueue(bytes)
        },
        ended: () => void (--running === 0 && close()),
      }
      client.send(RETRY)
      for (const mount of mounts) {
        const track = trackEvent(mount, tagged)
        if (track) client.send(track)
        client.send(listenersEvent(mount, mount.listenerCounts(), tagged))
      }
      const unsubscribe = mounts.map((mount) => subscribeEvents(mount, client))
      const keepAlive = setInterval(() => client.send(KEEP_ALIVE), KEEP_ALIVE_MS)
      leave = () => {
        clearInterval(keepAlive)
        for (const stop of unsubscribe) stop()
        leave = () => {}
      }
    },
    cancel: () => leave(),
  }, { highWaterMark: QUEUE_LIMIT, size: (chunk) => chunk?.byteLength ?? 0 })
  return new Response(stream, { headers: HEADERS })
}
