import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import { backoffDelay } from '../util/backoff.ts'
import type { Refused, Result } from '../util/result.ts'
import { done } from '../util/result.ts'

export interface AuthThrottleOptions {
  /** Refusal window after the first failure (ms); it doubles with each further failure. */
  baseMs?: number
  /** Longest refusal window (ms). */
  maxMs?: number
  /** Failures are forgotten this long (ms) after the last one. */
  forgetMs?: number
  /** Most addresses remembered at once (the oldest are forgotten first). */
  maxEntries?: number
  clock?: Clock
}

interface Entry {
  failures: number
  lastFailure: number
  until: number
}

/** An attempt refused without checking: how long the address must wait. */
export interface Throttled extends Refused {
  readonly retryAfterMs: number
}

/**
 * Per-address back-off for password checks (source logins, admin requests). After a failure, further
 * attempts from that address are refused without checking anything for a window that doubles with
 * each consecutive failure (0.5 s, 1 s, 2 s … up to a minute by default), so guessing is slow even
 * with many parallel connections; a success clears the address.
 *
 * @example
 * const verdict = throttle.check(address)
 * if (!verdict.ok) return tooManyAttempts(verdict.reason, verdict.retryAfterMs)
 * if (!credentialsMatch(given, accepted)) throttle.fail(address); else throttle.succeed(address)
 */
export class AuthThrottle {
  readonly #entries = new Map<string, Entry>()
  readonly #baseMs: number
  readonly #maxMs: number
  readonly #forgetMs: number
  readonly #maxEntries: number
  readonly #clock: Clock

  constructor(options: AuthThrottleOptions = {}) {
    this.#baseMs = options.baseMs ?? 500
    this.#maxMs = options.maxMs ?? 60_000
    this.#forgetMs = options.forgetMs ?? 15 * 60_000
    this.#maxEntries = options.maxEntries ?? 10_000
    this.#clock = options.clock ?? systemClock
  }

  /** Whether an attempt from `address` may be checked now; refused with how long it must wait. */
  check(address: string): Result<undefined, Throttled> {
    const entry = this.#live(address)
    const now = this.#clock.now()
    if (!entry || now >= entry.until) return done()
    const retryAfterMs = entry.until - now
    return {
      ok: false,
      reason: `Too many failed logins from ${address}; retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      retryAfterMs,
    }
  }

  /** Records a failed attempt; returns how many failures in a row the address has now. */
  fail(address: string): number {
    const now = this.#clock.now()
    const entry = this.#live(address) ?? { failures: 0, lastFailure: now, until: now }
    entry.failures++
    entry.lastFailure = now
    entry.until = now + backoffDelay(entry.failures, { initialMs: this.#baseMs, maxMs: this.#maxMs })
    this.#entries.delete(address)
    this.#entries.set(address, entry)
    while (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!)
    return entry.failures
  }

  /** Records a successful attempt: the address starts afresh. */
  succeed(address: string): void {
    this.#entries.delete(address)
  }

  #live(address: string): Entry | undefined {
    const entry = this.#entries.get(address)
    if (entry && this.#clock.now() - entry.lastFailure > this.#forgetMs) {
      this.#entries.delete(address)
      return undefined
    }
    return entry
  }
}
