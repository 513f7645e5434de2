import type { Context } from 'hono'
import { Hono } from 'hono'
import type { Clock } from '../../clock.ts'
import type { Logger } from '../../log.ts'
import type { ConnectionHooks } from '../../runtime/hooks.ts'
import type { Station } from '../../station/station.ts'
import { compressedResponse, htmlResponse } from '../../web/assets.ts'
import { dashboardPage, refusalPage } from '../../web/dashboard-page.ts'
import { pageSecurity } from '../../web/security.ts'
import type { AdminRefusal } from './authorize.ts'
import { authorize, requestAddress } from './authorize.ts'
import type { AdminCommand, AdminReply } from './commands.ts'
import { ADMIN_COMMANDS, iceresponse, listMounts, runCommand } from './commands.ts'
import { isAccessCommand, runAccessCommand } from './access-commands.ts'
import { dashboardJson, dashboardQuery } from './dashboard-json.ts'
import { isProgrammeCommand, reloadCommand, runProgrammeCommand } from './programme-commands.ts'
import { toJson, toXml } from './document.ts'

export interface AdminOptions {
  hooks: ConnectionHooks
  log: Logger
  clock: Clock
  /** Serve the operator dashboard at `/admin/` (the listener port; the source port serves no pages). */
  dashboard?: boolean
}

/** An admin reply as Icecast's XML, or as JSON with the same names. */
const send = (json: boolean, reply: AdminReply, headers: Record<string, string> = {}): Response =>
  new Response(json ? toJson(reply.root, reply.document) : toXml(reply.root, reply.document), {
    status: reply.status,
    headers: {
      'Content-Type': json ? 'application/json; charset=utf-8' : 'text/xml; charset=utf-8',
      'Cache-Control': 'no-store',
      ...headers,
    },
  })

const refuse = (json: boolean, refusal: AdminRefusal): Response =>
  send(json, iceresponse(refusal.reason, false, refusal.status), refusal.headers)

const isCommand = (name: string): name is AdminCommand => (ADMIN_COMMANDS as readonly string[]).includes(name)

/**
 * The admin API under `/admin/`: Icecast's `listmounts`, `listclients`, `killclient`, `moveclients`,
 * `killsource` and `metadata`, plus `skip` (the AutoDJ's next track); XML as Icecast answers, or
 * JSON with the same names when the command ends in `.json`. HTTP Basic auth as the admin user;
 * `metadata` also accepts the mount's source credentials, as encoders send them. Off (403, saying
 * how to turn it on) when no admin password is set. Failed logins are logged with the address and
 * slowed down per address; cross-site browser requests are refused (a page the admin visits cannot
 * drive the API with the browser's remembered credentials). With `dashboard`, `/admin/` is the
 * operator dashboard and `/admin/dashboard.json` its state.
 *
 * @example
 * app.route('/admin', adminApp(station, { hooks, log, clock, dashboard: true }))
 */
export const adminApp = (station: Station, options: AdminOptions): Hono => {
  const { hooks, log, clock } = options
  const context = { hooks, log }
  const app = new Hono()
  const commandListing = (c: Context) =>
    c.text(`airwave admin: ${ADMIN_COMMANDS.map((command) => `/admin/${command}`).join(', ')} (add .json for JSON)\n`)

  // `/admin` itself: the dashboard's relative links need the trailing slash (the redirect is relative
  // too, so it holds when the app is routed under a prefix).
  app.get('/', (c) => {
    if (options.dashboard) {
      return new Response(null, {
        status: 301,
        headers: { Location: `${new URL(c.req.url).pathname.split('/').pop()}/` },
      })
    }
    const allowed = authorize(c, station, context, { command: '' })
    return allowed.ok ? commandListing(c) : refuse(false, allowed)
  })
  if (options.dashboard) {
    app.get('/dashboard.json', async (c) => {
      const allowed = authorize(c, station, context, { command: 'dashboard.json' })
      if (!allowed.ok) return refuse(true, allowed)
      const state = await dashboardJson(station, clock, dashboardQuery(new URL(c.req.url)))
      return compressedResponse(c.req.raw, JSON.stringify(state), 'application/json; charset=utf-8', {
        'Cache-Control': 'no-store',
      })
    })
  }
  // `/admin/` is the dashboard page (with the pages' security headers), refused with a page: a
  // browser shows it when its login prompt is cancelled.
  const pageHeaders = pageSecurity()
  const isDashboard = (c: Context) => options.dashboard === true && c.req.param('command') === ''
  const dashboard = (c: Context) => {
    const allowed = authorize(c, station, context, { command: '', navigation: true })
    const headers = { 'Cache-Control': 'no-store' }
    if (!allowed.ok) {
      return htmlResponse(c.req.raw, refusalPage(station, allowed.status, allowed.reason), {
        ...headers,
        ...allowed.headers,
      }, allowed.status)
    }
    return htmlResponse(c.req.raw, dashboardPage(station), headers)
  }
  app.get('/:command{.*}', (c, next) => (isDashboard(c) ? pageHeaders(c, next) : next()))
  app.get('/:command{.*}', async (c) => {
    if (isDashboard(c)) return dashboard(c)
    const name = c.req.param('command')
    const json = name.endsWith('.json')
    const command = json ? name.slice(0, -5) : name
    const url = new URL(c.req.url)
    const mountPath = url.searchParams.get('mount') ?? undefined
    const mount = mountPath === undefined ? undefined : station.mount(mountPath)
    const allowed = authorize(c, station, context, { command, mount })
    if (!allowed.ok) return refuse(json, allowed)
    if (name === '') return commandListing(c)
    if (!isCommand(command)) {
      return send(json, iceresponse(`Unrecognised command: ${command} (commands: ${ADMIN_COMMANDS.join(', ')})`, false))
    }
    const from = requestAddress(c, hooks)
    if (command === 'listmounts') return send(json, listMounts(station))
    if (command === 'reload') return send(json, await reloadCommand(station, log, from))
    if (mountPath !== undefined && !mount) {
      return send(json, iceresponse(`Source does not exist: no mount at ${mountPath}`, false))
    }
    if (isAccessCommand(command)) return send(json, runAccessCommand(command, station, mount, url, log, from))
    if (mountPath === undefined) return send(json, iceresponse('Missing parameter: mount', false))
    if (!mount) return send(json, iceresponse(`Source does not exist: no mount at ${mountPath}`, false))
    if (isProgrammeCommand(command)) return send(json, await runProgrammeCommand(command, mount, url, log, from))
    return send(json, runCommand(command, mount, url, { station, clock, log, from }))
  })
  app.all('*', (c) => c.text('Method Not Allowed: the admin API takes GET\n', 405, { Allow: 'GET, HEAD' }))
  return app
}
