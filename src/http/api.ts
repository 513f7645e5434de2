import type { MiddlewareHandler } from 'hono'
import { Hono } from 'hono'
import type { Clock } from '../clock.ts'
import type { ConnectionHooks } from '../runtime/hooks.ts'
import type { Station } from '../station/station.ts'
import { eventStream } from './events.ts'
import { mountJson } from './mount-json.ts'
import { publicBase } from './public-url.ts'

/**
 * The JSON API under `/api/`: every mount (`/api/mounts`), one mount (`/api/mounts/<name>`), and
 * their events as Server-Sent Events, one mount's (`/api/mounts/<name>/events`) or every mount's on
 * one connection (`/api/events`). `listenUrl` is built on the station's public URL (see `publicBase`).
 *
 * @example
 * app.route('/api', apiApp(station, { hooks, clock, cors: publicCors() }))
 */
export const apiApp = (
  station: Station,
  options: { hooks: ConnectionHooks; clock: Clock; cors: MiddlewareHandler },
): Hono => {
  const { hooks, clock } = options
  const { publicUrl } = station.config
  const app = new Hono()
  app.use(options.cors)
  const notFound = (name: string) =>
    Response.json({ error: `no mount /${name}`, mounts: [...station.mounts.keys()] }, { status: 404 })
  app.get(
    '/mounts',
    async (c) =>
      Response.json({
        mounts: await Promise.all(
          [...station.mounts.values()].map((m) => mountJson(m, clock, publicBase(c, '/api/mounts', publicUrl))),
        ),
      }),
  )
  app.get('/events', (c) => eventStream(c, [...station.mounts.values()], hooks, true))
  app.get('/mounts/:name{.+}/events', (c) => {
    const mount = station.mount(`/${c.req.param('name')}`)
    return mount ? eventStream(c, [mount], hooks, false) : notFound(c.req.param('name'))
  })
  app.get('/mounts/:name{.+}', async (c) => {
    const mount = station.mount(`/${c.req.param('name')}`)
    const base = publicBase(c, `/api/mounts/${c.req.param('name')}`, publicUrl)
    return mount ? Response.json(await mountJson(mount, clock, base)) : notFound(c.req.param('name'))
  })
  app.get(
    '*',
    (c) =>
      Response.json({
        error: `no API endpoint at ${c.req.path}`,
        endpoints: ['/api/mounts', '/api/mounts/<name>', '/api/mounts/<name>/events', '/api/events'],
      }, {
        status: 404,
      }),
  )
  return app
}
