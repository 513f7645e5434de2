import type { Context } from 'hono'
import { Hono } from 'hono'
import { MIME_TYPES } from '../../format/format.ts'
import type { Logger } from '../../log.ts'
import type { Mount } from '../../mount/mount.ts'
import type { Clock } from '../../clock.ts'
import type { Credentials } from '../../security/credentials.ts'
import { credentialsMatch, parseBasicAuth, SOURCE_USER } from '../../security/credentials.ts'
import type { Station } from '../../station/station.ts'
import type { AdminElement } from './document.ts'
import { toJson, toXml } from './document.ts'
import type { ConnectionHooks } from '../../runtime/hooks.ts'
import { dashboardJson, dashboardQuery } from './dashboard-json.ts'
import { compressedResponse, htmlResponse } from '../../web/assets.ts'
import { dashboardPage, refusalPage } from '../../web/dashboard-page.ts'
import { pageSecurityHeaders } from '../../web/security.ts'

export interface AdminOptions {
  hooks: ConnectionHooks
  log: Logger
  clock: Clock
  /** Serve the operator dashboard at `/admin/` (the listener port; the source port serves no pages). */
  dashboard?: boolean
}

/** The admin commands, each Icecast's except `skip` (airwave's AutoDJ). */
export const ADMIN_COMMANDS = ['listmounts', 'listclients', 'killclient', 'moveclients', 'killsource', 'metadata', 'skip'] as const
type Command = (typeof ADMIN_COMMANDS)[number]

/** An admin response: the document, its root element and status. */
interface Reply {
  status: number
  root: string
  document: AdminElement
}

const response = (message: string, ok: boolean, status = ok ? 200 : 400): Reply => ({ status, root: 'iceresponse', document: { message, return: ok ? 1 : 0 } })

/** Why a request may not proceed: its status, a message for the operator, and headers to send (a challenge, Retry-After). */
interface Refusal {
  status: number
  message: string
  headers: Record<string, string>
}

/**
 * Whether a browser sent the request from a page of another origin (Fetch Metadata): another site,
 * or another port or subdomain of the same site. A page the admin visits must not drive the API
 * with the credentials the browser remembers. Encoders and scripts send no `Sec-Fetch-Site`; the
 * dashboard's own requests are `same-origin`, and an address typed or bookmarked is `none`.
 */
const fromAnotherOrigin = (c: Context): boolean => {
  const site = c.req.header('sec-fetch-site')
  return site === 'cross-site' || site === 'same-site'
}

/** A top-level navigation to a page (a link followed), which another page can neither frame nor read. */
const isNavigation = (c: Context): boolean => c.req.header('sec-fetch-mode') === 'navigate' && c.req.header('sec-fetch-dest') === 'document'

/** Reads a query parameter whose bytes are in `charset` (Icecast's `charset=` for metadata from old encoders). */
const queryParam = (url: URL, name: string, charset: string | undefined): string | undefined => {
  if (!charset || /^utf-?8$/i.test(charset)) return url.searchParams.get(name) ?? undefined
  for (const pair of url.search.slice(1).split('&')) {
    const [key, value = ''] = pair.split('=')
    if (key !== name) continue
    const bytes = Buffer.from(value.replace(/\+/g, ' ').replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))), 'latin1')
    try {
      return new TextDecoder(charset).decode(bytes)
    } catch {
      return bytes.toString('latin1')
    }
  }
  return undefined
}

/**
 * The admin API under `/admin/`: Icecast's `listmounts`, `listclients`, `killclient`, `moveclients`,
 * `killsource` and `metadata`, plus `skip` (the AutoDJ's next track); XML as Icecast answers, or
 * JSON with the same names when the command ends in `.json`. HTTP Basic auth as the admin user;
 * `metadata` also accepts the mount's source credentials, as encoders send them. Off (403, saying
 * how to turn it on) when no admin password is set. Failed logins are logged with the address and
 * slowed down per address; cross-site browser requests are refused (a page the admin visits cannot
 * drive the API with the browser's remembered credentials).
 *
 * @example
 * app.route('/admin', adminApp(station, { hooks, log, clock }))
 */
export const adminApp = (station: Station, options: AdminOptions): Hono => {
  const { hooks, log, clock } = options
  const app = new Hono()
  const config = station.config

  const send = (c: Context, json: boolean, reply: Reply, headers: Record<string, string> = {}): Response =>
    new Response(json ? toJson(reply.root, reply.document) : toXml(reply.root, reply.document), {
      status: reply.status,
      headers: { 'Content-Type': json ? 'application/json; charset=utf-8' : 'text/xml; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
    })
  const refuse = (c: Context, json: boolean, refusal: Refusal): Response => send(c, json, response(refusal.message, false, refusal.status), refusal.headers)

  const address = (c: Context) => (hooks.clientAddress(c) ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '')

  /**
   * Checks the request's origin and credentials; returns the refusal, or undefined when it may
   * proceed. A request without credentials is only challenged (a browser always asks first without
   * them): it checks nothing, so it does not count toward the address's back-off; wrong ones do.
   */
  const authorize = (c: Context, command: string, mount: Mount | undefined, options: { navigation?: boolean } = {}): Refusal | undefined => {
    if (fromAnotherOrigin(c) && !(options.navigation && isNavigation(c))) return { status: 403, message: 'Cross-site admin requests are refused', headers: {} }
    const accepted: Credentials[] = []
    if (config.adminPassword !== undefined) accepted.push({ user: config.adminUser, password: config.adminPassword })
    const sourcePassword = mount && command === 'metadata' ? (mount.config.sourcePassword ?? config.sourcePassword) : undefined
    if (sourcePassword !== undefined) accepted.push({ user: SOURCE_USER, password: sourcePassword })
    if (accepted.length === 0) {
      return { status: 403, message: 'The admin API is off: start airwave with --admin-password (or AIRWAVE_ADMIN_PASSWORD) to turn it on', headers: {} }
    }
    const from = address(c)
    const verdict = station.authThrottle.check(from)
    if (!verdict.allowed) {
      const seconds = Math.ceil(verdict.retryAfterMs / 1000)
      return { status: 429, message: `Too many failed logins from ${from}; retry in ${seconds} s`, headers: { 'Retry-After': String(seconds) } }
    }
    const given = parseBasicAuth(c.req.header('authorization'))
    if (!credentialsMatch(given, accepted)) {
      if (given) {
        const failures = station.authThrottle.fail(from)
        log.warn(`admin request /admin/${command} refused from ${from}: wrong user name or password (${failures} failure(s) in a row)`)
      } else {
        log.info(`admin request /admin/${command} refused from ${from}: no credentials sent`)
      }
      return { status: 401, message: 'Authentication required', headers: { 'WWW-Authenticate': 'Basic realm="airwave admin"' } }
    }
    station.authThrottle.succeed(from)
    return undefined
  }

  const seconds = (since: number) => Math.max(0, Math.round((clock.now() - since) / 1000))

  const listMounts = (): Reply => ({
    status: 200,
    root: 'icestats',
    document: {
      source: [...station.mounts.values()].map((mount) => {
        const source = mount.input === 'live' || mount.input === 'relay' ? mount.source(mount.input) : undefined
        const since = source?.connectedAt ?? mount.startedAt
        return {
          '@mount': mount.path,
          fallback: mount.fallback?.path ?? '',
          listeners: mount.broadcaster.size,
          Connected: Math.max(0, Math.round((Date.now() - since.getTime()) / 1000)),
          'content-type': mount.params ? MIME_TYPES[mount.params.format] : '',
          input: mount.input ?? 'off-air',
          title: mount.onAir?.track.title ?? '',
        }
      }),
    },
  })

  const listClients = (mount: Mount): Reply => ({
    status: 200,
    root: 'icestats',
    document: {
      source: {
        '@mount': mount.path,
        Listeners: mount.broadcaster.size,
        listener: mount.broadcaster.listeners().map((listener) => ({
          '@id': listener.id,
          IP: listener.info.address,
          UserAgent: listener.info.userAgent || 'Unknown',
          Connected: seconds(listener.connectedAt),
          ID: listener.id,
        })),
      },
    },
  })

  const run = (c: Context, command: Command, mount: Mount, url: URL, from: string): Reply => {
    switch (command) {
      case 'listclients':
        return listClients(mount)
      case 'killclient': {
        const id = Number(url.searchParams.get('id'))
        if (!url.searchParams.has('id') || !Number.isInteger(id)) return response('Missing parameter: id', false)
        const listener = mount.broadcaster.get(id)
        if (!listener) return response(`Client ${id} not found`, false, 200)
        listener.close('kicked')
        log.info(`admin (${from}): removed listener #${id} from ${mount.path}`)
        return response(`Client ${id} removed`, true)
      }
      case 'moveclients': {
        const destinationPath = url.searchParams.get('destination')
        if (!destinationPath) return response('Missing parameter: destination', false)
        const destination = station.mount(destinationPath)
        if (!destination) return response(`No such destination: ${destinationPath}`, false)
        if (destination === mount) return response('supplied mountpoints are identical', false)
        const result = station.moveListeners(mount, destination)
        if ('error' in result) return response(`Cannot move clients: ${result.error}`, false)
        log.info(`admin (${from}): moved ${result.moved} listener(s) from ${mount.path} to ${destination.path}`)
        return response(`Clients moved from ${mount.path} to ${destination.path}`, true)
      }
      case 'killsource': {
        if (!mount.killSource()) return response(`Source does not exist: ${mount.path} has no live source or relay connected`, false)
        log.info(`admin (${from}): disconnected the source of ${mount.path}`)
        return response('Source Removed', true)
      }
      case 'metadata': {
        const mode = url.searchParams.get('mode')
        const charset = url.searchParams.get('charset') ?? undefined
        const artist = queryParam(url, 'artist', charset)
        const title = queryParam(url, 'title', charset)
        const song = queryParam(url, 'song', charset) ?? (artist || title ? [artist, title].filter(Boolean).join(' - ') : undefined)
        if (!mode || song === undefined) return response('Missing parameter: mode and song (or artist and title)', false)
        if (mode !== 'updinfo') return response('No such action', false)
        const text = song.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 1024)
        if (!mount.updateTitle(text)) return response(`Source does not exist: ${mount.path} has no live source (titles of playlist tracks come from their files)`, false)
        return response('Metadata update successful', true)
      }
      case 'skip': {
        if (!mount.skipTrack()) return response(`${mount.path} has no playlist`, false)
        log.info(`admin (${from}): skipped to the next track on ${mount.path}`)
        return response(mount.input === 'playlist' ? 'Skipped to the next track' : 'The playlist will start its next track when it is back on air', true)
      }
      case 'listmounts':
        return listMounts()
    }
  }

  const commandListing = (c: Context) => c.text(`airwave admin: ${ADMIN_COMMANDS.map((command) => `/admin/${command}`).join(', ')} (add .json for JSON)\n`)

  /** The dashboard at `/admin/`: an HTML page, refused with an HTML page (a browser shows it when the login is cancelled). */
  const dashboard = (c: Context): Response => {
    const refusal = authorize(c, '', undefined, { navigation: true })
    const headers = { ...pageSecurityHeaders(), 'Cache-Control': 'no-store' }
    if (refusal) return htmlResponse(c.req.raw, refusalPage(station, refusal.status, refusal.message), { ...headers, ...refusal.headers }, refusal.status)
    return htmlResponse(c.req.raw, dashboardPage(station), headers)
  }

  /** What the dashboard shows, polled by it. */
  const dashboardState = async (c: Context): Promise<Response> => {
    const refusal = authorize(c, 'dashboard.json', undefined)
    if (refusal) return refuse(c, true, refusal)
    const state = await dashboardJson(station, clock, dashboardQuery(new URL(c.req.url)))
    return compressedResponse(c.req.raw, JSON.stringify(state), 'application/json; charset=utf-8', { 'Cache-Control': 'no-store' })
  }

  // `/admin` itself: the dashboard's relative links need the trailing slash (the redirect is relative
  // too, so it holds when the app is routed under a prefix).
  app.get('/', (c) => {
    if (!options.dashboard) {
      const refusal = authorize(c, '', undefined)
      return refusal ? refuse(c, false, refusal) : commandListing(c)
    }
    return new Response(null, { status: 301, headers: { Location: `${new URL(c.req.url).pathname.split('/').pop()}/` } })
  })
  app.get('/:command{.*}', async (c) => {
    const name = c.req.param('command')
    if (name === '' && options.dashboard) return dashboard(c)
    if (name === 'dashboard.json' && options.dashboard) return dashboardState(c)
    const json = name.endsWith('.json')
    const command = (json ? name.slice(0, -5) : name) as Command
    const url = new URL(c.req.url)
    const mountPath = url.searchParams.get('mount') ?? undefined
    const mount = mountPath === undefined ? undefined : station.mount(mountPath)
    const refusal = authorize(c, command, mount)
    if (refusal) return refuse(c, json, refusal)
    if (name === '') return commandListing(c)
    if (!ADMIN_COMMANDS.includes(command)) return send(c, json, response(`Unrecognised command: ${command} (commands: ${ADMIN_COMMANDS.join(', ')})`, false))
    if (command === 'listmounts') return send(c, json, listMounts())
    if (mountPath === undefined) return send(c, json, response('Missing parameter: mount', false))
    if (!mount) return send(c, json, response(`Source does not exist: no mount at ${mountPath}`, false))
    return send(c, json, run(c, command, mount, url, address(c)))
  })
  return app
}

/**
 * The admin API as the source port serves it: encoders send their title updates to the port they
 * stream to. The client's address (for the log and the back-off) is passed in.
 *
 * @example
 * startIngest({ …, admin: sourcePortAdmin(station, { log, clock }) })
 */
export const sourcePortAdmin = (station: Station, options: Omit<AdminOptions, 'hooks'>): ((request: Request, address: string) => Response | Promise<Response>) => {
  const admin = new Hono()
  admin.route('/admin', adminApp(station, { ...options, hooks: { clientAddress: (c) => (c.env as { address?: string } | undefined)?.address } }))
  return (request, address) => admin.fetch(request, { address })
}
