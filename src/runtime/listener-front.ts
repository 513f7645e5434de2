import { Buffer } from 'node:buffer'
import type { Server as HttpServer } from 'node:http'
import type { Server, Socket } from 'node:net'
import { createServer } from 'node:net'
import type { TlsSource } from '../net/tls-files.ts'
import { renewingTlsServer } from '../net/tls-server.ts'
import type { HttpHead } from '../net/http-head.ts'
import { HeadReader, parseHead } from '../net/http-head.ts'
import { ALREADY_SENT } from './direct-sink.ts'
import type { FrontBindings, RawConnection } from './socket-sink.ts'
import { responseHead } from './socket-sink.ts'
import type { FetchHandler, FrontRequest } from './types.ts'

/** How long the front waits for a request head before leaving the connection to the HTTP server. */
const HEAD_WAIT_MS = 2000
/** How long a TLS client has to finish its handshake. */
const HANDSHAKE_TIMEOUT_MS = 10_000

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// deno-lint-ignore no-control-regex -- finding control characters is the point
const CONTROL = /[\0-\x08\x0a-\x1f\x7f]/

/**
 * The head, when it is a request the front may answer itself: `GET` with an origin-form target in
 * HTTP/1.0 or 1.1, every header line well formed, no body announced. Anything else, however
 * slightly off, is the HTTP server's to answer.
 */
const plainGet = (
  bytes: Uint8Array,
  scheme: 'http' | 'https',
): (FrontRequest & { head: HttpHead; request: Request }) | undefined => {
  const text = Buffer.from(bytes).toString('latin1')
  const lines = text.split('\r\n')
  if (lines.at(-1) !== '' || lines.at(-2) !== '') return undefined
  const [requestLine, ...fields] = lines.slice(0, -2)
  if (!/^GET \/[!-~]* HTTP\/1\.[01]$/.test(requestLine ?? '')) return undefined
  for (const field of fields) {
    const colon = field.indexOf(':')
    if (colon <= 0 || !TOKEN.test(field.slice(0, colon)) || CONTROL.test(field)) return undefined
  }
  const head = parseHead(bytes)
  if (!head || ['transfer-encoding', 'expect', 'upgrade'].some((name) => head.headers.has(name))) return undefined
  if ((head.headers.get('content-length') ?? '0') !== '0') return undefined
  try {
    const url = new URL(head.second, `${scheme}://${head.headers.get('host') || 'localhost'}`)
    const request = new Request(url, { headers: [...head.headers] })
    return { path: url.pathname, headers: head.headers, head, request }
  } catch {
    return undefined
  }
}

// Handlers a connection keeps for as long as it listens are made outside any closure over its request.
const ignore = () => {}
function destroySocket(this: Socket) {
  this.destroy()
}

/** Answers the request the front took: the route writes a listener's stream itself; any other answer is written here. */
const answer = async (fetch: FetchHandler, raw: RawConnection, request: Request): Promise<void> => {
  const response = await fetch(request, { raw } satisfies FrontBindings)
  if (response.headers.has(ALREADY_SENT)) return
  await writeResponse(raw, response)
}

/** Writes a `Response` that is not a listener's stream on a raw connection, then closes it. */
const writeResponse = async (raw: RawConnection, response: Response): Promise<void> => {
  const { socket } = raw
  const body = new Uint8Array(await response.arrayBuffer())
  const headers = new Headers(response.headers)
  headers.set('content-length', String(body.length))
  socket.end(Buffer.concat([responseHead(response.status, headers, raw.httpVersion), body]))
}

/**
 * A `node:net` server in front of a `node:http` one (Node and Deno): a connection whose first request
 * is a plain `GET` that `claim` accepts (a listener's stream) is answered by `fetch` on the raw
 * socket, with `c.env.raw` set so that the route writes its stream there (`socketSink`); the HTTP
 * server's request, response and parser objects are never made for it, which is most of what a
 * listener costs on `node:http`. Every other connection, with the bytes read so far, goes to the
 * HTTP server as if it had accepted it.
 *
 * With `tls`, the front is a `node:tls` server and everything above happens on the decrypted
 * connection; each new pair `tls` announces serves the connections made after it
 * (`setSecureContext`), those already open keeping theirs. `accepted` is told of every TCP
 * connection, before its handshake too, so that closing the server can end them all.
 *
 * @example
 * const front = listenerFront(createAdaptorServer({ fetch }), fetch, ({ path }) => mounts.has(path))
 * front.listen(8000)
 */
export const listenerFront = (
  http: HttpServer,
  fetch: FetchHandler,
  claim: (request: FrontRequest) => boolean,
  accepted: (socket: Socket) => void = () => {},
  tls?: TlsSource,
): Server => {
  const scheme = tls ? 'https' : 'http'
  const takeOver = (socket: Socket, head: HttpHead, request: Request) => {
    const raw: RawConnection = { socket, httpVersion: head.third === 'HTTP/1.0' ? '1.0' : '1.1' }
    // What the client sends after its request is read and dropped; it leaving ends the stream.
    socket.on('data', ignore)
    socket.once('end', destroySocket)
    answer(fetch, raw, request).catch(() => socket.destroy())
  }

  const onConnection = (socket: Socket) => {
    if (!tls) accepted(socket)
    socket.on('error', ignore)
    const reader = new HeadReader()
    const seen: Buffer[] = []
    // The first bytes, up to five: a request that cannot be `GET /…` is handed over at once.
    let start = ''
    const handOff = () => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('end', onEnd)
      socket.pause()
      if (seen.length > 0) socket.unshift(Buffer.concat(seen))
      http.emit('connection', socket)
      socket.resume()
    }
    const onData = (data: Buffer) => {
      seen.push(data)
      if (start.length < 5) start += data.subarray(0, 5 - start.length).toString('latin1')
      const read = reader.push(data)
      if (read === 'too large' || !'GET /'.startsWith(start)) return handOff()
      if (!read) return
      const request = plainGet(read.head, scheme)
      if (!request || read.rest.length > 0 || !claim(request)) return handOff()
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('end', onEnd)
      takeOver(socket, request.head, request.request)
    }
    const timer = setTimeout(handOff, HEAD_WAIT_MS)
    // A client that hangs up before its request head is whole gets nothing.
    const onEnd = () => {
      clearTimeout(timer)
      socket.destroy()
    }
    socket.on('data', onData)
    socket.once('end', onEnd)
  }
  return tls ? renewingTlsServer(tls, HANDSHAKE_TIMEOUT_MS, onConnection, accepted) : createServer(onConnection)
}
