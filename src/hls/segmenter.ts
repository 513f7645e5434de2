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
  /** Segments the playlist lists. */
  windowSegments: number
  /** The parameters of what is on air (only MP3, AAC and Opus are cut into segments). */
  params: () => StreamParams | undefined
  clock?: Clock
  /** Wall-clock time (ms since the epoch) at `clock.now()` when made; names and dates follow from it. */
  epochMs?: number
  log?: Logger
}

/** How far (ms) a chunk may go on air from where its segment's date puts it before it starts a new date. */
const DATE_SLACK_MS = 1000

interface Pending {
  readonly chunks: Chunk[]
  readonly writer: SegmentWriter
  /** The name of its writer's init segment, should it have one. */
  readonly init: string
  readonly programDateTime: number
  readonly discontinuity: boolean
  /** HLS time (seconds) of its first sample. */
  readonly start: number
  duration: number
}

/**
 * Cuts a mount's broadcast into HLS segments: it follows the broadcaster (`take` is a tap) and
 * groups the same paced chunks the listeners get into segments of at most `segmentSeconds`,
 * ending one at every track change so each segment's ID3 tag carries its title. A segment is
 * published once the chunk after it arrives, so HLS is behind the stream by one segment.
 * Timestamps count the audio segmented so far, so they run on without a break across tracks,
 * sources, silences and a switch to another mount's broadcast (a fallback); a discontinuity is
 * marked only where the stream itself was replaced (another format, rate or channel count).
 *
 * @example
 * const hls = new HlsSegmenter({ segmentSeconds: 6, windowSegments: 6, params: () => mount.params })
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
  #publishing: Promise<void> | undefined
  readonly #log: Logger
  #sequence = 0
  #breakNext = false

  constructor(options: HlsSegmenterOptions) {
    this.segmentSeconds = options.segmentSeconds
    this.window = new SegmentWindow(options.windowSegments)
    this.params = options.params
    this.#log = options.log ?? silentLogger
    this.#clock = options.clock ?? systemClock
    this.#epochMs = options.epochMs ?? Date.now()
    this.#clockStart = this.#clock.now()
    this.prefix = Math.round(this.#epochMs).toString(36)
  }

  /** Follows the broadcast: a chunk joins (or starts) a segment; a cleared burst means a new stream. */
  readonly take: BroadcastTap = (event) => {
    if (event.type === 'clear') {
      this.#close()
      this.#breakNext = this.window.last !== undefined
    } else this.#add(event.chunk)
  }

  /** The wall-clock time now (ms since the epoch), on the injected clock. */
  get wallNow(): number {
    return this.#epochMs + (this.#clock.now() - this.#clockStart)
  }

  /**
   * Publishes the segment being filled if its audio should all have gone on air by now, with some
   * slack: the stream stopped (a live-only mount between two DJs), so its last seconds are not held back.
   */
  flushStale(): void {
    const pending = this.#pending
    if (pending && this.wallNow > pending.programDateTime + pending.duration * 1000 + 2 * DATE_SLACK_MS) this.#close()
  }

  #add(chunk: Chunk): void {
    const params = this.params()
    if (!params || !(params.format in SEGMENT_FORMATS)) {
      this.#close()
      this.#writer = undefined
      return
    }
    if (!this.#writer || this.#writerParams && paramsMismatch(this.#writerParams, params)) {
      this.#close()
      this.#breakNext ||= this.#writer !== undefined
      this.#writer = new SegmentWriter({ ...params, format: params.format as SegmentFormat })
      this.#writerParams = params
      this.#writers++
    }
    const now = this.wallNow
    const pending = this.#pending
    if (pending) {
      const expected = pending.programDateTime + pending.duration * 1000
      const cut = chunk.trackStart || chunk.track !== pending.chunks[0]!.track ||
        pending.duration + chunk.duration > this.segmentSeconds + 1e-6 || Math.abs(now - expected) > DATE_SLACK_MS
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
      start: this.#position,
      duration: chunk.duration,
    }
    this.#position += chunk.duration
    this.#breakNext = false
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
    const publish = (bytes: SegmentBytes | undefined) => bytes && this.#publish(pending, bytes)
    if (!(written instanceof Promise) && !this.#publishing) return void publish(written)
    const next = (this.#publishing ?? Promise.resolve())
      .then(() => written)
      .then(
        publish,
        (error) => this.#log.error(`HLS segment not written: ${error instanceof Error ? error.message : error}`),
      )
      .then(() => {
        if (this.#publishing === next) this.#publishing = undefined
      })
    this.#publishing = next
  }

  /** Resolves once every segment closed so far is published. */
  async published(): Promise<void> {
    while (this.#publishing) await this.#publishing
  }

  #publish(pending: Pending, bytes: SegmentBytes): void {
    const sequence = this.#sequence++
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
