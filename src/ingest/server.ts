import { createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import { startSourceSession } from '../input/stream/source-session.ts'
import type { SourcePart } from '../input/stream/source-session.ts'
import type { SourceTarget } from '../input/source.ts'
import type { Logger } from '../log.ts'
import { ChunkedDecoder } from '../net/chunked.ts'
import type { HttpHead } from '../net/http-head.ts'
import { HeadReader, MAX_HEAD_BYTES, parseHead } from '../net/http-head.ts'
import type { BoundServer } from '../net/listen-server.ts'
import { listenServer } from '../net/listen-server.ts'
import { rawResponse } from '../net/raw-response.ts'
import type { TlsSource } from '../net/tls-files.ts'
import { renewingTlsServer } from '../net/tls-server.ts'
import type { AuthThrottle } from '../security/throttle.ts'
import { clientAddress } from '../util/address.ts'
import { VERSION } from '../version.ts'
import type { AdminHandler } from './admin-bridge.ts'
import { answerAdmin } from './admin-bridge.ts'
import type { Accepted, StreamAuthHook } from './handshake.ts'
import { handshake } from './handshake.ts'

export interface IngestOptions {
  /** The mounts sources may feed, by path (a station's `mounts`). */
  targets: ReadonlyMap<string, SourceTarget>
  /** Per-address back-off for failed logins, shared with the admin API. */
  throttle: AuthThrottle
  hostname: string
  port: number
  log: Logger
  clock?: Clock
  /** The HTTP port, to point lost listeners to it. */
  httpPort?: number
  /** Answers `GET /admin/…` (the admin API), which encoders send to the port they stream to for title updates. */
  admin?: AdminHandler
  /** The auth server that decides on a mount's sources instead of its password (`stream_auth`), if any. */
  streamAuth?: (path: string) => StreamAuthHook | undefined
  /** Speak TLS (as Icecast's `<ssl>` ports do), with each new pair for the connections after it. */
  tls?: TlsSource
}

/** The running source port. */
export interface RunningIngest extends BoundServer {}

/** How long a client may take to send its request head. */
const HEAD_TIMEOUT_MS = 10_000

const SERVER = `airwave/${VERSION}`

/** Writes a plain-text refusal and closes the connection (a legacy client still sending its stream is not waited for). */
const refuse = (socket: Socket, status: number, message: string, headers: Record<string, string> = {}): void => {
  socket.end(
    rawResponse(status, { Server: SERVER, 'Content-Type': 'text/plain; charset=utf-8', ...headers }, `${message}\n`),
  )
  setTimeout(() => socket.destroy(), 2000).unref?.()
}

/**
 * The source port: a raw `node:net` server (none of the runtimes' HTTP servers can read a body that
 * is simply the rest of the connection, as Icecast source clients send it). It reads each request
 * head (within 10 s, at most 16 KiB), answers admin requests through `admin`, and lets source
 * clients in or turns them away (`handshake`); an accepted client's stream feeds its mount until it
 * disconnects. With `tls`, a `node:tls` server, the same on the decrypted connection.
 *
 * @example
 * const ingest = await startIngest({ targets: station.mounts, throttle: station.authThrottle, hostname: '0.0.0.0', port: 8001, log })
 */
export const startIngest = (options: IngestOptions): Promise<RunningIngest> => {
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
  }
  const onConnection = (socket: Socket) => {
    if (!tls) track(socket)
    else socket.on('error', () => {})
    socket.setNoDelay(true)
    readHead(socket, options.clock ?? systemClock, (head, rest) => onRequest(socket, head, rest, options))
  }
  const { tls } = options
  const server: Server = tls ? renewingTlsServer(tls, HEAD_TIMEOUT_MS, onConnection, track) : createServer(onConnection)
  return listenServer(server, options.port, options.hostname, () => {
    for (const socket of sockets) socket.destroy()
  })
}

/** Reads a request head off the socket (pausing it), or answers 408/431/400 and closes. */
const readHead = (socket: Socket, clock: Clock, onHead: (head: HttpHead, rest: Uint8Array) => void): void => {
  const reader = new HeadReader()
  const timeout = new AbortController()
  const stop = () => {
    timeout.abort()
    socket.off('data', onData)
  }
  void clock.sleep(HEAD_TIMEOUT_MS, timeout.signal).then(() => {
    if (timeout.signal.aborted) return
    stop()
    refuse(socket, 408, `No request head within ${HEAD_TIMEOUT_MS / 1000} s`)
  })
  const onData = (data: Uint8Array) => {
    const read = reader.push(data)
    if (!read) return
    stop()
    if (read === 'too large') return refuse(socket, 431, `Request head larger than ${MAX_HEAD_BYTES} bytes`)
    socket.pause()
    const head = parseHead(read.head)
    if (!head) return refuse(socket, 400, 'Not an HTTP request')
    onHead(head, read.rest)
  }
  socket.on('data', onData)
  socket.on('close', () => timeout.abort())
}

const onRequest = (socket: Socket, head: HttpHead, rest: Uint8Array, options: IngestOptions): void => {
  const address = clientAddress(socket.remoteAddress)
  const admin = options.admin
  if (admin && head.first.toUpperCase() === 'GET' && head.second.startsWith('/admin/')) {
    answerAdmin(head, admin, address).then(
      (response) => socket.end(response),
      () => refuse(socket, 400, 'Bad admin request'),
    )
    return
  }
  const verdict = handshake(head, {
    address,
    targets: options.targets,
    throttle: options.throttle,
    log: options.log,
    httpPort: options.httpPort,
    streamAuth: options.streamAuth,
  })
  if (!verdict.ok) return refuse(socket, verdict.status, verdict.reason, verdict.headers)
  const { ask } = verdict.value
  if (!ask) return accept(socket, verdict.value, address, rest, options)
  const { target } = verdict.value
  void ask.hook.auth.streamAuth({
    mount: target.path,
    ip: address,
    server: ask.hook.server,
    port: ask.hook.port,
    user: ask.user,
    pass: ask.pass,
  }).then((answer) => {
    if (socket.destroyed) return
    if (answer.admitted) return accept(socket, verdict.value, address, rest, options)
    target.log.warn(`source from ${address} refused by the auth server (stream_auth): ${answer.message}`)
    if (answer.unavailable) refuse(socket, 503, answer.message)
    else refuse(socket, 401, answer.message, { 'WWW-Authenticate': 'Basic realm="airwave source"' })
  })
}

/** Answers a source client let in, and feeds its stream to its mount. */
const accept = (socket: Socket, accepted: Accepted, address: string, rest: Uint8Array, options: IngestOptions) => {
  if (accepted.expectContinue) socket.write('HTTP/1.1 100 Continue\r\n\r\n')
  else socket.write(`HTTP/1.0 200 OK\r\nServer: ${SERVER}\r\nContent-Length: 0\r\n\r\n`)
  stream(socket, accepted, address, rest, options.clock ?? systemClock)
}

/** Takes the chunked encoding off a body; at its last chunk, answers the client that waits for a final response (curl -T). */
const dechunked = (socket: Socket): (bytes: Uint8Array) => Iterable<SourcePart> => {
  const decoder = new ChunkedDecoder()
  return (bytes) => {
    const parts: SourcePart[] = decoder.push(bytes).map((part) => ({ type: 'audio', bytes: part }))
    if (decoder.done) {
      socket.write(`HTTP/1.1 200 OK\r\nServer: ${SERVER}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
      parts.push({ type: 'end', reason: 'the client ended its chunked stream' })
    }
    return parts
  }
}

/** Feeds an accepted client's stream to its mount, and logs how it ended. */
const stream = (socket: Socket, accepted: Accepted, address: string, rest: Uint8Array, clock: Clock): void => {
  const { target, info, userAgent } = accepted
  const started = clock.now()
  target.log.info(
    `live source connected from ${address}${userAgent ? ` (${userAgent})` : ''}${info.name ? `: "${info.name}"` : ''}`,
  )
  startSourceSession({
    socket,
    target,
    kind: 'live',
    format: accepted.format,
    info,
    origin: address,
    userAgent,
    title: info.name ?? 'Live',
    clock,
    rest,
    parse: accepted.chunked ? dechunked(socket) : undefined,
    dropOnStall: true,
    onEnd: (end) => {
      const seconds = ((clock.now() - started) / 1000).toFixed(0)
      const line = `live source from ${address} ${end.dropped ? 'dropped' : 'disconnected'} after ${seconds} s (${
        end.seconds.toFixed(1)
      } s of audio): ${end.reason}`
      if (end.problem) target.log.warn(line)
      else target.log.info(line)
    },
  })
}
