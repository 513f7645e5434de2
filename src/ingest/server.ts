import { createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import type { AudioFormat } from '../format/format.ts'
import { formatFromMime } from '../format/format.ts'
import { listenServer } from '../net/listen-server.ts'
import type { Logger } from '../log.ts'
import type { Mount } from '../mount/mount.ts'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import { credentialsMatch, parseBasicAuth, SOURCE_USER } from '../security/credentials.ts'
import type { Station } from '../station/station.ts'
import { VERSION } from '../version.ts'
import { ChunkedDecoder } from '../net/chunked.ts'
import type { SourceConnection } from '../input/live/source-info.ts'
import { audioInfoValue, sourceInfoFrom } from '../input/live/source-info.ts'
import { FrameFeed } from '../input/live/feed.ts'
import type { HttpHead } from '../net/http-head.ts'
import { headEnd, MAX_HEAD_BYTES, parseHead } from '../net/http-head.ts'
import { StreamInput, throttleReading } from '../input/live/stream-input.ts'
import { Watchdog } from '../input/live/watchdog.ts'

export interface IngestOptions {
  station: Station
  hostname: string
  port: number
  log: Logger
  clock?: Clock
  /** The HTTP port, to point lost listeners to it. */
  httpPort?: number
  /**
   * Answers `GET /admin/…` (the admin API), which encoders send to the port they stream to for title
   * updates (BUTT, Mixxx, Liquidsoap: `/admin/metadata`); `address` is the client's.
   */
  admin?: (request: Request, address: string) => Response | Promise<Response>
}

/** The running source port. */
export interface RunningIngest {
  readonly port: number
  /** Stops accepting and disconnects every source client. */
  close(): Promise<void>
}

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
}

const clientAddress = (socket: Socket): string => (socket.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '')

/** Writes an HTTP error response with a plain-text body, then closes the connection. */
const refuse = (socket: Socket, status: number, body: string, headers: Record<string, string> = {}): void => {
  const text = `${body}\n`
  const lines = [
    `HTTP/1.0 ${status} ${REASONS[status] ?? 'Error'}`,
    `Server: airwave/${VERSION}`,
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(text)}`,
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ]
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`)
  // A legacy client may still be sending its stream; do not linger on it.
  setTimeout(() => socket.destroy(), 2000).unref?.()
}

/**
 * The source port: a raw `node:net` server (none of the runtimes' HTTP servers can read a body that
 * is simply the rest of the connection) speaking Icecast's source protocol: `PUT /mount` (with
 * `Expect: 100-continue`) and the legacy `SOURCE /mount`, HTTP Basic auth as user `source` with the
 * mount's or the station's source password, a required `Content-Type` matching the mount, and the
 * `ice-*` headers describing the stream. Refusals use Icecast's statuses (401, 403 with
 * "Mountpoint in use" / "Content-type not supported", 404) with a plain-text reason; failed logins
 * are logged with the address (never a password) and slowed down by the station's back-off.
 *
 * @example
 * const ingest = await startIngest({ station, hostname: '0.0.0.0', port: 8001, log })
 */
export const startIngest = (options: IngestOptions): Promise<RunningIngest> => {
  const { station } = options
  const clock = options.clock ?? systemClock
  const log = options.log
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.setNoDelay(true)
    readHead(socket, { station, clock, log, httpPort: options.httpPort, admin: options.admin })
  })
  return listenServer(server, options.port, options.hostname, () => {
    for (const socket of sockets) socket.destroy()
  })
}

interface Context {
  station: Station
  clock: Clock
  log: Logger
  httpPort?: number
  admin?: IngestOptions['admin']
}

/** Answers an admin request that arrived on the source port, through the admin API, and closes. */
const answerAdmin = async (socket: Socket, head: HttpHead, admin: NonNullable<IngestOptions['admin']>, address: string): Promise<void> => {
  const headers = new Headers()
  for (const [name, value] of head.headers) {
    try {
      headers.set(name, value)
    } catch {
      // a header value fetch cannot carry: not one the admin API reads
    }
  }
  let response: Response
  try {
    response = await admin(new Request(new URL(head.second, 'http://source-port'), { method: 'GET', headers }), address)
  } catch {
    return refuse(socket, 400, 'Bad admin request')
  }
  const body = new Uint8Array(await response.arrayBuffer())
  const lines = [`HTTP/1.0 ${response.status} ${REASONS[response.status] ?? 'OK'}`, ...[...response.headers].map(([name, value]) => `${name}: ${value}`), `Content-Length: ${body.length}`, 'Connection: close']
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]))
}

const readHead = (socket: Socket, context: Context): void => {
  let buffer: Uint8Array = new Uint8Array(0)
  const timeout = new AbortController()
  void context.clock.sleep(10_000, timeout.signal).then(() => {
    if (timeout.signal.aborted) return
    socket.off('data', onData)
    refuse(socket, 408, 'No request head within 10 s')
  })
  const onData = (data: Uint8Array) => {
    buffer = Buffer.concat([buffer, data])
    const end = headEnd(buffer)
    if (end < 0) {
      if (buffer.length > MAX_HEAD_BYTES) {
        timeout.abort()
        socket.off('data', onData)
        refuse(socket, 431, `Request head larger than ${MAX_HEAD_BYTES} bytes`)
      }
      return
    }
    timeout.abort()
    socket.off('data', onData)
    socket.pause()
    const head = parseHead(buffer.subarray(0, end))
    if (!head) return refuse(socket, 400, 'Not an HTTP request')
    handleSource(socket, head, buffer.subarray(end), context)
  }
  socket.on('data', onData)
  socket.on('close', () => timeout.abort())
}

const handleSource = (socket: Socket, head: HttpHead, rest: Uint8Array, context: Context): void => {
  const { station, log } = context
  const address = clientAddress(socket)
  const method = head.first.toUpperCase()
  if (method === 'GET' && context.admin && head.second.startsWith('/admin/')) {
    void answerAdmin(socket, head, context.admin, address)
    return
  }
  if (method !== 'PUT' && method !== 'SOURCE') {
    const where = context.httpPort ? ` (listeners use port ${context.httpPort})` : ''
    return refuse(socket, 405, `This is airwave's port for source clients: PUT or SOURCE /mount${where}`, { Allow: 'PUT, SOURCE' })
  }
  let path: string
  try {
    path = decodeURIComponent(new URL(head.second, 'http://source').pathname)
  } catch {
    return refuse(socket, 400, 'Bad mount path')
  }
  const mount = station.mount(path)
  if (!mount) {
    log.warn(`source from ${address} asked for ${path}: no such mount`)
    return refuse(socket, 404, `No mount at ${path}. Mounts on this station: ${[...station.mounts.keys()].join(', ')}`)
  }
  const password = mount.config.sourcePassword ?? station.config.sourcePassword
  if (password === undefined) {
    mount.log.warn(`source from ${address} refused: live sources are off on ${path} (no source password is set)`)
    return refuse(socket, 403, `Live sources are off on ${path}: the station has no source password for it`)
  }
  const throttle = station.authThrottle
  const verdict = throttle.check(address)
  if (!verdict.allowed) {
    const seconds = Math.ceil(verdict.retryAfterMs / 1000)
    mount.log.debug(`source login from ${address} refused without checking: too many failed attempts (retry in ${seconds} s)`)
    return refuse(socket, 429, `Too many failed logins from ${address}; retry in ${seconds} s`, { 'Retry-After': String(seconds) })
  }
  const given = parseBasicAuth(head.headers.get('authorization'))
  if (!credentialsMatch(given, [{ user: SOURCE_USER, password }])) {
    const failures = throttle.fail(address)
    mount.log.warn(`source login refused on ${path} from ${address}: ${given ? 'wrong user name or password' : 'no credentials sent'} (${failures} failure(s) in a row)`)
    return refuse(socket, 401, `Authentication required: log in as user "${SOURCE_USER}" with the mount's source password`, { 'WWW-Authenticate': 'Basic realm="airwave source"' })
  }
  throttle.succeed(address)
  const contentType = head.headers.get('content-type')
  if (!contentType) {
    mount.log.warn(`source from ${address} refused: no Content-Type`)
    return refuse(socket, 403, 'No Content-type given: send Content-Type audio/mpeg (MP3) or audio/aac (AAC/ADTS)')
  }
  const format = formatFromMime(contentType)
  if (!format) {
    mount.log.warn(`source from ${address} refused: Content-Type ${contentType} is not MP3 or AAC`)
    return refuse(socket, 403, `Content-type not supported: ${contentType} (airwave takes audio/mpeg or audio/aac)`)
  }
  const info = sourceInfoFrom((name) => head.headers.get(name))
  const declared = { sampleRate: audioInfoValue(info.audioInfo, 'samplerate'), channels: audioInfoValue(info.audioInfo, 'channels') }
  const refusal = mount.refuseSource('live', format, {
    ...(declared.sampleRate !== undefined && { sampleRate: declared.sampleRate }),
    ...(declared.channels !== undefined && { channels: declared.channels }),
  })
  if (refusal) {
    mount.log.warn(`source from ${address} refused: ${refusal.reason}`)
    return refuse(socket, refusal.status, refusal.reason)
  }
  const chunked = /chunked/i.test(head.headers.get('transfer-encoding') ?? '')
  if (/100-continue/i.test(head.headers.get('expect') ?? '')) socket.write('HTTP/1.1 100 Continue\r\n\r\n')
  else socket.write(`HTTP/1.0 200 OK\r\nServer: airwave/${VERSION}\r\nContent-Length: 0\r\n\r\n`)
  stream(socket, { mount, format, info, address, userAgent: head.headers.get('user-agent') ?? '', chunked, rest }, context)
}

interface Accepted {
  mount: Mount
  format: AudioFormat
  info: ReturnType<typeof sourceInfoFrom>
  address: string
  userAgent: string
  chunked: boolean
  rest: Uint8Array
}

const stream = (socket: Socket, accepted: Accepted, context: Context): void => {
  const { mount, format, info, address } = accepted
  const feed = new FrameFeed({ kind: 'live', title: info.name ?? 'Live' })
  const input = new StreamInput({ format, feed, admit: (params) => mount.admit(params) })
  const dechunk = accepted.chunked ? new ChunkedDecoder() : undefined
  const started = context.clock.now()
  let ended = false
  const end = (reason: string, level: 'info' | 'warn', drop = false) => {
    if (ended) return
    ended = true
    watchdog.stop()
    if (drop) feed.abort(reason)
    else {
      input.end()
      feed.end(reason)
    }
    if (drop) socket.destroy()
    else socket.end()
    const seconds = ((context.clock.now() - started) / 1000).toFixed(0)
    mount.log[level](`live source from ${address} ${drop ? 'dropped' : 'disconnected'} after ${seconds} s (${feed.received.toFixed(1)} s of audio): ${reason}`)
  }
  const connection: SourceConnection = {
    kind: 'live',
    feed,
    format,
    info,
    origin: address,
    userAgent: accepted.userAgent,
    connectedAt: new Date(),
    get params() {
      return input.params
    },
    setTitle: (title) => input.setTitle(title),
    close: (reason) => end(reason, 'info', true),
  }
  const timeoutMs = mount.sourceTimeoutMs
  const watchdog = new Watchdog(context.clock, timeoutMs, () => end(`no data for ${timeoutMs / 1000} s (source timeout)`, 'warn', true))
  const audio = (bytes: Uint8Array) => {
    const problem = input.write(bytes)
    if (problem) end(problem, 'warn', true)
  }
  const onData = (bytes: Uint8Array) => {
    watchdog.kick()
    if (!dechunk) audio(bytes)
    else {
      try {
        for (const part of dechunk.push(bytes)) if (!ended) audio(part)
      } catch (error) {
        return end(error instanceof Error ? error.message : String(error), 'warn', true)
      }
      if (dechunk.done) {
        // The body is complete: a client that waits for a final response (curl -T) gets one.
        socket.write(`HTTP/1.1 200 OK\r\nServer: airwave/${VERSION}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
        return end('the client ended its chunked stream', 'info')
      }
    }
    afterRead()
  }
  const afterRead = throttleReading(socket, { input, feed, watchdog, drop: (reason) => end(reason, 'warn', true), ended: () => ended })
  mount.connectSource(connection)
  mount.log.info(`live source connected from ${address}${accepted.userAgent ? ` (${accepted.userAgent})` : ''}${info.name ? `: "${info.name}"` : ''}`)
  socket.on('data', onData)
  socket.on('end', () => end('the client closed the connection', 'info'))
  socket.on('close', () => end('the connection closed', 'info'))
  socket.on('error', (error) => end(`connection error: ${error.message}`, 'info'))
  if (accepted.rest.length > 0) onData(accepted.rest)
  if (!ended) socket.resume()
}
