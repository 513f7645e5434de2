import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { HttpResponseReader } from '../load/http-reader.ts'
import { now } from '../load/listener.ts'

/** Where players ask: the host is always loopback. */
export interface HlsTarget {
  readonly port: number
  /** The live playlist's path, e.g. `/hls/stream/live.m3u8` (segments are relative to it). */
  readonly playlistPath: string
  /** Seconds a request may take before it counts as an error. */
  readonly timeoutSeconds: number
}

/** Why a request counts as an error. */
export type HlsErrorKind = 'connect' | 'timeout' | 'status' | 'short' | 'protocol' | 'closed' | 'missed'

/** A player's counters; the load generator takes their difference over the window. */
export interface PlayerCounters {
  playlists: number
  segments: number
  segmentBytes: number
  /** Segments that arrived after playback needed them (the player's buffer ran dry). */
  late: number
  /** Seconds the player waited for late segments. */
  stalledSeconds: number
  /** Connections opened (players keep one open; servers may close idle ones). */
  connections: number
  errors: Record<HlsErrorKind, number>
}

interface Response {
  readonly status: number
  readonly headers: ReadonlyMap<string, string>
  readonly body: string
  readonly bytes: number
}

class RequestError extends Error {
  readonly kind: HlsErrorKind
  /** A kept-alive connection the server had closed: worth one more try on a new one. */
  readonly retryable: boolean

  constructor(kind: HlsErrorKind, message: string, retryable = false) {
    super(message)
    this.kind = kind
    this.retryable = retryable
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)))

/** A live media playlist: first sequence number, target duration and its segments. */
export const parsePlaylist = (text: string) => {
  const sequence = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1])
  const target = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(text)?.[1])
  const segments: { name: string; duration: number }[] = []
  let duration = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8))
    else if (line && !line.startsWith('#')) segments.push({ name: line.trim(), duration })
  }
  return { sequence, target, segments }
}

/** Counters at zero: a new player's, or a sum's start. */
export const zeroCounters = (): PlayerCounters => ({
  playlists: 0,
  segments: 0,
  segmentBytes: 0,
  late: 0,
  stalledSeconds: 0,
  connections: 0,
  errors: { connect: 0, timeout: 0, status: 0, short: 0, protocol: 0, closed: 0, missed: 0 },
})

/**
 * One simulated HLS player on one keep-alive connection, behaving as hls.js and Safari do on a
 * live playlist: it starts three segments from the end, fetches each segment it has not had, and
 * reloads the playlist once per target duration (half that when nothing was new). It plays in
 * real time from its first segment's arrival: a segment that arrives after the audio before it has
 * run out is late, and playback waits for it. Responses are read as they come: a playlist's text
 * is kept, a segment's bytes only counted (and checked against its Content-Length).
 *
 * @example
 * const player = new HlsPlayer(1, { port, playlistPath: '/hls/stream/live.m3u8', timeoutSeconds: 15 })
 * player.start()
 * // later
 * player.stop(); player.counters.late
 */
export class HlsPlayer {
  readonly counters: PlayerCounters = zeroCounters()
  /** The newest segment it saw listed. */
  lastListed = -1
  /** The first error's message, for the report. */
  firstError: string | undefined
  readonly #id: number
  readonly #target: HlsTarget
  readonly #base: string
  #socket: Socket | undefined
  #stopped = false
  /** Where playback has buffered to (`now()` ms): the moment its audio runs out. */
  #bufferEnd: number | undefined
  #settle: ((error?: RequestError) => void) | undefined

  constructor(id: number, target: HlsTarget) {
    this.#id = id
    this.#target = target
    this.#base = target.playlistPath.slice(0, target.playlistPath.lastIndexOf('/') + 1)
  }

  start(): void {
    void this.#run()
  }

  stop(): void {
    this.#stopped = true
    this.#socket?.destroy()
  }

  async #run(): Promise<void> {
    let next: number | undefined
    const playlist = `${this.#target.playlistPath}?session=bench-${String(this.#id).padStart(6, '0')}`
    while (!this.#stopped) {
      const asked = now()
      let wait = 2000
      try {
        const answer = await this.#get(playlist, true)
        this.counters.playlists++
        if (answer.status !== 200) throw new RequestError('status', `playlist: ${answer.status}`)
        const { sequence, target, segments } = parsePlaylist(answer.body)
        wait = (target || 6) * 1000
        const last = sequence + segments.length - 1
        this.lastListed = Math.max(this.lastListed, last)
        next ??= Math.max(sequence, last - 2)
        if (next < sequence) {
          this.#error(new RequestError('missed', `segments ${next}-${sequence - 1} left the playlist unfetched`))
          this.counters.errors.missed += sequence - next - 1
          next = sequence
        }
        if (next > last) wait /= 2
        for (; next <= last && !this.#stopped; next++) {
          const segment = segments[next - sequence]!
          const got = await this.#get(`${this.#base}${segment.name}`, false)
          if (got.status !== 200) throw new RequestError('status', `${segment.name}: ${got.status}`)
          this.#played(segment.duration)
          this.counters.segments++
          this.counters.segmentBytes += got.bytes
        }
      } catch (error) {
        if (this.#stopped) return
        this.#error(error instanceof RequestError ? error : new RequestError('protocol', String(error)))
      }
      await sleep(asked + wait - now())
    }
  }

  /** A segment of `duration` s arrived now: it plays once the audio before it has. */
  #played(duration: number): void {
    const t = now()
    if (this.#bufferEnd === undefined) this.#bufferEnd = t
    else if (t > this.#bufferEnd) {
      this.counters.late++
      this.counters.stalledSeconds += (t - this.#bufferEnd) / 1000
      this.#bufferEnd = t
    }
    this.#bufferEnd += duration * 1000
  }

  #error(error: RequestError): void {
    this.counters.errors[error.kind]++
    this.firstError ??= error.message
  }

  /** GET `path` on the player's connection (opened again if the server closed it); one retry if a kept-alive connection was closed under it. */
  async #get(path: string, keepBody: boolean): Promise<Response> {
    try {
      return await this.#request(path, keepBody)
    } catch (error) {
      if (!(error instanceof RequestError) || !error.retryable || this.#stopped) throw error
      return await this.#request(path, keepBody)
    }
  }

  #connect(): Promise<Socket> {
    const existing = this.#socket
    if (existing && !existing.destroyed && existing.readyState === 'open') return Promise.resolve(existing)
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: this.#target.port, noDelay: true })
      this.counters.connections++
      this.#socket = socket
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new RequestError('connect', 'connect timed out'))
      }, this.#target.timeoutSeconds * 1000)
      socket.once('connect', () => {
        clearTimeout(timer)
        resolve(socket)
      })
      socket.once('error', (error) => {
        clearTimeout(timer)
        reject(new RequestError('connect', error.message))
      })
      socket.on('close', () => this.#settle?.(new RequestError('closed', 'connection closed mid-response', true)))
      socket.on('error', () => {})
    })
  }

  async #request(path: string, keepBody: boolean): Promise<Response> {
    const socket = await this.#connect()
    return await new Promise<Response>((resolve, reject) => {
      const parts: Buffer[] = []
      let bytes = 0
      const reader = new HttpResponseReader(
        keepBody ? (b, s, e) => parts.push(Buffer.from(b.subarray(s, e))) : undefined,
      )
      const timer = setTimeout(
        () => finish(new RequestError('timeout', `${path}: no whole answer within ${this.#target.timeoutSeconds} s`)),
        this.#target.timeoutSeconds * 1000,
      )
      const onData = (data: Buffer) => {
        bytes += reader.push(data, 0, data.length)
        if (reader.error) return finish(new RequestError('protocol', `${path}: ${reader.error}`))
        const head = reader.head
        if (!head) return
        const length = head.headers.get('content-length')
        const bodiless = head.status === 304 || head.status === 204
        if (bodiless || (head.chunked ? reader.ended : length !== undefined && bytes >= Number(length))) finish()
      }
      const finish = (error?: RequestError) => {
        clearTimeout(timer)
        socket.off('data', onData)
        this.#settle = undefined
        if (error) {
          // A connection closed before any answer was kept alive past the server's idle timeout: retry.
          const retryable = error.retryable && !reader.head && bytes === 0
          socket.destroy()
          return reject(new RequestError(error.kind, error.message, retryable))
        }
        const head = reader.head!
        const length = head.headers.get('content-length')
        if (!head.chunked && length !== undefined && bytes !== Number(length)) {
          socket.destroy()
          return reject(new RequestError('short', `${path}: ${bytes} of ${length} bytes`))
        }
        if (/close/i.test(head.headers.get('connection') ?? '')) socket.destroy()
        resolve({ status: head.status, headers: head.headers, body: Buffer.concat(parts).toString('utf8'), bytes })
      }
      this.#settle = finish
      socket.on('data', onData)
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${this.#target.port}\r\nUser-Agent: airwave-bench-hls\r\n\r\n`,
      )
    })
  }
}
