import type { Context } from 'hono'
import { Hono } from 'hono'
import { MIME_TYPES } from '../audio/format.ts'
import type { Logger } from '../log.ts'
import type { Mount } from '../mount.ts'
import type { Clock } from '../pacing/clock.ts'
import type { Credentials } from '../security/credentials.ts'
import { credentialsMatch, parseBasicAuth, SOURCE_USER } from '../security/credentials.ts'
import type { Station } from '../station.ts'
import type { AdminElement } from './admin-format.ts'
import { toJson, toXml } from './admin-format.ts'
import type { ConnectionHooks } from './hooks.ts'

export interface AdminOptions {
  hooks: ConnectionHooks
  log: Logger
  clock: Clock
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

  const send = (c: Context, json: boolean, reply: Reply): Response =>
    new Response(json ? toJson(reply.root, reply.document) : toXml(reply.root, reply.document), {
      status: reply.status,
      headers: { 'Content-Type': json ? 'application/json; charset=utf-8' : 'text/xml; charset=utf-8', 'Cache-Control': 'no-store' },
    })

  const address = (c: Context) => (hooks.clientAddress(c) ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '')

  /** Checks the request's credentials; returns the refusal, or undefined when it may proceed. */
  const authorize = (c: Context, json: boolean, command: string, mount: Mount | undefined): Response | undefined => {
    if (c.req.header('sec-fetch-site') === 'cross-site') return send(c, json, response('Cross-site admin requests are refused', false, 403))
    const accepted: Credentials[] = []
    if (config.adminPassword !== undefined) accepted.push({ user: config.adminUser, password: config.adminPassword })
    const sourcePassword = mount && command === 'metadata' ? (mount.config.sourcePassword ?? config.sourcePassword) : undefined
    if (sourcePassword !== undefined) accepted.push({ user: SOURCE_USER, password: sourcePassword })
    if (accepted.length === 0) {
      return send(c, json, response('The admin API is off: start airwave with --admin-password (or AIRWAVE_ADMIN_PASSWORD) to turn it on', false, 403))
    }
    const from = address(c)
    const verdict = station.authThrottle.check(from)
    if (!verdict.allowed) {
      const seconds = Math.ceil(verdict.retryAfterMs / 1000)
      const refused = send(c, json, response(`Too many failed logins from ${from}; retry in ${seconds} s`, false, 429))
      refused.headers.set('Retry-After', String(seconds))
      return refused
    }
    const given = parseBasicAuth(c.req.header('authorization'))
    if (!credentialsMatch(given, accepted)) {
      const failures = station.authThrottle.fail(from)
      log.warn(`admin request /admin/${command} refused from ${from}: ${given ? 'wrong user name or password' : 'no credentials sent'} (${failures} failure(s) in a row)`)
      const refused = send(c, json, response('Authentication required', false, 401))
      refused.headers.set('WWW-Authenticate', 'Basic realm="airwave admin"')
      return refused
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

  app.get('/:command', (c) => {
    const name = c.req.param('command')
    const json = name.endsWith('.json')
    const command = (json ? name.slice(0, -5) : name) as Command
    const url = new URL(c.req.url)
    const mountPath = url.searchParams.get('mount') ?? undefined
    const mount = mountPath === undefined ? undefined : station.mount(mountPath)
    const refusal = authorize(c, json, command, mount)
    if (refusal) return refusal
    if (!ADMIN_COMMANDS.includes(command)) return send(c, json, response(`Unrecognised command: ${command} (commands: ${ADMIN_COMMANDS.join(', ')})`, false))
    if (command === 'listmounts') return send(c, json, listMounts())
    if (mountPath === undefined) return send(c, json, response('Missing parameter: mount', false))
    if (!mount) return send(c, json, response(`Source does not exist: no mount at ${mountPath}`, false))
    return send(c, json, run(c, command, mount, url, address(c)))
  })
  app.get('/', (c) => {
    const refusal = authorize(c, false, '', undefined)
    if (refusal) return refusal
    return c.text(`airwave admin: ${ADMIN_COMMANDS.map((command) => `/admin/${command}`).join(', ')} (add .json for JSON)\n`)
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
