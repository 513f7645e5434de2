import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { listenServer } from '../net/listen-server.ts'
import { rawReason, rawResponse } from '../net/raw-response.ts'
import { createAdaptorServer } from '@hono/node-server'
import { listenerFront } from './listener-front.ts'
import type { FetchHandler, RunningServer, ServeOptions } from './types.ts'

const STATUS_OF: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
}
const answeredSockets = new WeakSet<Duplex>()

/**
 * A request `node:http` cannot parse gets its `400` (`431`, `408`) and the connection is closed
 * gracefully: the answer sent and the write side ended, what the client still sends read and
 * dropped, the socket destroyed 2 s later. Node's own handler destroys it at once, and a client
 * still sending (a chunked body cut in pieces) then gets a reset that may wipe out the answer.
 */
const answerMalformed = (error: Error & { code?: string }, socket: Duplex): void => {
  if (answeredSockets.has(socket)) return
  answeredSockets.add(socket)
  socket.on('error', () => {})
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy()
    return
  }
  if (inFlight?.headersSent) socket.end()
  else {
    const status = STATUS_OF[error.code ?? ''] ?? 400
    socket.end(rawResponse(status, { 'Content-Type': 'text/plain; charset=utf-8' }, `${rawReason(status)}\n`))
  }
  stopParsing(socket)
  setTimeout(() => socket.destroy(), 2000).unref()
}

/**
 * After the answer, what the client still sends is read and dropped without reaching the HTTP
 * parser again. On Deno, a parser fed on after its error now and then failed a valid request on
 * another connection (`400` for a plain `GET /api/mounts` under load).
 */
const stopParsing = (socket: Duplex): void => {
  const parser = (socket as Duplex & { parser?: { _consumed?: boolean; unconsume(): void } | null }).parser
  if (parser?._consumed) {
    parser.unconsume()
    parser._consumed = false
  }
  socket.removeAllListeners('data')
  socket.on('data', () => {})
  socket.resume()
}

/**
 * Serves `fetch` with `node:http` (through @hono/node-server); rejects if the port cannot be bound.
 * Requests without a `Host` header (HTTP/1.0, as old hardware radios and scripts send them) are
 * answered like any other, as Icecast does, instead of Node's `400`. `CONNECT`, which `node:http`
 * would drop without a word, gets the `405` of any other method the station does not take.
 * With `options.tls`, the port speaks HTTPS (see `listenerFront`).
 * @example
 * const server = await serveNodeHttp(app.fetch, { hostname: '0.0.0.0', port: 8000 })
 */
export const serveNodeHttp = (
  fetch: FetchHandler,
  options: ServeOptions & { reusePort?: boolean },
): Promise<RunningServer> => {
  const server = createAdaptorServer({
    fetch: fetch as never,
    hostname: 'localhost',
    serverOptions: { requireHostHeader: false },
  }) as Server
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {})
    socket.end(
      rawResponse(
        405,
        { Allow: 'GET, HEAD, OPTIONS', 'Content-Type': 'text/plain; charset=utf-8' },
        'Method Not Allowed\n',
      ),
    )
    setTimeout(() => socket.destroy(), 2000).unref()
  })
  server.on('clientError', answerMalformed)
  // HLS players reload their playlist once a segment (6 s by default, up to 30): node:http's 5 s
  // keep-alive closed their connections between reloads, and each reload opened a new one. Bun keeps
  // idle connections 10 s. Headers must be allowed a little longer than a connection may idle.
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  // Behind the front, the HTTP server never listens itself: it is told it does, so that it tracks
  // its connections (idle ones closed at shutdown, request and header timeouts checked), and it
  // reads as listening while the front does (Deno's node:http closes a kept-alive connection after
  // its first answer when its server is not listening).
  // With TLS, every connection goes through the front, which decrypts it (a server without
  // listeners to claim hands every connection on).
  const accepted = new Set<Duplex>()
  const claim = options.claim ?? (options.tls && (() => false))
  const front = claim &&
    listenerFront(server, fetch, claim, (socket) => {
      accepted.add(socket)
      socket.once('close', () => accepted.delete(socket))
    }, options.tls).once('listening', () => server.emit('listening'))
  if (front) Object.defineProperty(server, 'listening', { get: () => front.listening, configurable: true })
  return listenServer(front || server, options.port, options.hostname, () => {
    server.closeIdleConnections()
    setTimeout(() => {
      server.closeAllConnections()
      for (const socket of accepted) socket.destroy()
    }, 1500).unref()
  }, options.reusePort)
}
