import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import { hash53 } from '../util/hash.ts'

/** Sessions remembered at most, so a flood of made-up session ids cannot grow memory without end. */
const MAX_SESSIONS = 200_000

/**
 * Counts HLS listeners, who hold no connection: a session is a key (the playlist URL's `session`
 * parameter, else the client's address and user agent) seen within the last `windowMs`. Players
 * reload a live playlist about once a segment, so two segment lengths keep every active one
 * counted and let one that stopped go soon after.
 *
 * @example
 * const sessions = new HlsSessions(12_000)
 * sessions.seen('s:3f9a…')
 * sessions.count // 1
 */
export class HlsSessions {
  readonly #windowMs: number
  readonly #clock: Clock
  /** Key (hashed: the same size however long what the client sent) → when last seen; in the order last seen, so the oldest are first. */
  readonly #seen = new Map<number, number>()
  #peak = 0

  constructor(windowMs: number, clock: Clock = systemClock) {
    this.#windowMs = windowMs
    this.#clock = clock
  }

  /** Records a request of session `key`. */
  seen(key: string): void {
    const hashed = hash53(key)
    this.#seen.delete(hashed)
    this.#seen.set(hashed, this.#clock.now())
    if (this.#seen.size > MAX_SESSIONS) this.#seen.delete(this.#seen.keys().next().value!)
    this.#peak = Math.max(this.#peak, this.count)
  }

  /** Sessions seen within the window. */
  get count(): number {
    const since = this.#clock.now() - this.#windowMs
    for (const [key, at] of this.#seen) {
      if (at >= since) break
      this.#seen.delete(key)
    }
    return this.#seen.size
  }

  /** Most sessions at once. */
  get peak(): number {
    return Math.max(this.#peak, this.count)
  }
}
