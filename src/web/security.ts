import type { MiddlewareHandler } from 'hono'
import { secureHeaders } from 'hono/secure-headers'

/**
 * The Content-Security-Policy of airwave's pages: nothing but the server's own scripts, styles,
 * images, streams and API; no inline script or style, no eval, no other origin, and (through
 * Trusted Types) no assignment of strings to `innerHTML` and the like, so a title that carries
 * markup can only ever be shown as text. `frame-ancestors` is set per page.
 */
const POLICY = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  mediaSrc: ["'self'"],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  requireTrustedTypesFor: ["'script'"],
  trustedTypes: ["'none'"],
}

export interface PageSecurity {
  /** Other sites may show the page in an `<iframe>` (the embeddable player). */
  frameable?: boolean
}

/**
 * The security headers of an HTML page (hono/secure-headers): the CSP, no MIME sniffing, no framing
 * (unless `frameable`), no referrer to other sites. No HSTS: whether a station is served over HTTPS
 * is its operator's choice, made at the proxy.
 *
 * @example
 * app.get('/embed/:mount', pageSecurity({ frameable: true }), (c) => …)
 */
export const pageSecurity = (options: PageSecurity = {}): MiddlewareHandler =>
  secureHeaders({
    contentSecurityPolicy: { ...POLICY, frameAncestors: [options.frameable ? '*' : "'none'"] },
    xFrameOptions: options.frameable ? false : 'DENY',
    referrerPolicy: 'strict-origin-when-cross-origin',
    strictTransportSecurity: false,
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: !options.frameable,
  })
