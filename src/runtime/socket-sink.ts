import { Buffer } from 'node:buffer'
import type { Socket } from 'node:net'
import { rawReason } from '../net/raw-response.ts'
import type { DirectResponse } from './direct-sink.ts'
import { ALREADY_SENT, directResponse } from './direct-sink.ts'

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
    if (!/^(connection|keep-alive|transfer-encoding)$/.test(name) && name !== ALREADY_SENT) {
      lines.push(`${name}: ${value}`)
    }
  })
  if (!headers.has('date')) lines.push(`date: ${new Date().toUTCString()}`)
  lines.push('connection: close')
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1')
}

/**
 * Closes a listener's connection now, whatever it has not sent. On Bun, `destroy()` of a `node:tls`
 * socket whose client stopped reading left the TCP connection open ~11 s (Node and Deno close it
 * at once): there a TLS connection is reset (`resetAndDestroy()`, which closes it at once; on
 * Node it throws for a TLS socket, `ERR_INVALID_HANDLE_TYPE`).
 *
 * @example
 * dropConnection(raw.socket) // a slow listener
 */
export const dropConnection = (socket: Socket): void => {
  if ('Bun' in globalThis && (socket as Socket & { encrypted?: boolean }).encrypted) socket.resetAndDestroy()
  else socket.destroy()
}

/**
 * Writes a listener's bytes straight to its socket, taken from the HTTP server after its request
 * head (`runtime/listener-front.ts`): no HTTP response object, parser or request kept for as long
 * as it listens (`direct-sink.ts`).
 *
 * @example
 * const direct = socketSink(c.env.raw, streamHeaders)
 * const listener = new Listener({ ...options, openSink: direct.open })
 * return direct.response
 */
export const socketSink = (raw: RawConnection, headers: Headers): DirectResponse =>
  directResponse({
    stream: raw.socket,
    open: () => !raw.socket.destroyed && raw.socket.writable,
    abort: () => dropConnection(raw.socket),
    writeHead: (head) => void raw.socket.write(responseHead(200, head, raw.httpVersion)),
  }, headers)
