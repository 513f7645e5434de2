import { Buffer } from 'node:buffer'
import type { Socket } from 'node:net'
import type { ListenerSink, SinkFactory } from '../broadcast/sink.ts'
import { rawReason } from '../net/raw-response.ts'
import type { DirectResponse } from './node-response-sink.ts'

/** The header that marks the route's `Response` as already written to the connection. */
export const ALREADY_SENT = 'x-hono-already-sent'

/** A connection taken from the HTTP server for one listener: its socket and the request's protocol. */
export interface RawConnection {
  readonly socket: Socket
  /** `1.0` or `1.1`. */
  readonly httpVersion: string
}

/** What `c.env` is for a request the listener front took: the raw connection (see `runtime/hooks.ts`). */
export interface FrontBindings {
  readonly raw: RawConnection
}

/**
 * The head of a response written on a raw connection: the status line in the request's protocol,
 * the headers as given, `Date` unless given, and `Connection: close` (the body runs until the
 * connection closes, as Icecast sends a stream).
 *
 * @example
 * socket.write(responseHead(200, new Headers({ 'Content-Type': 'audio/mpeg' }), '1.1'))
 */
export const responseHead = (status: number, headers: Headers, httpVersion: string): Buffer => {
  const lines = [`HTTP/${httpVersion === '1.0' ? '1.0' : '1.1'} ${status} ${rawReason(status)}`]
  headers.forEach((value, name) => {
    if (!/^(connection|keep-alive|transfer-encoding|x-hono-already-sent)$/.test(name)) lines.push(`${name}: ${value}`)
  })
  if (!headers.has('date')) lines.push(`date: ${new Date().toUTCString()}`)
  lines.push('connection: close')
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1')
}

/**
 * Writes a listener's bytes straight to its socket, taken from the HTTP server after its request
 * head (`runtime/listener-front.ts`): no HTTP response object, parser or request kept for as long
 * as it listens. The head is written once the route's middleware has run (on the next timer
 * turn), with the headers they added to `response`; bytes written before wait for it. What the
 * connection has not taken is `writableLength`.
 *
 * @example
 * const direct = socketSink(c.env.raw, streamHeaders)
 * const listener = new Listener({ ...options, openSink: direct.open })
 * return direct.response
 */
export const socketSink = (raw: RawConnection, headers: Headers): DirectResponse => {
  const { socket } = raw
  const response = new Response(null, { headers: { [ALREADY_SENT]: 'true' } })
  const open: SinkFactory = (gone) => {
    let pending: Uint8Array[] | undefined = []
    let pendingBytes = 0
    let ending = false
    socket.once('close', gone)
    setTimeout(() => {
      const head = new Headers(headers)
      response.headers.forEach((value, name) => name !== ALREADY_SENT && head.set(name, value))
      const parts = pending!
      pending = undefined
      if (socket.destroyed) return
      socket.cork()
      socket.write(responseHead(200, head, raw.httpVersion))
      for (const part of parts) socket.write(part)
      socket.uncork()
      if (ending) socket.end()
    }, 0)
    const sink: ListenerSink = {
      get open() {
        return !socket.destroyed && socket.writable && !ending
      },
      get queued() {
        return pending ? pendingBytes : socket.writableLength
      },
      write(bytes) {
        if (!sink.open) throw new Error('the connection has closed')
        if (pending) {
          pending.push(bytes)
          pendingBytes += bytes.length
        } else socket.write(bytes)
      },
      writeParts(parts) {
        socket.cork()
        try {
          for (const part of parts) sink.write(part)
        } finally {
          socket.uncork()
        }
      },
      end() {
        if (ending) return
        ending = true
        if (!pending) socket.end()
      },
      abort() {
        ending = true
        socket.destroy()
      },
    }
    return sink
  }
  return { response, open }
}
