/** Something done, with what it gave. */
export interface Done<T> {
  readonly ok: true
  readonly value: T
}

/** Something refused, with the reason, written for the operator or client who must act on it. */
export interface Refused {
  readonly ok: false
  readonly reason: string
}

/**
 * The one convention for "done, or refused and why" across airwave: a probe, an admission, a
 * move, a login. `R` lets a refusal carry more (a retry delay, say).
 *
 * @example
 * const result = mount.checkSource('live', 'mp3')
 * if (!result.ok) return reply(403, result.reason)
 */
export type Result<T = undefined, R extends Refused = Refused> = Done<T> | R

/**
 * A result that is done.
 *
 * @example
 * return done(files.length)
 */
export function done(): Done<undefined>
export function done<T>(value: T): Done<T>
export function done<T>(value?: T): Done<T | undefined> {
  return { ok: true, value }
}

/**
 * A result that is refused, with the reason.
 *
 * @example
 * return refused(`${path} is off air`)
 */
export const refused = (reason: string): Refused => ({ ok: false, reason })
