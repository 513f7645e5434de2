import { Hono } from 'hono'
import type { Logger } from '../log.ts'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import type { Station } from '../station/station.ts'
import { VERSION } from '../version.ts'
import { mountJson } from './mount-json.ts'
import { mountEvents, stationEvents } from './events.ts'
import type { ConnectionHooks } from '../runtime/hooks.ts'
import { noHooks } from '../runtime/hooks.ts'
import { adminApp } from './admin/admin-app.ts'
import { CORS_HEADERS } from './stream-headers.ts'
import { listen } from './listen.ts'
import { METRICS_CONTENT_TYPE, prometheusMetrics } from './metrics.ts'
import { playlistFile } from './playlists.ts'
import { icecastStatus } from './status-json.ts'
import { htmlResponse, serveAsset } from '../web/assets.ts'
import { embedPage, listenerPage } from '../web/listener-page.ts'
import { pageSecurityHeaders } from '../web/security.ts'

export interface AppOptions {
  /** Per-connection runtime hooks (client address, idle timeouts, closing); see `src/runtime/`. */
  hooks?: ConnectionHooks
  log?: Logger
  clock?: Clock
}

/**
 * The station's HTTP app: the listener page and the embeddable player (with their assets), the
 * streams, their `.m3u`/`.pls` playlists, Icecast's `/status-json.xsl`, the JSON API and its event
 * streams, Prometheus `/metrics`, and the admin API under `/admin/` (see `admin.ts`). A plain Hono
 * app, so it can be served alone or routed inside another app.
 *
 * @example
 * const app = new Hono()
 * app.route('/radio', createApp(station, { hooks: runtime.hooks }))
 */
export const createApp = (station: Station, options: AppOptions = {}): Hono => {
  const hooks = options.hooks ?? noHooks
  const log = options.log ?? station.log
  const clock = options.clock ?? systemClock
  const serverName = `airwave/${VERSION}`
  const listenOptions = { hooks, log, clock, serverName }
  const app = new Hono()
  const mounts = () => [...station.mounts.keys()]
  const notFound = (path: string) =>
    new Response(`No mount at ${path}.\nMounts on this station: ${mounts().join(', ')}\n`, {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', ...CORS_HEADERS },
    })
  const apiNotFound = (name: string) =>
    Response.json({ error: `no mount /${name}`, mounts: mounts() }, { status: 404, headers: CORS_HEADERS })
  const origin = (url: string) => new URL(url).origin

  app.route('/admin', adminApp(station, { hooks, log, clock: listenOptions.clock, dashboard: true }))
  app.get('/', (c) => htmlResponse(c.req.raw, listenerPage(station, clock), pageSecurityHeaders()))
  app.get('/embed/:mount{.+}', (c) => {
    const mount = station.mount(`/${c.req.param('mount')}`)
    return mount ? htmlResponse(c.req.raw, embedPage(mount, clock), pageSecurityHeaders({ frameable: true })) : notFound(`/${c.req.param('mount')}`)
  })
  app.get('/assets/:name', (c) => serveAsset(c.req.raw, c.req.param('name')))
  app.get('/metrics', () => new Response(prometheusMetrics(station), { headers: { 'Content-Type': METRICS_CONTENT_TYPE, 'Cache-Control': 'no-cache' } }))
  app.options('*', () => new Response(null, { status: 204, headers: { ...CORS_HEADERS, 'Access-Control-Max-Age': '86400' } }))
  app.get('/status-json.xsl', (c) =>
    Response.json(icecastStatus(station, new URL(c.req.url), `airwave ${VERSION}`), { headers: { ...CORS_HEADERS, 'Cache-Control': 'no-cache' } }),
  )
  app.get('/api/mounts', async (c) =>
    Response.json({ mounts: await Promise.all([...station.mounts.values()].map((m) => mountJson(m, clock, origin(c.req.url)))) }, { headers: CORS_HEADERS }),
  )
  app.get('/api/events', (c) => stationEvents(c, [...station.mounts.values()], hooks))
  app.get('/api/mounts/:name{.+}/events', (c) => {
    const mount = station.mount(`/${c.req.param('name')}`)
    return mount ? mountEvents(c, mount, hooks) : apiNotFound(c.req.param('name'))
  })
  app.get('/api/mounts/:name{.+}', async (c) => {
    const mount = station.mount(`/${c.req.param('name')}`)
    return mount ? Response.json(await mountJson(mount, clock, origin(c.req.url)), { headers: CORS_HEADERS }) : apiNotFound(c.req.param('name'))
  })
  app.get('/:mount{.+}', (c) => {
    const path = `/${c.req.param('mount')}`
    const mount = station.mount(path)
    if (mount) return listen(c, mount, listenOptions)
    const playlist = /^(.+)\.(m3u|pls)$/i.exec(path)
    const target = playlist ? station.mount(playlist[1]!) : undefined
    if (target) return playlistFile(target, playlist![2]!.toLowerCase() as 'm3u' | 'pls', origin(c.req.url))
    return notFound(path)
  })
  app.all('*', (c) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? notFound(c.req.path) : c.text('Method Not Allowed\n', 405)))
  return app
}
