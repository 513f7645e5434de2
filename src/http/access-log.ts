import type { Listener } from '../broadcast/listener.ts'
import { escapeQuoted } from '../log.ts'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number) => String(n).padStart(2, '0')

/**
 * A date as the combined log format writes it.
 *
 * @example
 * clfDate(new Date('2026-11-25T18:45:00Z')) // '25/Nov/2026:18:45:00 +0000'
 */
export const clfDate = (date: Date): string =>
  `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${
    pad(date.getUTCMinutes())
  }:${pad(date.getUTCSeconds())} +0000`

/** A quoted field, escaped as Apache and nginx do: `\"`, `\\`, `\n`, `\xHH`. */
const quoted = (text: string) => `"${escapeQuoted(text || '-')}"`

/**
 * One access-log line for a listener that left, in Icecast's format: the combined log format plus
 * the seconds connected, stamped with the time it left.
 *
 * @example
 * formatAccessLine(listener, 200, new Date(), 12)
 * // '203.0.113.7 - - [25/Nov/2026:18:45:00 +0000] "GET /stream HTTP/1.1" 200 192000 "-" "VLC/3.0.20" 12'
 */
export const formatAccessLine = (listener: Listener, status: number, at: Date, seconds: number): string => {
  const { info } = listener
  return `${info.address || '-'} - - [${clfDate(at)}] ${quoted(info.request)} ${status} ${listener.bytesSent} ${
    quoted(info.referer)
  } ${quoted(info.userAgent)} ${Math.round(seconds)}`
}
