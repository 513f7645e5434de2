import type { ServerResponse } from 'node:http'
import type { ListenerSink, SinkFactory } from '../broadcast/sink.ts'

/** The header that tells `@hono/node-server` the route wrote the response itself. */
const ALREADY_SENT = 'x-hono-already-sent'

/** A listener's response written straight to `node:http`: the sink, and the `Response` the route returns instead of a body. */
export interface DirectResponse {
  /** Returned by the route; headers that middleware set on it (CORS) are sent with the stream's. */
  readonly response: Response
  readonly open: SinkFactory
}

/**
 * Writes a listener's bytes to its `node:http` response (Node, and Deno's `node:http`) without a
 * `ReadableStream` in between: no stream, reader or promise per chunk, a fraction of the memory
 * per listener. The head is written once the route's middleware has run (on the next timer
 * turn), with the headers they added to `response`; bytes written before wait for it. What the
 * connection has not taken is `writableLength`.
 *
 * @example
 * const direct = nodeResponseSink(c.env.outgoing, streamHeaders)
 * const listener = new Listener({ ...options, openSink: direct.open })
 * return direct.response
 */
export const nodeResponseSink = (outgoing: ServerResponse, headers: Headers): DirectResponse => {
  const response = new Response(null, { headers: { [ALREADY_SENT]: 'true' } })
  // @hono/node-server's lightweight Response answers from a cache that skips the already-sent
  // check; reading the body makes it a real Response, which the server leaves alone.
  void response.body
  const open: SinkFactory = (gone) => {
    let pending: Uint8Array[] | undefined = []
    let pendingBytes = 0
    let ending = false
    outgoing.on('error', () => {})
    outgoing.once('close', gone)
    setTimeout(() => {
      const head = new Headers(headers)
      response.headers.forEach((value, name) => name !== ALREADY_SENT && head.set(name, value))
      const pendingParts = pending!
      pending = undefined
      if (outgoing.destroyed) return
      outgoing.writeHead(200, [...head].flat())
      for (const part of pendingParts) outgoing.write(part)
      if (ending) outgoing.end()
    }, 0)
    const sink: ListenerSink = {
      get open() {
        return !outgoing.destroyed && !outgoing.writableEnded && !ending
      },
      get queued() {
        return pending ? pendingBytes : outgoing.writableLength
      },
      write(bytes) {
        if (!sink.open) throw new Error('the response has ended')
        if (pending) {
          pending.push(bytes)
          pendingBytes += bytes.length
        } else outgoing.write(bytes)
      },
      end() {
        if (ending) return
        ending = true
        if (!pending) outgoing.end()
      },
      abort() {
        ending = true
        outgoing.destroy()
      },
    }
    return sink
  }
  return { response, open }
}
