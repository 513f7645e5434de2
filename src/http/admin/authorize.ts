import type { Context } from 'hono'
import type { Logger } from '../../log.ts'
import type { Mount } from '../../mount/mount.ts'
import type { ConnectionHooks } from '../../runtime/hooks.ts'
import type { Credentials } from '../../security/credentials.ts'
import { credentialsMatch, parseBasicAuth, SOURCE_USER } from '../../security/credentials.ts'
import type { Station } from '../../station/station.ts'
import { clientAddress } from '../../util/address.ts'
import type { Refused, Result } from '../../util/result.ts'
import { done } from '../../util/result.ts'

/** An admin request turned away: its status, and headers to send (a challenge, Retry-After). */
export interface AdminRefusal extends Refused {
  status: number
  headers: Record<string, string>
}

const refuse = (status: number, reason: string, headers: Record<string, string> = {}): AdminRefusal => ({
  ok: false,
  status,
  reason,
  headers,
})

/**
 * Whether a browser sent the request from a page of another origin (Fetch Metadata): another site,
 * or another port or subdomain of the same site. A page the admin visits must not drive the API
 * with the credentials the browser remembers. Encoders and scripts send no `Sec-Fetch-Site`; the
 * dashboard's own requests are `same-origin`, and an address typed or bookmarked is `none`.
 */
const fromAnotherOrigin = (c: Context): boolean => {
  const site = c.req.header('sec-fetch-site')
  return site === 'cross-site' || site === 'same-site'
}

/** A top-level navigation to a page (a link followed), which another page can neither frame nor read. */
const isNavigation = (c: Context): boolean =>
  c.req.header('sec-fetch-mode') === 'navigate' && c.req.header('sec-fetch-dest') === 'document'

/**
 * The address an admin request came from, for the log and the back-off.
 *
 * @example
 * log.info(`admin (${requestAddress(c, hooks)}): skipped a track`)
 */
export const requestAddress = (c: Context, hooks: ConnectionHooks): string =>
  clientAddress(hooks.clientAddress(c)) || 'unknown'

export interface AuthorizeRequest {
  /** The command asked for (for the log), `''` for the dashboard. */
  command: string
  /** The mount it names: `metadata` on it also takes its source credentials, as encoders send them. */
  mount?: Mount
  /** Whether a navigation from another site is let through (the dashboard page: a link to it may be followed). */
  navigation?: boolean
}

/**
 * Checks an admin request's origin and credentials (HTTP Basic as the admin user). A request
 * without credentials is only challenged (a browser always asks first without them): it checks
 * nothing, so it does not count toward the address's back-off; wrong credentials do.
 *
 * @example
 * const allowed = authorize(c, station, { hooks, log }, { command: 'killsource', mount })
 * if (!allowed.ok) return refuse(allowed)
 */
export const authorize = (
  c: Context,
  station: Station,
  context: { hooks: ConnectionHooks; log: Logger },
  request: AuthorizeRequest,
): Result<undefined, AdminRefusal> => {
  if (fromAnotherOrigin(c) && !(request.navigation && isNavigation(c))) {
    return refuse(403, 'Cross-site admin requests are refused')
  }
  const { config } = station
  const accepted: Credentials[] = []
  if (config.adminPassword !== undefined) accepted.push({ user: config.adminUser, password: config.adminPassword })
  const sourcePassword = request.command === 'metadata' ? request.mount?.sourcePassword : undefined
  if (sourcePassword !== undefined) accepted.push({ user: SOURCE_USER, password: sourcePassword })
  if (accepted.length === 0) {
    return refuse(
      403,
      'The admin API is off: start airwave with --admin-password (or AIRWAVE_ADMIN_PASSWORD) to turn it on',
    )
  }
  const from = requestAddress(c, context.hooks)
  const verdict = station.authThrottle.check(from)
  if (!verdict.ok) return refuse(429, verdict.reason, { 'Retry-After': String(Math.ceil(verdict.retryAfterMs / 1000)) })
  const given = parseBasicAuth(c.req.header('authorization'))
  if (!credentialsMatch(given, accepted)) {
    if (given) {
      const failures = station.authThrottle.fail(from)
      context.log.warn(
        `admin request /admin/${request.command} refused from ${from}: wrong user name or password (${failures} failure(s) in a row)`,
      )
    } else {
      context.log.info(`admin request /admin/${request.command} refused from ${from}: no credentials sent`)
    }
    return refuse(401, 'Authentication required', { 'WWW-Authenticate': 'Basic realm="airwave admin"' })
  }
  station.authThrottle.succeed(from)
  return done()
}
