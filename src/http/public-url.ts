import type { Context } from 'hono'

/** A Host header's value that is a host name or address, with an optional port: nothing else is echoed back. */
const VALID_HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i

/**
 * The URL at which clients reach the station's app, without a trailing slash, for the URLs airwave
 * writes (playlists files, `listenUrl`, status): the configured `publicUrl` when there is one (a
 * reverse proxy in front), else the request's own origin and the prefix the app is routed under
 * in its Hono app (`/radio` for `app.route('/radio', createApp(station))`). `route` is the part of
 * the request's path that the app's own route matched; what comes before it is the prefix. A Host
 * header that is not a host name is not echoed: `localhost` stands in.
 *
 * @example
 * publicBase(c, '/stream.m3u', undefined) // 'http://radio.example:8000/radio' for GET /radio/stream.m3u
 */
export const publicBase = (c: Context, route: string, publicUrl: string | undefined): string => {
  if (publicUrl) return publicUrl.replace(/\/+$/, '')
  const url = new URL(c.req.url)
  const host = VALID_HOST.test(url.host) ? url.host : 'localhost'
  const path = url.pathname
  const prefix = path.endsWith(route) ? path.slice(0, path.length - route.length) : ''
  return `${url.protocol}//${host}${prefix}`
}
