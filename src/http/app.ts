import { Hono } from 'hono'
import type { Logger } from '../log.ts'
import type { Clock } from '../pacing/clock.ts'
import { systemClock } from '../pacing/clock.ts'
import type { Station } from '../station.ts'
import { VERSION } from '../version.ts'
import type { ConnectionHooks } from './hooks.ts'
import { noHooks } from './hooks.ts'
import { adminApp } from './admin.ts'
import { CORS_HEADERS } from './headers.ts'
import { homePage } from './home-page.ts'
import { listen } from './listen.ts'

export interface AppOptions {
  /** Per-connection runtime hooks (client address, idle timeouts, closing); see `src/runtime/`. */
  hooks?: ConnectionHooks
  log?: Logger
  clock?: Clock
}

/**
 * The station's HTTP app: `GET /` lists the mounts, `GET`/`HEAD /<mount>` streams, `/admin/…` is
 * the admin API (see `admin.ts`), `OPTIONS` answers CORS preflight, anything else is a 404 naming
 * the mounts. A plain Hono app, so it can be
 * served alone or routed inside another app.
 *
 * @example
 * const app = new Hono()
 * app.route('/radio', createApp(station, { hooks: runtime.hooks }))
 */
export const createApp = (station: Station, options: AppOptions = {}): Hono => {
  const hooks = options.hooks ?? noHooks
  const log = options.log ?? station.log
  const listenOptions = { hooks, log, clock: options.clock ?? systemClock, serverName: `airwave/${VERSION}` }
  const app = new Hono()

  const notFound = (path: string) => {
    const mounts = [...station.mounts.keys()]
    return new Response(`No mount at ${path}.\nMounts on this station: ${mounts.join(', ')}\n`, {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', ...CORS_HEADERS },
    })
  }

  app.get('/', (c) => c.html(homePage(station)))
  app.route('/admin', adminApp(station, { hooks, log, clock: listenOptions.clock }))
  app.options('*', () => new Response(null, { status: 204, headers: { ...CORS_HEADERS, 'Access-Control-Max-Age': '86400' } }))
  app.get('/:mount{.+}', (c) => {
    const path = `/${c.req.param('mount')}`
    const mount = station.mount(path)
    return mount ? listen(c, mount, listenOptions) : notFound(path)
  })
  app.all('*', (c) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? notFound(c.req.path) : c.text('Method Not Allowed\n', 405)))
  return app
}
