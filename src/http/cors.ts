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

/**
 * CORS for everything public (streams, playlists files, the API and its events, status), so a
 * player on any site can play and read them: hono/cors, answering preflights for a day. Like
 * Icecast, every response also lists the methods and headers allowed (tools that check a stream
 * with one GET look for them there).
 *
 * @example
 * app.use(except('/admin/*', publicCors()))
 */
export const publicCors = (): MiddlewareHandler => {
  const hono = cors({
    origin: '*',
    allowMethods: ALLOW_METHODS,
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: 86400,
  })
  return async (c, next) =>
    await hono(c, async () => {
      await next()
      c.res.headers.set('Access-Control-Allow-Methods', ALLOW_METHODS.join(', '))
      c.res.headers.set('Access-Control-Allow-Headers', ALLOW_HEADERS.join(', '))
    })
}
