/**
 * A date as Icecast writes them.
 *
 * @example
 * rfc822(new Date('2026-11-25T19:32:31Z')) // 'Wed, 25 Nov 2026 19:32:31 +0000'
 */
export const rfc822 = (date: Date): string => date.toUTCString().replace(/GMT$/, '+0000')

/**
 * An ISO 8601 date as Icecast writes them.
 *
 * @example
 * iso8601(new Date('2026-11-25T19:32:31Z')) // '2026-11-25T19:32:31+0000'
 */
export const iso8601 = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, '+0000')
