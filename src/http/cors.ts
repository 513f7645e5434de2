import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'

/** What web players may send: icecast-metadata-js asks for in-band titles, Safari probes with a range. */
const ALLOW_HEADERS = ['Content-Type', 'Icy-Metadata', 'Range']
const ALLOW_METHODS = ['GET', 'HEAD', 'OPTIONS']
/** What web players may read: the stream's icy-* description (icecast-metadata-js's list). */
const EXPOSE_HEADERS = [
  'Icy-MetaInt',
  'Icy-Br',
  'Icy-Description',
  'Icy-Genre',
  'Icy-Name',
  'Ice-Audio-Info',
  'Icy-Url',
  'Icy-Sr',
  'Icy-Pub',
]

/** The CORS headers of every public answer but a preflight, once each, as Icecast sends them. */
const HEADERS: readonly [string, string][] = [
  ['Access-Control-Allow-Origin', '*'],
  ['Access-Control-Allow-Methods', ALLOW_METHODS.join(', ')],
  ['Access-Control-Allow-Headers', ALLOW_HEADERS.join(', ')],
  ['Access-Control-Expose-Headers', EXPOSE_HEADERS.join(', ')],
]

/**
 * CORS for everything public (streams, playlists files, the API and its events, status), so a
 * player on any site can play and read them. Preflights (`OPTIONS`) are hono/cors's, cached for a
 * day; every other answer gets the headers once the route has made it, as Icecast sends them. They
 * are set on the route's own response: letting hono/cors set them before the route runs makes Hono
 * copy every listener's streaming response into a new one, which measurably costs CPU at
 * thousands of listeners.
 *
 * @example
 * app.get('/:mount{.+}', publicCors(), (c) => listen(c, mount, options))
 */
export const publicCors = (): MiddlewareHandler => {
  const preflight = cors({
    origin: '*',
    allowMethods: ALLOW_METHODS,
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: 86400,
  })
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return await preflight(c, next)
    await next()
    for (const [name, value] of HEADERS) c.res.headers.set(name, value)
  }
}
