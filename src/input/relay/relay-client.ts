import type { Clock } from '../../clock.ts'
import { systemClock } from '../../clock.ts'
import { formatFromMime } from '../../format/formats.ts'
import type { Logger } from '../../log.ts'
import { silentLogger } from '../../log.ts'
import { pullStream } from '../../net/http-pull.ts'
import { Backoff } from '../../util/backoff.ts'
import { VERSION } from '../../version.ts'
import type { SessionEnd, SourcePart } from '../stream/source-session.ts'
import { startSourceSession } from '../stream/source-session.ts'
import { sourceInfoFrom } from '../stream/source-info.ts'
import type { SourceConnection, SourceTarget } from '../source.ts'
import { IcyDemuxer } from './icy-demux.ts'

export interface RelayOptions {
  url: string
  /** The mount it feeds. */
  target: SourceTarget
  /** The title on air until the upstream names its stream or sends a title (the mount's name, say). */
  title: string
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
const RELAY_BACKOFF = { initialDelayMs: 1_000, maxDelayMs: 30_000, jitter: 0.2 }

/** Seconds of audio a connection must deliver for the next reconnection to start from the shortest delay. */
const HEALTHY_SECONDS = 5

/**
 * A URL fit for logs: without its password.
 *
 * @example
 * redactUrl('http://user:secret@origin:8000/stream') // 'http://user:***@origin:8000/stream'
 */
export const redactUrl = (url: string | URL): string => {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '***'
  return parsed.href
}

/**
 * A relay: pulls a remote stream (another airwave, an Icecast, a SHOUTcast) with `Icy-MetaData: 1`,
 * strips the in-band metadata and turns each `StreamTitle` into a new track, and feeds the frames to
 * its mount like a live source. When the upstream drops, stalls (the mount's source timeout) or
 * cannot be reached, it reconnects with back-off (1 s doubling to 30 s, ±20%, back to 1 s after a
 * connection that played); meanwhile the mount's listeners hear its playlist or fallback, or wait.
 *
 * @example
 * const relay = new RelayClient({ url: 'http://origin:8000/stream', target: mount, title: 'Radio Tonic' })
 * relay.start()
 */
export class RelayClient {
  readonly url: URL
  readonly #target: SourceTarget
  readonly #title: string
  readonly #clock: Clock
  readonly #log: Logger
  readonly #backoff: Backoff
  readonly #stop = new AbortController()
  #running: Promise<void> | undefined
  #connection: SourceConnection | undefined
  /** Connections made (for status and tests). */
  connections = 0

  constructor(options: RelayOptions) {
    this.url = new URL(options.url)
    this.#target = options.target
    this.#title = options.title
    this.#clock = options.clock ?? systemClock
    this.#log = options.log ?? silentLogger
    this.#backoff = new Backoff({
      initialMs: options.initialDelayMs ?? RELAY_BACKOFF.initialDelayMs,
      maxMs: options.maxDelayMs ?? RELAY_BACKOFF.maxDelayMs,
      jitter: RELAY_BACKOFF.jitter,
      random: options.random,
    })
  }

  start(): void {
    this.#running ??= this.#loop().catch((error) => {
      this.#log.error(
        `relay ${redactUrl(this.url)} stopped: ${
          error instanceof Error ? (error.stack ?? error.message) : String(error)
        }`,
      )
    })
  }

  async stop(): Promise<void> {
    this.#stop.abort()
    this.#connection?.close('the station is shutting down')
    await this.#running
  }

  async #loop(): Promise<void> {
    const signal = this.#stop.signal
    while (!signal.aborted) {
      const end = await this.#session()
      if (signal.aborted) return
      if (end.seconds >= HEALTHY_SECONDS) this.#backoff.reset()
      const wait = this.#backoff.next()
      this.#log.warn(`relay ${redactUrl(this.url)}: ${end.reason}; reconnecting in ${(wait / 1000).toFixed(1)} s`)
      await this.#clock.sleep(wait, signal)
    }
  }

  async #session(): Promise<Pick<SessionEnd, 'reason' | 'seconds'>> {
    let stream
    try {
      stream = await pullStream(this.url, {
        headers: { 'Icy-MetaData': '1', 'User-Agent': `airwave/${VERSION} (relay)`, Accept: '*/*' },
        clock: this.#clock,
        timeoutMs: this.#target.sourceTimeoutMs,
        signal: this.#stop.signal,
      })
    } catch (error) {
      return { reason: `cannot connect: ${error instanceof Error ? error.message : String(error)}`, seconds: 0 }
    }
    const { socket } = stream
    if (this.#stop.signal.aborted) {
      socket.destroy()
      return { reason: 'stopped', seconds: 0 }
    }
    const refuse = (reason: string) => {
      socket.destroy()
      return { reason, seconds: 0 }
    }
    if (stream.status !== 200) return refuse(`upstream answered ${stream.status} ${stream.reason}`.trim())
    const contentType = stream.headers.get('content-type') ?? ''
    const format = formatFromMime(contentType)
    if (!format) return refuse(`upstream sends ${contentType || 'no Content-Type'}, not MP3, AAC or Ogg`)
    const check = this.#target.checkSource('relay', format)
    if (!check.ok) return refuse(check.reason)
    const info = sourceInfoFrom((name) => stream.headers.get(name))
    const metaint = Number(stream.headers.get('icy-metaint'))
    const demux = Number.isInteger(metaint) && metaint > 0 ? new IcyDemuxer(metaint) : undefined
    this.connections++
    const origin = redactUrl(stream.url)
    this.#log.info(
      `relay connected to ${origin}${
        demux
          ? ` (titles every ${metaint} bytes)`
          : format === 'ogg'
          ? ' (titles from its Ogg comment headers)'
          : ' (no titles: the upstream sends no icy-metaint)'
      }`,
    )
    return new Promise((resolve) => {
      let ended = false
      const connection = startSourceSession({
        socket,
        target: this.#target,
        kind: 'relay',
        format,
        info,
        origin,
        userAgent: stream.headers.get('server') ?? '',
        title: info.name ?? this.#title,
        clock: this.#clock,
        rest: stream.rest,
        parse: demux ? (bytes) => demuxed(demux, bytes) : undefined,
        dropOnStall: false,
        onEnd: (end) => {
          ended = true
          this.#connection = undefined
          resolve(end)
        },
      })
      if (!ended) this.#connection = connection
    })
  }
}

/** The upstream's audio and titles; an empty title (some servers send one between songs) keeps the one on air. */
function* demuxed(demux: IcyDemuxer, bytes: Uint8Array): Generator<SourcePart> {
  for (const part of demux.push(bytes)) {
    if (part.type === 'audio') yield { type: 'audio', bytes: part.bytes }
    else if (part.title.trim() !== '') yield { type: 'title', title: part.title }
  }
}
