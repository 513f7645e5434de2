import type { Logger } from '../log.ts'
import { silentLogger } from '../log.ts'
import type { Chunk } from './chunk.ts'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'

export interface PacerOptions {
  clock?: Clock
  /** How late (seconds) the pacer may fall and still catch up; beyond it, the lost time is skipped. */
  maxCatchUp?: number
  log?: Logger
}

/**
 * Releases chunks at their presentation time. Each chunk's send time is an absolute target,
 * `anchor + chunk.position`, on a monotonic clock, so timer jitter never accumulates into drift;
 * after a stall every chunk already due goes out at once (never one that is not yet due); a stall
 * longer than `maxCatchUp` (a suspended laptop, a source that paused) re-anchors instead of
 * flooding listeners with the backlog.
 *
 * @example
 * const pacer = new Pacer(() => chunker.next(), (chunk) => broadcaster.publish(chunk))
 * await pacer.run() // until stop() or the chunks end
 */
export class Pacer {
  readonly #pull: () => Promise<Chunk | undefined>
  readonly #emit: (chunk: Chunk) => void
  readonly #clock: Clock
  readonly #maxCatchUpMs: number
  readonly #log: Logger
  readonly #stop = new AbortController()
  #anchor: number | undefined
  /** Total milliseconds skipped by re-anchoring. */
  skippedMs = 0

  constructor(pull: () => Promise<Chunk | undefined>, emit: (chunk: Chunk) => void, options: PacerOptions = {}) {
    this.#pull = pull
    this.#emit = emit
    this.#clock = options.clock ?? systemClock
    this.#maxCatchUpMs = (options.maxCatchUp ?? 5) * 1000
    this.#log = options.log ?? silentLogger
  }

  /** Clock time at which stream position `position` (seconds) is due. */
  dueAt(position: number): number | undefined {
    return this.#anchor === undefined ? undefined : this.#anchor + position * 1000
  }

  /**
   * Starts a new timeline at the next chunk: it goes out at once and the following ones in real time
   * from it. For a mount coming back on air after a silence (a live-only mount between two DJs), where
   * catching up or warning about the gap would be wrong.
   */
  resync(): void {
    this.#anchor = undefined
  }

  /** Runs until `stop()` or until the chunks end. */
  async run(): Promise<void> {
    const signal = this.#stop.signal
    let chunk = await this.#pull()
    while (chunk && !signal.aborted) {
      this.#anchor ??= this.#clock.now() - chunk.position * 1000
      const target = this.#anchor + chunk.position * 1000
      let now = this.#clock.now()
      if (now < target) {
        await this.#clock.sleep(target - now, signal)
        if (signal.aborted) break
        now = this.#clock.now()
      }
      const late = now - target
      if (late > this.#maxCatchUpMs) {
        this.#anchor += late
        this.skippedMs += late
        this.#log.warn(
          `fell ${(late / 1000).toFixed(1)} s behind (event loop stalled or source paused); skipping ahead`,
        )
      }
      this.#emit(chunk)
      chunk = await this.#pull()
    }
  }

  stop(): void {
    this.#stop.abort()
  }
}
