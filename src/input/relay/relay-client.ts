import { formatFromMime } from '../../format/format.ts'
import type { Logger } from '../../log.ts'
import { silentLogger } from '../../log.ts'
import type { Mount } from '../../mount/mount.ts'
import type { Clock } from '../../clock.ts'
import { systemClock } from '../../clock.ts'
import { VERSION } from '../../version.ts'
import type { SourceConnection } from '../live/source-info.ts'
import { sourceInfoFrom } from '../live/source-info.ts'
import { FrameFeed } from '../live/feed.ts'
import { pullStream } from '../../net/http-pull.ts'
import { IcyDemuxer } from './icy-demux.ts'
import { StreamInput, throttleReading } from '../live/stream-input.ts'
import { Watchdog } from '../live/watchdog.ts'

export interface RelayOptions {
  url: string
  mount: Mount
  clock?: Clock
  log?: Logger
  /** Randomness for the back-off jitter (default Math.random). */
  random?: () => number
  /** First reconnection delay (ms); it doubles after each failed attempt. */
  initialDelayMs?: number
  /** Longest reconnection delay (ms). */
  maxDelayMs?: number
}

/** Reconnection delays: 1 s, doubling up to 30 s, each ±20% so that many edges do not return at once. */
export const RELAY_BACKOFF = { initialDelayMs: 1_000, maxDelayMs: 30_000, jitter: 0.2 }

/** Seconds of audio a connection must deliver for the next reconnection to start from the shortest delay. */
const HEALTHY_SECONDS = 5

/** A URL fit for logs: without its password. */
export const redactUrl = (url: string | URL): string => {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '***'
  return parsed.href
}

/** How one connection to the upstream ended. */
interface SessionEnd {
  reason: string
  /** Seconds of audio it delivered. */
  seconds: number
}

/**
 * A relay: pulls a remote stream (another airwave, an Icecast, a SHOUTcast) with `Icy-MetaData: 1`,
 * strips the in-band metadata and turns each `StreamTitle` into a new track, and feeds the frames to
 * its mount like a live source. When the upstream drops, stalls (the mount's source timeout) or
 * cannot be reached, it reconnects with back-off (1 s doubling to 30 s, ±20%, back to 1 s after a
 * connection that played); meanwhile the mount's listeners hear its playlist or fallback, or wait.
 *
 * @example
 * const relay = new RelayClient({ url: 'http://origin:8000/stream', mount })
 * relay.start()
 */
export class RelayClient {
  readonly url: URL
  readonly #mount: Mount
  readonly #clock: Clock
  readonly #log: Logger
  readonly #random: () => number
  readonly #initialDelayMs: number
  readonly #maxDelayMs: number
  readonly #stop = new AbortController()
  #running: Promise<void> | undefined
  #connection: SourceConnection | undefined
  /** Connections made (for status and tests). */
  connections = 0

  constructor(options: RelayOptions) {
    this.url = new URL(options.url)
    this.#mount = options.mount
    this.#clock = options.clock ?? systemClock
    this.#log = options.log ?? silentLogger
    this.#random = options.random ?? Math.random
    this.#initialDelayMs = options.initialDelayMs ?? RELAY_BACKOFF.initialDelayMs
    this.#maxDelayMs = options.maxDelayMs ?? RELAY_BACKOFF.maxDelayMs
  }

  start(): void {
    this.#running ??= this.#loop()
  }

  async stop(): Promise<void> {
    this.#stop.abort()
    this.#connection?.close('the station is shutting down')
    await this.#running
  }

  async #loop(): Promise<void> {
    const signal = this.#stop.signal
    let delay = this.#initialDelayMs
    while (!signal.aborted) {
      const end = await this.#session()
      if (signal.aborted) return
      delay = end.seconds >= HEALTHY_SECONDS ? this.#initialDelayMs : delay
      const wait = Math.round(delay * (1 - RELAY_BACKOFF.jitter + 2 * RELAY_BACKOFF.jitter * this.#random()))
      this.#log.warn(`relay ${redactUrl(this.url)}: ${end.reason}; reconnecting in ${(wait / 1000).toFixed(1)} s`)
      await this.#clock.sleep(wait, signal)
      delay = Math.min(delay * 2, this.#maxDelayMs)
    }
  }

  async #session(): Promise<SessionEnd> {
    const timeoutMs = this.#mount.sourceTimeoutMs
    let stream
    try {
      stream = await pullStream(this.url, {
        headers: { 'Icy-MetaData': '1', 'User-Agent': `airwave/${VERSION} (relay)`, Accept: '*/*' },
        clock: this.#clock,
        timeoutMs,
        signal: this.#stop.signal,
      })
    } catch (error) {
      return { reason: `cannot connect: ${error instanceof Error ? error.message : String(error)}`, seconds: 0 }
    }
    const { socket } = stream
    if (stream.status !== 200) {
      socket.destroy()
      return { reason: `upstream answered ${stream.status} ${stream.reason}`.trim(), seconds: 0 }
    }
    const contentType = stream.headers.get('content-type') ?? ''
    const format = formatFromMime(contentType)
    if (!format) {
      socket.destroy()
      return { reason: `upstream sends ${contentType || 'no Content-Type'}, not MP3 or AAC`, seconds: 0 }
    }
    const refusal = this.#mount.refuseSource('relay', format)
    if (refusal) {
      socket.destroy()
      return { reason: refusal.reason, seconds: 0 }
    }
    const info = sourceInfoFrom((name) => stream.headers.get(name))
    const metaint = Number(stream.headers.get('icy-metaint'))
    const demux = Number.isInteger(metaint) && metaint > 0 ? new IcyDemuxer(metaint) : undefined
    const feed = new FrameFeed({ kind: 'relay', title: info.name ?? this.url.host })
    const input = new StreamInput({ format, feed, admit: (params) => this.#mount.admit(params) })
    this.connections++
    return new Promise<SessionEnd>((resolve) => {
      let ended = false
      const end = (reason: string, drop = false) => {
        if (ended) return
        ended = true
        watchdog.stop()
        if (this.#connection === connection) this.#connection = undefined
        if (drop) feed.abort(reason)
        else {
          input.end()
          feed.end(reason)
        }
        socket.destroy()
        resolve({ reason, seconds: feed.received })
      }
      const connection: SourceConnection = {
        kind: 'relay',
        feed,
        format,
        info,
        origin: redactUrl(stream.url),
        userAgent: stream.headers.get('server') ?? '',
        connectedAt: new Date(),
        get params() {
          return input.params
        },
        setTitle: (title) => input.setTitle(title),
        close: (reason) => end(reason, true),
      }
      this.#connection = connection
      const watchdog = new Watchdog(this.#clock, timeoutMs, () => end(`no data for ${timeoutMs / 1000} s`))
      const audio = (bytes: Uint8Array) => {
        const problem = input.write(bytes)
        if (problem) end(problem, true)
      }
      const onData = (bytes: Uint8Array) => {
        watchdog.kick()
        if (!demux) audio(bytes)
        else {
          for (const part of demux.push(bytes)) {
            if (ended) return
            if (part.type === 'audio') audio(part.bytes)
            else input.setTitle(part.title)
          }
        }
        afterRead()
      }
      const afterRead = throttleReading(socket, { input, feed, watchdog, drop: (reason) => end(reason, true), ended: () => ended })
      this.#mount.connectSource(connection)
      this.#log.info(`relay connected to ${connection.origin}${demux ? ` (titles every ${metaint} bytes)` : ' (no titles: the upstream sends no icy-metaint)'}`)
      socket.on('data', onData)
      socket.on('end', () => end('the upstream closed the stream'))
      socket.on('close', () => end('the connection closed'))
      socket.on('error', (error) => end(`connection error: ${error.message}`))
      if (stream.rest.length > 0) onData(stream.rest)
      if (!ended) socket.resume()
    })
  }
}
