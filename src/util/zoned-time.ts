/** A moment as a wall clock in some time zone reads it. */
export interface ZonedTime {
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number
  readonly year: number
  readonly month: number
  readonly day: number
  /** Minutes since local midnight (0–1439). */
  readonly minutes: number
  /** Milliseconds since the local hour began. */
  readonly intoHour: number
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const formatters = new Map<string, Intl.DateTimeFormat>()

const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/**
 * What a wall clock in `timeZone` (an IANA name) reads at `instant` (ms since the epoch): the
 * weekday, date, minutes since midnight and how far into the hour. Daylight-saving changes are the
 * zone's own: on the night clocks go back, an hour of the day is read twice.
 *
 * @example
 * zonedTime(Date.UTC(2026, 9, 25, 0, 30), 'Europe/Berlin').minutes // 150 (02:30 CEST)
 */
export const zonedTime = (instant: number, timeZone: string): ZonedTime => {
  const parts: Record<string, string> = {}
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value
  const hour = Number(parts.hour) % 24
  const minute = Number(parts.minute)
  const second = Number(parts.second)
  const ms = ((instant % 1000) + 1000) % 1000
  return {
    weekday: WEEKDAYS.indexOf(parts.weekday!),
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    minutes: hour * 60 + minute,
    intoHour: (minute * 60 + second) * 1000 + ms,
  }
}

/**
 * The instant the local hour holding `instant` began (the last top of the hour on the zone's clock).
 *
 * @example
 * topOfHour(Date.UTC(2026, 0, 1, 10, 20), 'Asia/Kolkata') // Date.UTC(2026, 0, 1, 9, 30): 15:00 IST
 */
export const topOfHour = (instant: number, timeZone: string): number => instant - zonedTime(instant, timeZone).intoHour

/**
 * Whether `name` is a time zone this runtime knows (an IANA name such as `Europe/Berlin`, or `UTC`).
 *
 * @example
 * isTimeZone('Europe/Berlin') // true
 */
export const isTimeZone = (name: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}

/**
 * The time zone of the machine (what `TZ` or the system sets), `UTC` when it cannot be told.
 *
 * @example
 * systemTimeZone() // 'Europe/Berlin'
 */
export const systemTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC'
