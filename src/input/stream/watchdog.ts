import type { Clock } from '../../clock.ts'

/**
 * Detects a source that stopped sending: `onStall` is called once when `kick()` has not been called
 * for `timeoutMs` of the injected clock. Time spent paused on purpose (a source throttled because it
 * is ahead) does not count.
 *
 * @example
 * const watchdog = new Watchdog(clock, 10_000, () => socket.destroy())
 * socket.on('data', () => watchdog.kick())
 */
export class Watchdog {
  readonly #clock: Clock
  readonly #timeoutMs: number
  readonly #onStall: () => void
  readonly #stop = new AbortController()
  #last: number
  #paused = false

  constructor(clock: Clock, timeoutMs: number, onStall: () => void) {
    this.#clock = clock
    this.#timeoutMs = timeoutMs
    this.#onStall = onStall
    this.#last = clock.now()
    void this.#run()
  }

  /** Data arrived. */
  kick(): void {
    this.#last = this.#clock.now()
  }

  /** Reading is paused on purpose: silence does not count until `resume()`. */
  pause(): void {
    this.#paused = true
  }

  resume(): void {
    this.#paused = false
    this.#last = this.#clock.now()
  }

  stop(): void {
    this.#stop.abort()
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal
    while (!signal.aborted) {
      const wait = this.#paused ? this.#timeoutMs : this.#last + this.#timeoutMs - this.#clock.now()
      if (wait > 0) {
        await this.#clock.sleep(wait, signal)
        continue
      }
      this.#stop.abort()
      this.#onStall()
    }
  }
}
