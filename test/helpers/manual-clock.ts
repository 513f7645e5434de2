import type { Clock } from '../../src/clock.ts'

interface Timer {
  at: number
  resolve: () => void
}

/** Lets promise callbacks and async generators run until nothing is left to do. */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/**
 * A clock that only moves when told: `advance(ms)` fires every timer due on the way, in order,
 * letting the code under test run between them; `stall(ms)` jumps ahead without firing anything, as
 * a blocked event loop would.
 */
export class ManualClock implements Clock {
  #now = 0
  #timers: Timer[] = []
  readonly #lateness: () => number

  readonly #epoch: number

  /**
   * `lateness` (ms) is added to every timer, as real timers fire a little late; `epoch` is the wall
   * time (ms since the epoch) at which the clock starts.
   */
  constructor(options: { lateness?: () => number; epoch?: number } = {}) {
    this.#lateness = options.lateness ?? (() => 0)
    this.#epoch = options.epoch ?? 0
  }

  now(): number {
    return this.#now
  }

  wall(): number {
    return this.#epoch + this.#now
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve()
      const timer = { at: this.#now + Math.max(0, ms) + this.#lateness(), resolve }
      this.#timers.push(timer)
      signal?.addEventListener('abort', () => {
        this.#timers = this.#timers.filter((t) => t !== timer)
        resolve()
      }, { once: true })
    })
  }

  /** Timers waiting. */
  get pending(): number {
    return this.#timers.length
  }

  /** When the earliest waiting timer is due, if any. */
  get nextDue(): number | undefined {
    return this.#timers.reduce<number | undefined>(
      (min, t) => (min === undefined || t.at < min ? t.at : min),
      undefined,
    )
  }

  /** Moves time forward by `ms`, firing due timers one at a time. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms
    await settle()
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at)
      const next = this.#timers[0]
      if (!next || next.at > end) break
      this.#timers.shift()
      this.#now = Math.max(this.#now, next.at)
      next.resolve()
      await settle()
    }
    this.#now = end
    await settle()
  }

  /** Jumps forward by `ms` without firing timers (a stalled event loop); they fire on the next advance. */
  stall(ms: number): void {
    this.#now += ms
  }
}

/** Polls (in real time) until `condition` holds; fails after `timeoutMs`. */
export const waitFor = async (condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> => {
  const end = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/**
 * Advances `clock` by `ms` in small steps, giving real time to file reads between them: for code
 * under a ManualClock that also does real I/O (a playlist opening its next file).
 */
export const advanceWithIo = async (clock: ManualClock, ms: number, stepMs = 20): Promise<void> => {
  for (let done = 0; done < ms; done += stepMs) {
    await clock.advance(Math.min(stepMs, ms - done))
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}
