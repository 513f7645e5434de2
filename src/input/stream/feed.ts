import type { Frame } from '../../format/frame.ts'
import { frameDuration } from '../../format/frame.ts'
import { Observers } from '../../util/observers.ts'
import type { SourceFrame, SourceKind, Track, TrackTags } from '../track.ts'
import { nextTrackId } from '../track.ts'

export interface FrameFeedOptions {
  kind: SourceKind
  /** The first track's title. */
  title: string
  /** Seconds of audio the feed must hold before the switch takes it (a jitter buffer). */
  preroll?: number
  /** When more than this many seconds are queued the producer is asked to pause. */
  maxAhead?: number
}

/** Seconds of audio a live or relayed feed holds before it goes on air. */
const DEFAULT_PREROLL = 0.5
/** Seconds of audio queued beyond which the producer (a socket) is paused. */
const DEFAULT_MAX_AHEAD = 4

/**
 * A queue of frames arriving from outside (a live source client, a relay), bounded in seconds of
 * audio: the producer pushes frames as they are parsed and pauses while `wantsMore` is false (it is
 * told to resume through `onResume`); the mount's switch takes frames out at the pace of the mount's
 * one timeline. A title change makes a new Track that applies from the next frame pushed, so it
 * lands on a chunk boundary and with the audio it belongs to.
 *
 * @example
 * const feed = new FrameFeed({ kind: 'live', title: 'DJ Night' })
 * for (const frame of parser.push(bytes)) feed.push(frame)
 * if (!feed.wantsMore) socket.pause()
 * feed.onResume = () => socket.resume()
 */
export class FrameFeed {
  readonly kind: SourceKind
  readonly preroll: number
  readonly maxAhead: number
  /** Called once the queue has drained to half of `maxAhead` after the producer was asked to pause. */
  onResume: (() => void) | undefined
  #track: Track
  #queue: SourceFrame[] = []
  #head = 0
  #queued = 0
  #ended = false
  #endReason: string | undefined
  #paused = false
  #standby = false
  readonly #observers = new Observers()
  /** Seconds of audio pushed in total. */
  received = 0

  constructor(options: FrameFeedOptions) {
    this.kind = options.kind
    this.preroll = options.preroll ?? DEFAULT_PREROLL
    this.maxAhead = options.maxAhead ?? DEFAULT_MAX_AHEAD
    this.#track = { id: nextTrackId(), origin: options.kind, title: options.title }
  }

  /** The track new frames belong to. */
  get track(): Track {
    return this.#track
  }

  /** Seconds of audio waiting. */
  get queuedSeconds(): number {
    return this.#queued
  }

  /** Whether the producer may push more (false: pause reading). */
  get wantsMore(): boolean {
    return !this.#ended && this.#queued < this.maxAhead
  }

  /** Whether it holds enough audio to go on air (a feed that ended with less never goes on air). */
  get ready(): boolean {
    return this.#queued >= this.preroll - 1e-9
  }

  /** The producer has ended (closed, stalled, killed, refused). */
  get ended(): boolean {
    return this.#ended
  }

  /** Ended and nothing left to play. */
  get finished(): boolean {
    return this.#ended && this.#head >= this.#queue.length
  }

  get endReason(): string | undefined {
    return this.#endReason
  }

  /**
   * Whether a higher-priority input is on air instead (a relay while a DJ is live). A feed on
   * standby keeps reading and holds only the most recent `preroll` seconds, so it never stalls its
   * producer and is ready to take over at once, close to live.
   */
  get standby(): boolean {
    return this.#standby
  }

  set standby(value: boolean) {
    this.#standby = value
    if (value) this.#trim()
  }

  /** Queues a frame (of the current track). */
  push(frame: Frame): void {
    if (this.#ended) return
    this.#queue.push({ frame, track: this.#track })
    const seconds = frameDuration(frame)
    this.#queued += seconds
    this.received += seconds
    if (this.#standby) this.#trim()
    else if (this.#queued >= this.maxAhead) this.#paused = true
    this.#notify()
  }

  /** Starts a new track with `title` (and the tags it was made of, if any) from the next frame pushed; returns it. */
  setTitle(title: string, tags: Pick<TrackTags, 'artist' | 'song'> = {}): Track {
    this.#track = { id: nextTrackId(), origin: this.kind, title, ...tags }
    return this.#track
  }

  /** Takes the next frame, if one is queued. */
  shift(): SourceFrame | undefined {
    if (this.#head >= this.#queue.length) return undefined
    const item = this.#queue[this.#head++]!
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
    this.#queued = Math.max(0, this.#queued - frameDuration(item.frame))
    if (this.#head >= this.#queue.length) this.#queued = 0
    if (this.#paused && this.#queued <= this.maxAhead / 2) {
      this.#paused = false
      this.onResume?.()
    }
    return item
  }

  /** The producer is done: what is queued still plays. */
  end(reason: string): void {
    if (this.#ended) return
    this.#ended = true
    this.#endReason = reason
    this.#notify()
  }

  /** The producer is done and what is queued is dropped (a killed source). */
  abort(reason: string): void {
    this.#queue = []
    this.#head = 0
    this.#queued = 0
    this.end(reason)
    this.#notify()
  }

  #trim(): void {
    while (
      this.#head < this.#queue.length - 1 &&
      this.#queued - frameDuration(this.#queue[this.#head]!.frame) >= this.preroll - 1e-9
    ) this.shift()
    if (this.#paused) {
      this.#paused = false
      this.onResume?.()
    }
  }

  /** Calls `observer` whenever a frame arrives or the feed ends; returns the unsubscribe function. */
  observe(observer: () => void): () => void {
    return this.#observers.add(observer)
  }

  #notify(): void {
    this.#observers.notify()
  }
}
