import { zonedTime } from '../util/zoned-time.ts'

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

/**
 * When a file opened at `instant` ends, rotating every `minutes` on the wall clock of `timeZone`:
 * at the next multiple of `minutes` since local midnight (60: the next top of the hour; 15: :00,
 * :15, :30, :45), and at midnight at the latest when `minutes` does not divide a day. Undefined when
 * `minutes` is 0 (no rotation by time).
 *
 * @example
 * nextRotation(Date.UTC(2026, 0, 1, 9, 41, 30), 60, 'UTC') // Date.UTC(2026, 0, 1, 10, 0)
 */
export const nextRotation = (instant: number, minutes: number, timeZone: string): number | undefined => {
  if (minutes <= 0) return undefined
  const local = zonedTime(instant, timeZone)
  const intoDay = local.minutes * MINUTE + (local.intoHour % MINUTE)
  const period = minutes * MINUTE
  return instant - intoDay + Math.min(DAY, (Math.floor(intoDay / period) + 1) * period)
}
