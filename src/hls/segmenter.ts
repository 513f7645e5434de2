import type { BroadcastTap } from '../broadcast/broadcaster.ts'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import type { StreamParams } from '../format/params.ts'
import { paramsMismatch } from '../format/params.ts'
import type { Chunk } from '../pipeline/chunk.ts'
import type { Logger } from '../log.ts'
import { silentLogger } from '../log.ts'
import type { SegmentBytes, SegmentFormat } from './segment.ts'
import { SEGMENT_FORMATS, SegmentWriter } from './segment.ts'
import { SegmentWindow } from './segment-window.ts'

export interface HlsSegmenterOptions {
  /** Longest segment, in seconds; a segment also ends where a track does. */
  segmentSeconds: number
  /** Seconds of audio the playlist spans, at least (it lists the newest segments that add up to it). */
  listSeconds: number
  /** The parameters of what is on air (only MP3, AAC and Opus are cut into segments). */
  params: () => StreamParams | undefined
  clock?: Clock
  /** Wall-clock time (ms since the epoch) at `clock.now()` when made; names and dates follow from it. */
  epochMs?: number
  log?: Logger
}

/** How far (ms) a chunk may go on air from where its segment's date puts it before it starts a new date. */
const DATE_SLACK_MS = 1000
/**
 * Seconds a segment holds at least before a track change ends it: titles that change faster (a
 * relay whose upstream retitles every second) go out with the next segment, rather than cutting the
 * playlist into slivers.
 */
const TRACK_CUT_SECONDS = 1

/** A segment's write, done or failed. */
type Outcome = { bytes: SegmentBytes | undefined } | { error: unknown }

interface Pending {
  readonly chunks: Chunk[]
  readonly writer: SegmentWriter
  /** The name of its writer's init segment, should it have one. */
  readonly init: string
  readonly programDateTime: number
  readonly discontinuity: boolean
  /** It begins the playlist afresh: the container changed. */
  readonly restart: boolean
  /** HLS time (seconds) of its first sample. */
  readonly start: number
  duration: number
}

/**
 * Cuts a mount's broadcast into HLS segments: it follows the broadcaster (`take` is a tap) and
 * groups the same paced chunks the listeners get into segments of at most `segmentSeconds`,
 * ending one at every track change (once it holds a second) so each segment's title is its own. A
 * segment is
 * published once the chunk after it arrives, so HLS is behind the stream by one segment. It is
 * dated when its audio was due on air (the pacer's clock), so a stalled event loop that the pacer
 * catches up on leaves the dates as they were; a real gap (a silence, a skip ahead) starts new ones.
 * Timestamps count the audio segmented so far, so they run on without a break across tracks,
 * sources, silences and a switch to another mount's broadcast (a fallback); a discontinuity is
 * marked only where the stream itself was replaced (another format, rate or channel count).
 *
 * @example
 * const hls = new HlsSegmenter({ segmentSeconds: 6, listSeconds: 36, params: () => mount.params })
 * broadcaster.tap(hls.take)
 * hls.window.listed // the playlist's segments
 */
export class HlsSegmenter {
  readonly window: SegmentWindow
  readonly segmentSeconds: number
  /** Prefix of every segment name: the time this segmenter started, so no name is ever used twice. */
  readonly prefix: string
  /** The parameters of the broadcast it follows (the mount's, or its fallback's). */
  params: () => StreamParams | undefined
  readonly #clock: Clock
  readonly #epochMs: number
  readonly #clockStart: number
  #pending: Pending | undefined
  /** HLS time: seconds of audio taken so far, whichever broadcast it came from. */
  #position = 0
  #writer: SegmentWriter | undefined
  #writerParams: StreamParams | undefined
  /** Writers made so far: each has its own init segment name. */
  #writers = 0
  /** Extensions of the segments made so far (a name with another was never made). */
  readonly #extensions = new Set<string>()
  #publishing: Promise<void> | undefined
  readonly #log: Logger
  #sequence = 0
  #breakNext = false
  /** The next segment begins a new playlist (another container). */
  #restartNext = false

  constructor(options: HlsSegmenterOptions) {
    this.segmentSeconds = options.segmentSeconds
    this.window = new SegmentWindow(options.listSeconds)
    this.params = options.params
    this.#log = options.log ?? silentLogger
    this.#clock = options.clock ?? systemClock
    this.#epochMs = options.epochMs ?? Date.now()
    this.#clockStart = this.#clock.now()
    this.prefix = Math.round(this.#epochMs).toString(36)
  }

  /**
   * Follows the broadcast: a chunk joins (or starts) a segment; a cleared burst means a new stream.
   * Whatever goes wrong here is logged and never reaches the broadcast.
   */
  readonly take: BroadcastTap = (event) => {
    try {
      if (event.type === 'clear') {
        this.#close()
        this.#breakNext = this.window.last !== undefined
      } else this.#add(event.chunk, this.#wall(event.due ?? this.#clock.now()))
    } catch (error) {
      this.#log.error(`HLS: ${error instanceof Error ? error.message : String(error)}; the stream goes on`)
    }
  }

  /** The wall-clock time (ms since the epoch) of `at` on the injected clock. */
  #wall(at: number): number {
    return this.#epochMs + (at - this.#clockStart)
  }

  /** The wall-clock time now (ms since the epoch), on the injected clock. */
  get wallNow(): number {
    return this.#wall(this.#clock.now())
  }

  /**
   * Publishes the segment being filled if its audio should all have gone on air by now, with some
   * slack: the stream stopped (a live-only mount between two DJs), so its last seconds are not held back.
   */
  flushStale(): void {
    const pending = this.#pending
    if (pending && this.wallNow > pending.programDateTime + pending.duration * 1000 + 2 * DATE_SLACK_MS) this.#close()
  }

  #add(chunk: Chunk, now: number): void {
    const params = this.params()
    if (!params || !(params.format in SEGMENT_FORMATS)) {
      this.#close()
      this.#writer = undefined
      return
    }
    if (!this.#writer || this.#writerParams && paramsMismatch(this.#writerParams, params)) {
      this.#close()
      this.#breakNext ||= this.#writer !== undefined
      // A playlist cannot hold fragmented MP4 and other segments: its init segment would apply to all.
      const fmp4 = (format: string | undefined) => format === 'opus'
      this.#restartNext ||= this.#writer !== undefined && fmp4(this.#writer.format) !== fmp4(params.format)
      this.#writer = new SegmentWriter({ ...params, format: params.format as SegmentFormat })
      this.#writerParams = params
      this.#writers++
    }
    const pending = this.#pending
    if (pending) {
      const expected = pending.programDateTime + pending.duration * 1000
      const newTrack = (chunk.trackStart || chunk.track !== pending.chunks.at(-1)!.track) &&
        pending.duration >= Math.min(TRACK_CUT_SECONDS, this.segmentSeconds / 2)
      const cut = newTrack || pending.duration + chunk.duration > this.segmentSeconds + 1e-6 ||
        Math.abs(now - expected) > DATE_SLACK_MS
      if (!cut) {
        pending.chunks.push(chunk)
        pending.duration += chunk.duration
        this.#position += chunk.duration
        return
      }
      this.#close()
      // A segment that follows on without a gap is dated where the one before it ends.
      if (Math.abs(now - expected) <= DATE_SLACK_MS) return this.#open(chunk, expected)
    }
    this.#open(chunk, now)
  }

  #open(chunk: Chunk, programDateTime: number): void {
    const writer = this.#writer!
    this.#pending = {
      chunks: [chunk],
      writer,
      init: `${this.prefix}-init-${this.#writers}.mp4`,
      programDateTime,
      discontinuity: this.#breakNext,
      restart: this.#restartNext,
      start: this.#position,
      duration: chunk.duration,
    }
    this.#position += chunk.duration
    this.#breakNext = false
    this.#restartNext = false
  }

  /**
   * Writes the segment being filled and publishes it: at once, or (fragmented MP4, written
   * asynchronously) once it and every segment before it are written, so they are listed in order.
   */
  #close(): void {
    const pending = this.#pending
    if (!pending) return
    this.#pending = undefined
    const written = pending.writer.write(pending.chunks, pending.start)
    // Settled at once, whatever happens: a write that fails while an earlier one is still running
    // is never an unhandled rejection, and the chain of writes goes on.
    const outcome: Outcome | Promise<Outcome> = written instanceof Promise
      ? written.then((bytes) => ({ bytes }), (error: unknown) => ({ error }))
      : { bytes: written }
    if (!(outcome instanceof Promise) && !this.#publishing) return this.#settle(pending, outcome)
    const next = (this.#publishing ?? Promise.resolve())
      .then(() => outcome)
      .then((settled) => this.#settle(pending, settled))
      .then(() => {
        if (this.#publishing === next) this.#publishing = undefined
      })
    this.#publishing = next
  }

  #settle(pending: Pending, outcome: Outcome): void {
    try {
      if ('error' in outcome) throw outcome.error
      if (outcome.bytes) this.#publish(pending, outcome.bytes)
    } catch (error) {
      this.#log.error(`HLS segment not written: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  /** Whether a segment with this extension (`ts`, `aac`, `m4s`) was ever made. */
  made(extension: string): boolean {
    return this.#extensions.has(extension)
  }

  /** How many init segments were ever named (`<prefix>-init-1.mp4` …). */
  get inits(): number {
    return this.#writers
  }

  /** Resolves once every segment closed so far is published. */
  async published(): Promise<void> {
    while (this.#publishing) await this.#publishing
  }

  #publish(pending: Pending, bytes: SegmentBytes): void {
    const sequence = this.#sequence++
    if (pending.restart) this.window.restart(sequence)
    this.#extensions.add(SEGMENT_FORMATS[pending.writer.format].extension)
    this.window.push({
      sequence,
      name: `${this.prefix}-${sequence}.${SEGMENT_FORMATS[pending.writer.format].extension}`,
      format: pending.writer.format,
      data: bytes.data,
      ...(bytes.init && { init: { name: pending.init, data: bytes.init } }),
      duration: bytes.duration ?? pending.duration,
      position: pending.start,
      programDateTime: pending.programDateTime,
      discontinuity: pending.discontinuity,
      track: pending.chunks[0]!.track,
    })
  }
}
