/**
 * The security headers of airwave's HTML pages. The Content-Security-Policy allows nothing but the
 * server's own scripts, styles, images, streams and API: no inline script or style, no eval, no
 * other origin, and (through Trusted Types) no assignment of strings to `innerHTML` and the like,
 * so a title that carries markup can only ever be shown as text.
 */

/** The policy's directives. `frame-ancestors` is set per page (see `pageSecurityHeaders`). */
const DIRECTIVES: Readonly<Record<string, string>> = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self'",
  'media-src': "'self'",
  'connect-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'self'",
  'require-trusted-types-for': "'script'",
  'trusted-types': "'none'",
}

export interface PageSecurity {
  /** Other sites may show the page in an `<iframe>` (the embeddable player). */
  frameable?: boolean
}

/** The Content-Security-Policy header value of a page. */
export const contentSecurityPolicy = (options: PageSecurity = {}): string =>
  Object.entries({ ...DIRECTIVES, 'frame-ancestors': options.frameable ? '*' : "'none'" })
    .map(([name, value]) => `${name} ${value}`)
    .join('; ')

/**
 * Headers for an HTML page: the CSP, no MIME sniffing, no framing (unless `frameable`), no referrer
 * to other sites, and no caching (the page shows what is on air now).
 *
 * @example
 * new Response(page, { headers: pageSecurityHeaders({ frameable: true }) })
 */
export const pageSecurityHeaders = (options: PageSecurity = {}): Record<string, string> => ({
  'Content-Security-Policy': contentSecurityPolicy(options),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  ...(options.frameable ? {} : { 'X-Frame-Options': 'DENY' }),
})
