import { createHash, timingSafeEqual } from 'node:crypto'

/** The user name live source clients log in with (Icecast's). */
export const SOURCE_USER = 'source'

/** A user name and password, as configured or as a client sent them. */
export interface Credentials {
  readonly user: string
  readonly password: string
}

/**
 * Reads HTTP Basic credentials from an `Authorization` header value; undefined when the header is
 * missing, not Basic, or malformed. The password may contain `:` (only the first one separates).
 *
 * @example
 * parseBasicAuth('Basic c291cmNlOmhhY2ttZQ==') // { user: 'source', password: 'hackme' }
 */
export const parseBasicAuth = (header: string | null | undefined): Credentials | undefined => {
  const match = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '')
  if (!match) return undefined
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

/**
 * Compares two secrets in constant time: both are hashed first, so neither their contents nor their
 * lengths change how long the comparison takes.
 *
 * @example
 * safeEqual(given.password, configured.password)
 */
export const safeEqual = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b))

/**
 * Whether `given` matches any of `accepted`. Every candidate is compared in full (user and password,
 * no early exit), so the time taken does not tell which part was wrong.
 *
 * @example
 * credentialsMatch(parseBasicAuth(header), [{ user: 'source', password: 's3cret' }])
 */
export const credentialsMatch = (given: Credentials | undefined, accepted: readonly Credentials[]): boolean => {
  if (!given) return false
  let ok = false
  for (const expected of accepted) {
    const user = safeEqual(given.user, expected.user)
    const password = safeEqual(given.password, expected.password)
    ok = (user && password) || ok
  }
  return ok
}
