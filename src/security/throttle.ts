import { createHash, randomBytes } from 'node:crypto'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import { addressBlock } from '../util/address.ts'
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
  /** Digests of the wrong passwords tried lately: trying one again is no new guess. */
  tried: string[]
}

/** How many wrong passwords an entry remembers. */
const REMEMBERED_GUESSES = 8

/** An IPv6 client is counted by its /64, which a single attacker can rotate through. */
const keyOf = (address: string, door: string): string => `${door}\0${addressBlock(address)}`

/**
 * The door of a source login: one per source password, so that mounts sharing the station's
 * password are one door (a guess at one is a guess at all), and a mount with its own is another.
 *
 * @example
 * throttle.check(address, sourceDoor(mount.sourcePassword))
 */
export const sourceDoor = (password: string): string =>
  `source ${createHash('sha256').update(password, 'utf8').digest('base64').slice(0, 12)}`

/** An attempt refused without checking: how long the address must wait. */
export interface Throttled extends Refused {
  readonly retryAfterMs: number
}

/**
 * Back-off for password checks, per address and per door (`admin`, or a source password's logins,
 * `sourceDoor`): wrong admin passwords never keep a DJ out. After a
 * failure, further attempts from that address at that door are refused without checking anything
 * for a window that doubles with each new wrong password (0.5 s, 1 s, 2 s … up to a minute by
 * default), so guessing stays slow even with many parallel connections. A wrong password tried
 * again (an encoder left running with an old password) is refused and keeps the current window
 * shut, but does not double it: it guesses nothing, so it cannot lengthen the window for the
 * people with the right one. A success clears the
 * address at that door.
 *
 * @example
 * const verdict = throttle.check(address, 'admin')
 * if (!verdict.ok) return tooManyAttempts(verdict.reason, verdict.retryAfterMs)
 * if (!credentialsMatch(given, accepted)) throttle.fail(address, 'admin', given.user, given.password)
 * else throttle.succeed(address, 'admin')
 */
export class AuthThrottle {
  readonly #entries = new Map<string, Entry>()
  readonly #baseMs: number
  readonly #maxMs: number
  readonly #forgetMs: number
  readonly #maxEntries: number
  readonly #clock: Clock
  readonly #salt = randomBytes(16)

  constructor(options: AuthThrottleOptions = {}) {
    this.#baseMs = options.baseMs ?? 500
    this.#maxMs = options.maxMs ?? 60_000
    this.#forgetMs = options.forgetMs ?? 15 * 60_000
    this.#maxEntries = options.maxEntries ?? 10_000
    this.#clock = options.clock ?? systemClock
  }

  /** Whether an attempt from `address` at `door` may be checked now; refused with how long it must wait. */
  check(address: string, door: string): Result<undefined, Throttled> {
    const entry = this.#live(keyOf(address, door))
    const now = this.#clock.now()
    if (!entry || now >= entry.until) return done()
    const retryAfterMs = entry.until - now
    return {
      ok: false,
      reason: `Too many failed logins from ${address}; retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      retryAfterMs,
    }
  }

  /**
   * Records wrong credentials (`user` and `password`) from `address` at `door`; returns how many
   * different wrong ones the address has tried there in a row. A repeat of a recent one is not
   * counted again: it closes the door for the current window, without doubling it.
   */
  fail(address: string, door: string, user: string, password: string): number {
    const key = keyOf(address, door)
    const now = this.#clock.now()
    const entry = this.#live(key) ?? { failures: 0, lastFailure: now, until: now, tried: [] }
    const guess = createHash('sha256').update(this.#salt).update(`${user}\0${password}`, 'utf8').digest('base64')
    const repeat = entry.tried.includes(guess)
    if (!repeat) {
      entry.tried = [...entry.tried.slice(1 - REMEMBERED_GUESSES), guess]
      entry.failures++
    }
    entry.lastFailure = now
    const window = backoffDelay(entry.failures, { initialMs: this.#baseMs, maxMs: this.#maxMs })
    entry.until = Math.max(entry.until, now + window)
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    while (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!)
    return entry.failures
  }

  /** Records a successful attempt: the address starts afresh at that door. */
  succeed(address: string, door: string): void {
    this.#entries.delete(keyOf(address, door))
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key)
    if (entry && this.#clock.now() - entry.lastFailure > this.#forgetMs) {
      this.#entries.delete(key)
      return undefined
    }
    return entry
  }
}
