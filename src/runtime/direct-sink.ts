import type { Writable } from 'node:stream'
import { setImmediate } from 'node:timers'
import type { ListenerSink, SinkFactory } from '../broadcast/sink.ts'

/** The header that marks the route's `Response` as already written to the connection (`@hono/node-server`'s own). */
export const ALREADY_SENT = 'x-hono-already-sent'

/** A listener's response written straight to the connection: the sink, and the `Response` the route returns instead of a body. */
export interface DirectResponse {
  /** Returned by the route; headers that middleware set on it (CORS) are sent with the stream's. */
  readonly response: Response
  readonly open: SinkFactory
}

/** Where a direct response is written: a `node:http` response or a raw socket, and how its head is written there. */
export interface DirectTarget {
  readonly stream: Writable
  /** Whether it still takes bytes (not destroyed, not ended). */
  open(): boolean
  /** Writes the response's head (status 200) with these headers. */
  writeHead(headers: Headers): void
  /** Closes the connection now (default: `stream.destroy()`). */
  abort?(): void
}

const ignore = () => {}

/**
 * A listener's bytes written to `target` without a `ReadableStream` in between: no stream, reader
 * or promise per chunk, a fraction of the memory per listener. The head is written once the
 * route's middleware has run (`setImmediate`: in the same turn of the event loop, not the next
 * timer turn), with the headers they added to `response`; bytes written before wait for it. What the connection has not taken is `writableLength`; pieces
 * go out in one corked write.
 *
 * @example
 * const direct = directResponse({ stream: socket, open: () => socket.writable, writeHead }, streamHeaders)
 * const listener = new Listener({ ...options, openSink: direct.open })
 * return direct.response
 */
export const directResponse = (target: DirectTarget, headers: Headers): DirectResponse => {
  const { stream } = target
  const response = new Response(null, { headers: { [ALREADY_SENT]: 'true' } })
  // Let go of once the head is written: the sink's closures share this scope for as long as the listener listens.
  let heads: { headers: Headers; response: Response } | undefined = { headers, response }
  const open: SinkFactory = (gone) => {
    let pending: Uint8Array[] | undefined = []
    let pendingBytes = 0
    let ending = false
    stream.on('error', ignore)
    stream.once('close', gone)
    setImmediate(() => {
      const head = new Headers(heads!.headers)
      heads!.response.headers.forEach((value, name) => name !== ALREADY_SENT && head.set(name, value))
      heads = undefined
      const parts = pending!
      pending = undefined
      if (stream.destroyed) return
      stream.cork()
      target.writeHead(head)
      for (const part of parts) stream.write(part)
      stream.uncork()
      if (ending) stream.end()
    })
    const sink: ListenerSink = {
      get open() {
        return target.open() && !ending
      },
      get queued() {
        return pending ? pendingBytes : stream.writableLength
      },
      write(bytes) {
        if (!sink.open) throw new Error('the connection has closed')
        if (pending) {
          pending.push(bytes)
          pendingBytes += bytes.length
        } else stream.write(bytes)
      },
      writeParts(parts) {
        stream.cork()
        try {
          for (const part of parts) sink.write(part)
        } finally {
          stream.uncork()
        }
      },
      end() {
        if (ending) return
        ending = true
        if (!pending) stream.end()
      },
      abort() {
        ending = true
        if (target.abort) target.abort()
        else stream.destroy()
      },
    }
    return sink
  }
  return { response, open }
}
