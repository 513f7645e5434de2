import type { Listener, ListenerInfo } from '../broadcast/listener.ts'
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
 * One access-log line for a listener that left, in Icecast's format: the combined log format (the
 * user it logged in as, if any) plus the seconds connected, stamped with the time it left.
 *
 * @example
 * formatAccessLine(listener, 200, new Date(), 12)
 * // '203.0.113.7 - - [25/Nov/2026:18:45:00 +0000] "GET /stream HTTP/1.1" 200 192000 "-" "VLC/3.0.20" 12'
 */
export const formatAccessLine = (listener: Listener, status: number, at: Date, seconds: number): string =>
  accessLine(listener.info, status, listener.bytesSent, at, seconds)

/**
 * One access-log line for a request, as `formatAccessLine` writes it: also for a listener turned
 * away (`401`, `403`, `503`, no bytes), which log watchers such as fail2ban look for.
 *
 * @example
 * accessLine(info, 401, 0, new Date(), 0)
 * // '203.0.113.7 - - [25/Nov/2026:18:45:00 +0000] "GET /private HTTP/1.1" 401 0 "-" "VLC/3.0.20" 0'
 */
export const accessLine = (info: ListenerInfo, status: number, bytes: number, at: Date, seconds: number): string =>
  `${info.address || '-'} - ${info.user ? escapeQuoted(info.user).replace(/ /g, '%20') : '-'} [${clfDate(at)}] ${
    quoted(info.request)
  } ${status} ${bytes} ${quoted(info.referer)} ${quoted(info.userAgent)} ${Math.round(seconds)}`
