/** How a delay grows between attempts: from `initialMs`, doubling up to `maxMs`, each ±`jitter`. */
export interface BackoffOptions {
  initialMs: number
  maxMs: number
  /** Spread of each delay, as a fraction (0.2: ±20 %), so that many clients do not return at once. */
  jitter?: number
  random?: () => number
}

/**
 * Delays that double after each failed attempt, up to a ceiling, with jitter; `reset()` after a
 * success starts again from the shortest.
 *
 * @example
 * const backoff = new Backoff({ initialMs: 1000, maxMs: 30_000, jitter: 0.2 })
 * await clock.sleep(backoff.next()) // ~1 s, then ~2 s, ~4 s … ~30 s
 * backoff.reset()
 */
export class Backoff {
  readonly #options: Required<BackoffOptions>
  #attempts = 0

  constructor(options: BackoffOptions) {
    this.#options = { ...options, jitter: options.jitter ?? 0, random: options.random ?? Math.random }
  }

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.#attempts
  }

  /** The delay (ms) before the next attempt; each call counts one more failure. */
  next(): number {
    const { jitter, random } = this.#options
    const delay = backoffDelay(++this.#attempts, this.#options)
    return jitter > 0 ? Math.round(delay * (1 - jitter + 2 * jitter * random())) : delay
  }

  /** A success: the next delay is the shortest again. */
  reset(): void {
    this.#attempts = 0
  }
}

/**
 * The delay (ms, without jitter) after the `attempt`th failure in a row (1 for the first).
 *
 * @example
 * backoffDelay(3, { initialMs: 500, maxMs: 60_000 }) // 2000
 */
export const backoffDelay = (attempt: number, options: Pick<BackoffOptions, 'initialMs' | 'maxMs'>): number =>
  Math.min(options.initialMs * 2 ** Math.max(0, attempt - 1), options.maxMs)
