import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { HttpResponseReader } from './http-reader.ts'
import { OggPageScanner } from './ogg-scanner.ts'

/** Why a listener counts as failed. */
export type FailureKind = 'connect' | 'timeout' | 'status' | 'protocol' | 'closed'

/** Where and how a listener asks for the stream. */
export interface Target {
  readonly host: '127.0.0.1'
  readonly port: number
  /** Path and query, e.g. `/stream`. */
  readonly path: string
  readonly httpVersion: '1.0' | '1.1'
  /** Ask for ICY metadata (`Icy-MetaData: 1`); the response must then carry `icy-metaint`. */
  readonly icy?: boolean
  /**
   * What the stream is (default `mp3`, taken as it comes). With `opus` the response must be
   * `audio/ogg` (or `application/ogg`) and its payload well-framed Ogg pages from the first byte,
   * beginning with an Opus stream's header page (`OggPageScanner`).
   */
  readonly format?: StreamFormat
}

/** What a stream carries: MP3 (the demo playlist) or Ogg Opus. */
export type StreamFormat = 'mp3' | 'opus'

/** The clock every listener reads: milliseconds, monotonic. */
export const now = (): number => performance.now()

/** One read buffer for all sockets: reads are handled one at a time and never kept. */
const sharedBuffer = Buffer.allocUnsafe(256 * 1024)

/**
 * One simulated listener: a raw TCP socket sending a plain GET, reading everything as it arrives
 * and keeping only counters (no payload is stored). Times are `now()` milliseconds.
 *
 * @example
 * const listener = new StreamListener(1, target, { headerTimeoutMs: 15_000 })
 * listener.open()
 * // later
 * listener.bytes, listener.firstByteAt, listener.maxGap
 */
export class StreamListener {
  readonly id: number
  startedAt = 0
  connectedAt: number | undefined
  headAt: number | undefined
  firstByteAt: number | undefined
  lastReadAt: number | undefined
  status: number | undefined
  failure: FailureKind | undefined
  error: string | undefined
  /** Payload bytes received in total. */
  bytes = 0
  /** Payload bytes received within the burst window (the first `burstWindowMs` after the first byte). */
  burstBytes = 0
  /** Payload bytes received inside the measurement window. */
  windowBytes = 0
  /** Time and size of the first read inside the window. */
  windowFirstReadAt: number | undefined
  windowFirstReadBytes = 0
  /** Reads inside the window. */
  windowReads = 0
  /** Longest gap (ms) between two reads after the first byte, up to the end of the window. */
  maxGap = 0
  /** Longest gap (ms) between two reads inside the measurement window. */
  maxGapInWindow = 0
  /** Reads that delivered payload. */
  reads = 0
  closedAt: number | undefined
  readonly #target: Target
  readonly #headerTimeoutMs: number
  readonly #burstWindowMs: number
  readonly #reader: HttpResponseReader
  /** With `format: 'opus'`: the Ogg framing of the payload, checked as it arrives. */
  readonly #ogg: OggPageScanner | undefined
  #socket: Socket | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #window: { start: number; end: number } | undefined
  #stopped = false

  constructor(id: number, target: Target, options: { headerTimeoutMs: number; burstWindowMs: number }) {
    this.id = id
    this.#target = target
    this.#headerTimeoutMs = options.headerTimeoutMs
    this.#burstWindowMs = options.burstWindowMs
    const ogg = target.format === 'opus' ? new OggPageScanner() : undefined
    this.#ogg = ogg
    this.#reader = new HttpResponseReader(ogg && ((bytes, start, end) => ogg.push(bytes, start, end)))
  }

  /** Whole Ogg pages received (`format: 'opus'`), else undefined. */
  get oggPages(): number | undefined {
    return this.#ogg?.pages
  }

  /** True while the listener is receiving (connected, 200, not closed, not failed). */
  get alive(): boolean {
    return this.failure === undefined && this.closedAt === undefined && this.firstByteAt !== undefined
  }

  /** True once the listener got its first payload byte or failed. */
  get settled(): boolean {
    return this.firstByteAt !== undefined || this.failure !== undefined
  }

  /** Connects and sends the request. */
  open(): void {
    this.startedAt = now()
    const { host, port, path, httpVersion } = this.#target
    const request =
      `GET ${path} HTTP/${httpVersion}\r\nHost: ${host}:${port}\r\nUser-Agent: airwave-bench/1\r\nAccept: */*\r\n` +
      (this.#target.icy ? 'Icy-MetaData: 1\r\n' : '') +
      (httpVersion === '1.0' ? '' : 'Connection: close\r\n') +
      '\r\n'
    const socket = connect({
      host,
      port,
      noDelay: true,
      onread: { buffer: sharedBuffer, callback: (nread: number, buffer: Uint8Array) => this.#onRead(nread, buffer) },
    })
    this.#socket = socket
    socket.once('connect', () => {
      this.connectedAt = now()
      socket.write(request)
    })
    socket.on(
      'error',
      (error: NodeJS.ErrnoException) =>
        this.#fail(this.connectedAt === undefined ? 'connect' : 'closed', error.code ?? error.message),
    )
    socket.on('close', () => {
      if (this.#stopped) return
      this.closedAt = now()
      if (this.failure === undefined) {
        this.#fail(
          'closed',
          this.firstByteAt === undefined ? 'closed before the first byte' : 'server closed the stream',
        )
      }
    })
    this.#timer = setTimeout(() => {
      if (this.firstByteAt === undefined) this.#fail('timeout', `no audio within ${this.#headerTimeoutMs} ms`)
    }, this.#headerTimeoutMs)
  }

  /** Starts counting `windowBytes` and `maxGapInWindow` between `start` and `end` (`now()` ms). */
  setWindow(start: number, end: number): void {
    this.#window = { start, end }
  }

  /** Closes the socket; counters stay as they are. */
  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#socket?.destroy()
  }

  #onRead(nread: number, buffer: Uint8Array): boolean {
    if (this.#stopped || this.failure) return true
    const t = now()
    const payload = this.#reader.push(buffer, 0, nread)
    if (this.#reader.error) {
      this.#fail('protocol', this.#reader.error)
      return true
    }
    if (this.#reader.head && this.headAt === undefined) {
      this.headAt = t
      this.status = this.#reader.head.status
      if (this.status !== 200) {
        this.#fail('status', this.#reader.head.statusLine)
        return true
      }
      if (this.#target.icy && !this.#reader.head.headers.has('icy-metaint')) {
        this.#fail('protocol', 'asked for ICY metadata, got no icy-metaint')
        return true
      }
      const type = this.#reader.head.headers.get('content-type') ?? ''
      if (this.#ogg && !/^(audio|application)\/ogg\b/i.test(type)) {
        this.#fail('protocol', `expected audio/ogg, got Content-Type ${JSON.stringify(type)}`)
        return true
      }
    }
    if (this.#ogg?.error) {
      this.#fail('protocol', this.#ogg.error)
      return true
    }
    if (payload === 0) return true
    if (this.firstByteAt === undefined) {
      this.firstByteAt = t
      clearTimeout(this.#timer)
    }
    const window = this.#window
    if (this.lastReadAt !== undefined && (!window || t <= window.end)) {
      const gap = t - this.lastReadAt
      if (gap > this.maxGap) this.maxGap = gap
      if (window && this.lastReadAt >= window.start && gap > this.maxGapInWindow) this.maxGapInWindow = gap
    }
    this.lastReadAt = t
    this.bytes += payload
    this.reads++
    if (t - this.firstByteAt <= this.#burstWindowMs) this.burstBytes += payload
    if (window && t >= window.start && t <= window.end) {
      if (this.windowFirstReadAt === undefined) {
        this.windowFirstReadAt = t
        this.windowFirstReadBytes = payload
      }
      this.windowBytes += payload
      this.windowReads++
    }
    return true
  }

  #fail(kind: FailureKind, message: string): void {
    if (this.failure !== undefined || this.#stopped) return
    this.failure = kind
    this.error = message
    clearTimeout(this.#timer)
    this.#socket?.destroy()
  }
}
