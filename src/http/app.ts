import type { Context } from 'hono'
import { Hono } from 'hono'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import type { Logger } from '../log.ts'
import type { ConnectionHooks } from '../runtime/hooks.ts'
import { serverHooks } from '../runtime/hooks.ts'
import type { Station } from '../station/station.ts'
import { VERSION } from '../version.ts'
import { htmlResponse, serveAsset } from '../web/assets.ts'
import { embedPage, listenerPage } from '../web/listener-page.ts'
import { pageSecurity } from '../web/security.ts'
import { adminApp } from './admin/admin-app.ts'
import { apiApp } from './api.ts'
import { publicCors } from './cors.ts'
import { hlsResponse } from './hls.ts'
import { publicBase } from './public-url.ts'
import { hlsGate, listen } from './listen.ts'
import { METRICS_CONTENT_TYPE, prometheusMetrics } from './metrics.ts'
import { playlistFile } from './playlists.ts'
import { icecastStatus } from './status-json.ts'

export interface AppOptions {
  /** Per-connection hooks (client address, idle timeouts, closing); by default the serving runtime's, recognized by itself. */
  hooks?: ConnectionHooks
  log?: Logger
  clock?: Clock
}

/**
 * The station's HTTP app: the listener page and the embeddable player (with their assets), the
 * streams, their `.m3u`/`.pls` playlists, Icecast's `/status-json.xsl`, the JSON API and its event
 * streams, Prometheus `/metrics`, and the admin API and dashboard under `/admin/`. A plain Hono
 * app, so it can be served alone or routed inside another app.
 *
 * @example
 * const app = new Hono()
 * app.route('/radio', createApp(station))
 */
export const createApp = (station: Station, options: AppOptions = {}): Hono => {
  const hooks = options.hooks ?? serverHooks
  const log = options.log ?? station.log
  const clock = options.clock ?? systemClock
  const listenOptions = {
    routing: station.routing,
    gate: station.gate,
    publicUrl: () => station.config.publicUrl,
    trustedProxies: () => station.gate.trustedProxies,
    hooks,
    log,
    clock,
    serverName: `airwave/${VERSION}`,
  }
  const { publicUrl } = station.config
  const app = new Hono()
  const mounts = () => [...station.mounts.keys()]
  const notFound = (path: string) =>
    new Response(`No mount at ${path}.\nMounts on this station: ${mounts().join(', ')}\n`, {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    })

  // CORS (for players and pages on other sites) on what is public: the streams and their playlist
  // files, the API, the status; never on the admin area, which answers first.
  const cors = publicCors()
  app.route('/admin', adminApp(station, { hooks, log, clock, dashboard: true }))
  const page = pageSecurity()
  const listenerPageAt = (c: Context) =>
    htmlResponse(
      c.req.raw,
      listenerPage(station, clock, c.req.path.endsWith('/') ? './' : `./${c.req.path.split('/').pop()}/`),
    )
  app.get('/', page, listenerPageAt)
  app.get('/embed/:mount{.+}', pageSecurity({ frameable: true }), (c) => {
    const mount = station.mount(`/${c.req.param('mount')}`)
    return mount ? htmlResponse(c.req.raw, embedPage(mount, clock)) : notFound(`/${c.req.param('mount')}`)
  })
  app.get('/assets/:name', (c) => serveAsset(c.req.raw, c.req.param('name')))
  app.get(
    '/metrics',
    () =>
      new Response(prometheusMetrics(station), {
        headers: { 'Content-Type': METRICS_CONTENT_TYPE, 'Cache-Control': 'no-cache' },
      }),
  )
  app.get(
    '/status-json.xsl',
    cors,
    (c) =>
      Response.json(icecastStatus(station, publicBase(c, '/status-json.xsl', publicUrl), `airwave ${VERSION}`), {
        headers: { 'Cache-Control': 'no-cache' },
      }),
  )
  app.route('/api', apiApp(station, { hooks, clock, cors }))
  app.get('/hls/:file{.+}', cors, (c) => {
    const at = c.req.param('file').lastIndexOf('/')
    const mount = at > 0 ? station.mount(`/${c.req.param('file').slice(0, at)}`) : undefined
    if (!mount) return notFound(c.req.path)
    return hlsGate(c, mount, listenOptions) ?? hlsResponse(c, mount, c.req.param('file').slice(at + 1), hooks)
  })
  app.get('/:mount{.+}', cors, (c) => {
    const path = `/${c.req.param('mount')}`
    const mount = station.mount(path)
    if (mount) return listen(c, mount, listenOptions)
    const playlist = /^(.+)\.(m3u|pls)$/i.exec(path)
    const target = playlist ? station.mount(playlist[1]!) : undefined
    if (target) {
      return playlistFile(target, playlist![2]!.toLowerCase() as 'm3u' | 'pls', publicBase(c, path, publicUrl))
    }
    return notFound(path)
  })
  // Routed under a prefix, `/radio/` (with the slash) is the only GET that ends in `/` and reaches no
  // route above (`/:mount` takes every other): it is the listener page too.
  const isPrefixWithSlash = (c: Context) => c.req.path.endsWith('/')
  app.get(
    '*',
    (c, next) => (isPrefixWithSlash(c) ? page(c, next) : cors(c, next)),
    (c) => (isPrefixWithSlash(c) ? listenerPageAt(c) : notFound(c.req.path)),
  )
  app.options('*', cors)
  app.all('*', (c) => c.text('Method Not Allowed\n', 405, { Allow: 'GET, HEAD, OPTIONS' }))
  return app
}
