/** `Wed, 25 Nov 2026 19:32:31 +0000`, as Icecast writes dates. */
export const rfc822 = (date: Date): string => date.toUTCString().replace(/GMT$/, '+0000')

/** `2026-11-25T19:32:31+0000`, as Icecast writes ISO 8601 dates. */
export const iso8601 = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, '+0000')
