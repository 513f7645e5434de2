import type { Track } from '../input/track.ts'
import type { Chunk } from '../pipeline/chunk.ts'

/** A track that went on air: when (clock ms and wall time) and where in the stream it began. */
export interface OnAir {
  readonly track: Track
  /** Clock time (ms) its first chunk went out at the live edge. */
  readonly since: number
  readonly startedAt: Date
  /** Stream position (seconds) at which the track begins. */
  readonly position: number
}

/** How many finished tracks a mount remembers. */
const HISTORY_LENGTH = 10

/**
 * What a mount has on air, and what it played before (the last `HISTORY_LENGTH` tracks, most recent
 * first).
 *
 * @example
 * const onAir = nowPlaying.record(chunk, clock.now()) // the new track, when the chunk starts one
 */
export class NowPlaying {
  #onAir: OnAir | undefined
  #history: OnAir[] = []

  /** The track on air now. */
  get onAir(): OnAir | undefined {
    return this.#onAir
  }

  /** Tracks that went on air before the current one, most recent first. */
  get history(): readonly OnAir[] {
    return this.#history
  }

  /**
   * A chunk went out at the live edge at clock time `since`: when it begins a track, that track is
   * on air (and returned). A hidden track (a jingle whose title is not shown) is not told: the track
   * before stays on air.
   */
  record(chunk: Chunk, since: number): OnAir | undefined {
    if (!chunk.trackStart || chunk.track.hidden) return undefined
    if (this.#onAir) this.#history = [this.#onAir, ...this.#history].slice(0, HISTORY_LENGTH)
    this.#onAir = { track: chunk.track, since, startedAt: new Date(), position: chunk.position }
    return this.#onAir
  }
}
