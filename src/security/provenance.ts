/**
 * What a request shows of where it was sent from:
 * - `same-origin`: a page of this station (or the address typed into a browser, over HTTPS);
 * - `other-origin`: a page of another site, another port, or a sandboxed page (`Origin: null`);
 * - `unknown-browser`: a browser that says nothing of the page behind it (over plain HTTP, a form
 *   or image on another site with `no-referrer` sends neither `Origin`, `Referer` nor Fetch Metadata);
 * - `not-a-browser`: curl, an encoder, a script: nothing suggests a page at all.
 */
export type Provenance = 'same-origin' | 'other-origin' | 'unknown-browser' | 'not-a-browser'

/** The value of `X-Requested-With` the dashboard sends with its requests. */
export const DASHBOARD_MARK = 'airwave-dashboard'

/** `host[:port]` in lower case, without the scheme's default port. */
const normalHost = (host: string): string => host.toLowerCase().replace(/:(80|443)$/, '')

const hostOf = (url: string): string | undefined => {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? normalHost(parsed.host) : undefined
  } catch {
    return undefined
  }
}

/**
 * Tells where a request came from, from its headers: Fetch Metadata (`Sec-Fetch-Site`) first (its
 * `none`, an address typed, bookmarked or opened from another app, and a prefetch prove nothing),
 * then `Origin`, then `Referer` (each compared by host and port with `ownHosts`: the request's own
 * `Host`, the station's public URL; the scheme is not compared, as a TLS proxy may sit in front).
 * The dashboard's mark (`X-Requested-With: airwave-dashboard`) proves a page of this origin too:
 * another origin cannot send it without a CORS preflight, which the admin API never grants. Without
 * any of these, a browser (a `Mozilla/` user agent with `Accept-Language`, as every browser sends,
 * or a browser-only header) is `unknown-browser`.
 *
 * @example
 * provenance(request.headers, [new URL(request.url).host]) // 'other-origin' for a form on evil.example
 */
export const provenance = (headers: Headers, ownHosts: readonly string[]): Provenance => {
  const own = new Set(ownHosts.map(normalHost))
  const site = headers.get('sec-fetch-site')
  if (site === 'cross-site' || site === 'same-site') return 'other-origin'
  // A prefetch or prerender acts for nobody yet.
  if (headers.has('sec-purpose') || headers.has('purpose')) return 'unknown-browser'
  if (site === 'same-origin') return 'same-origin'
  // `none`: no page behind it, but not necessarily the operator's intent (a link in a mail or chat
  // app, session restore): as little proof as a browser that says nothing.
  if (site === 'none') return 'unknown-browser'
  const origin = headers.get('origin')
  if (origin !== null) return own.has(hostOf(origin) ?? '\0') ? 'same-origin' : 'other-origin'
  const referer = headers.get('referer')
  if (referer !== null && referer !== '') return own.has(hostOf(referer) ?? '\0') ? 'same-origin' : 'other-origin'
  if (headers.get('x-requested-with') === DASHBOARD_MARK) return 'same-origin'
  // Every browser sends Accept-Language with its Mozilla/ user agent; HTTP libraries that borrow
  // the user agent (Indy's `Mozilla/3.0 (compatible; Indy Library)`) do not.
  const browser = (/^Mozilla\//.test(headers.get('user-agent') ?? '') && headers.has('accept-language')) ||
    headers.has('upgrade-insecure-requests') || headers.has('sec-fetch-mode') || headers.has('sec-ch-ua')
  return browser ? 'unknown-browser' : 'not-a-browser'
}
