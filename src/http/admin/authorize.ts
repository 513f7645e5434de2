import type { Context } from 'hono'
import type { Logger } from '../../log.ts'
import type { Mount } from '../../mount/mount.ts'
import type { ConnectionHooks } from '../../runtime/hooks.ts'
import type { Credentials } from '../../security/credentials.ts'
import { credentialsMatch, parseBasicAuth, SOURCE_USER } from '../../security/credentials.ts'
import type { Station } from '../../station/station.ts'
import { provenance } from '../../security/provenance.ts'
import { sourceDoor } from '../../security/throttle.ts'
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

/** Commands that change nothing (and whose answers another origin's page cannot read). */
const READ_ONLY = new Set(['', 'listmounts', 'listclients', 'dashboard.json', 'bans'])

/**
 * Why a request must not act with the admin login the browser remembers, if it must not: a page of
 * another origin may not use the API at all (only follow a link to the dashboard), and a browser
 * that does not say which page sent it may only read. Scripts, encoders and tools send no browser
 * headers and are let through; the dashboard proves its origin with `X-Requested-With`.
 */
const forgeryRisk = (c: Context, station: Station, request: AuthorizeRequest): string | undefined => {
  const own = [new URL(c.req.url).host]
  if (station.config.publicUrl) own.push(new URL(station.config.publicUrl).host)
  const from = provenance(c.req.raw.headers, own)
  // A link followed to the dashboard is fine from anywhere; loading it into another page is not.
  const dest = c.req.header('sec-fetch-dest')
  if (request.navigation && (dest === undefined || dest === 'document')) return undefined
  if (from === 'other-origin') {
    return 'Cross-origin admin requests are refused: a page of another site (or port) may not use the admin login'
  }
  // `metadata` is what encoders send (some with a browser-like user agent); a title is all it changes.
  if (from !== 'unknown-browser' || READ_ONLY.has(request.command) || request.command === 'metadata') return undefined
  return `A browser request to /admin/${request.command} that says nothing of the page that sent it (no Origin, Referer or Fetch Metadata) could come from another site, so it is refused: use the dashboard, or a tool such as curl`
}

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
  /** The dashboard page: a link to it may be followed from anywhere (it changes nothing, and cannot be framed). */
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
  const log = context.log.child('admin')
  const risk = forgeryRisk(c, station, request)
  if (risk) {
    log.warn(
      `admin request /admin/${request.command} refused from ${requestAddress(c, context.hooks)}: ${risk}`,
    )
    return refuse(403, risk)
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
  const given = parseBasicAuth(c.req.header('authorization'))
  // An encoder's title update with its source password is a source login: its door is the password's.
  const door = given?.user === SOURCE_USER && sourcePassword !== undefined ? sourceDoor(sourcePassword) : 'admin'
  const verdict = station.authThrottle.check(from, door)
  if (!verdict.ok) return refuse(429, verdict.reason, { 'Retry-After': String(Math.ceil(verdict.retryAfterMs / 1000)) })
  if (!credentialsMatch(given, accepted)) {
    if (given) {
      const failures = station.authThrottle.fail(from, door, given.user, given.password)
      log.warn(
        `admin request /admin/${request.command} refused from ${from}: wrong user name or password (${failures} different wrong password(s) in a row)`,
      )
    } else {
      log.debug(`admin request /admin/${request.command} refused from ${from}: no credentials sent (challenged)`)
    }
    return refuse(401, 'Authentication required', { 'WWW-Authenticate': 'Basic realm="airwave admin"' })
  }
  station.authThrottle.succeed(from, door)
  return done()
}
