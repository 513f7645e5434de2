import { Buffer } from 'node:buffer'
import type { Clock } from '../../clock.ts'
import { contentTypeOf } from '../../format/formats.ts'
import type { Logger } from '../../log.ts'
import type { Mount } from '../../mount/mount.ts'
import type { Station } from '../../station/station.ts'
import { oneLine, truncate } from '../../util/text.ts'
import type { AdminElement } from './document.ts'

/** The admin commands, each Icecast's except `skip` and the programme's (airwave's AutoDJ). */
export const ADMIN_COMMANDS = [
  'listmounts',
  'listclients',
  'killclient',
  'moveclients',
  'killsource',
  'metadata',
  'skip',
  'requests',
  'request',
  'removerequest',
  'moverequest',
  'reload',
  'bans',
  'ban',
  'unban',
] as const

/** An admin command's name. */
export type AdminCommand = (typeof ADMIN_COMMANDS)[number]

/** An admin response: its status, root element and document, rendered as Icecast's XML or as JSON. */
export interface AdminReply {
  status: number
  root: string
  document: AdminElement
}

/**
 * Icecast's `<iceresponse>`: a message and whether the command was done (`return` 1) or not (0).
 *
 * @example
 * iceresponse('Source Removed', true)
 */
export const iceresponse = (message: string, ok: boolean, status = ok ? 200 : 400): AdminReply => ({
  status,
  root: 'iceresponse',
  document: { message, return: ok ? 1 : 0 },
})

/** Reads a query parameter whose bytes are in `charset` (Icecast's `charset=` for metadata from old encoders). */
const queryParam = (url: URL, name: string, charset: string | undefined): string | undefined => {
  if (!charset || /^utf-?8$/i.test(charset)) return url.searchParams.get(name) ?? undefined
  for (const pair of url.search.slice(1).split('&')) {
    const [key, value = ''] = pair.split('=')
    if (key !== name) continue
    const bytes = Buffer.from(
      value.replace(/\+/g, ' ').replace(
        /%([0-9a-f]{2})/gi,
        (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)),
      ),
      'latin1',
    )
    try {
      return new TextDecoder(charset).decode(bytes)
    } catch {
      return bytes.toString('latin1')
    }
  }
  return undefined
}

/** What a command runs with. */
export interface CommandContext {
  station: Station
  clock: Clock
  log: Logger
  /** The admin's address, for the log. */
  from: string
}

/**
 * `listmounts`: every mount, its fallback, listeners, how long its source has been connected,
 * content type, input and title.
 * @example
 * send(json, listMounts(station))
 */
export const listMounts = (station: Station): AdminReply => ({
  status: 200,
  root: 'icestats',
  document: {
    source: [...station.mounts.values()].map((mount) => {
      const source = mount.input === 'live' || mount.input === 'relay' ? mount.source(mount.input) : undefined
      const since = source?.connectedAt ?? mount.startedAt
      return {
        '@mount': mount.path,
        fallback: mount.config.fallbackMount ?? '',
        listeners: mount.broadcaster.size,
        Connected: Math.max(0, Math.round((Date.now() - since.getTime()) / 1000)),
        'content-type': mount.params ? contentTypeOf(mount.params.format) : '',
        input: mount.input ?? 'off-air',
        title: mount.onAir?.track.title ?? '',
      }
    }),
  },
})

const listClients = (mount: Mount, clock: Clock): AdminReply => ({
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
        Connected: Math.max(0, Math.round((clock.now() - listener.connectedAt) / 1000)),
        ID: listener.id,
        ...(listener.info.user !== undefined && { username: listener.info.user }),
      })),
    },
  },
})

/**
 * Runs a command on a mount, as Icecast answers it: `listclients`, `killclient` (`id`),
 * `moveclients` (`destination`), `killsource`, `metadata` (`mode=updinfo`, `song` or `artist` and
 * `title`, `charset`), `skip`.
 *
 * @example
 * runCommand('killsource', mount, url, { station, clock, log, from: '203.0.113.7' })
 */
export const runCommand = (
  command: Exclude<
    AdminCommand,
    'listmounts' | 'requests' | 'request' | 'removerequest' | 'moverequest' | 'reload' | 'bans' | 'ban' | 'unban'
  >,
  mount: Mount,
  url: URL,
  context: CommandContext,
): AdminReply => {
  const { station, log, from } = context
  switch (command) {
    case 'listclients':
      return listClients(mount, context.clock)
    case 'killclient': {
      const id = Number(url.searchParams.get('id'))
      if (!url.searchParams.has('id') || !Number.isInteger(id)) return iceresponse('Missing parameter: id', false)
      const listener = mount.broadcaster.get(id)
      if (!listener) return iceresponse(`Client ${id} not found`, false, 200)
      listener.close('kicked')
      log.info(`admin (${from}): removed listener #${id} from ${mount.path}`)
      return iceresponse(`Client ${id} removed`, true)
    }
    case 'moveclients': {
      const destinationPath = url.searchParams.get('destination')
      if (!destinationPath) return iceresponse('Missing parameter: destination', false)
      const destination = station.mount(destinationPath)
      if (!destination) return iceresponse(`No such destination: ${destinationPath}`, false)
      if (destination === mount) return iceresponse('supplied mountpoints are identical', false)
      const moved = station.moveListeners(mount, destination)
      if (!moved.ok) return iceresponse(`Cannot move clients: ${moved.reason}`, false)
      log.info(`admin (${from}): moved ${moved.value} listener(s) from ${mount.path} to ${destination.path}`)
      return iceresponse(`Clients moved from ${mount.path} to ${destination.path}`, true)
    }
    case 'killsource': {
      const killed = mount.killSource()
      if (!killed.ok) return iceresponse(killed.reason, false)
      log.info(`admin (${from}): disconnected the source of ${mount.path}`)
      return iceresponse('Source Removed', true)
    }
    case 'metadata': {
      const mode = url.searchParams.get('mode')
      const charset = url.searchParams.get('charset') ?? undefined
      const artist = queryParam(url, 'artist', charset)
      const title = queryParam(url, 'title', charset)
      const song = queryParam(url, 'song', charset) ??
        (artist || title ? [artist, title].filter(Boolean).join(' - ') : undefined)
      if (!mode || song === undefined) {
        return iceresponse('Missing parameter: mode and song (or artist and title)', false)
      }
      if (mode !== 'updinfo') return iceresponse('No such action', false)
      const clean = (text: string | undefined) => (text ? truncate(oneLine(text), 1024) : undefined)
      const tags = queryParam(url, 'song', charset) === undefined ? { artist: clean(artist), song: clean(title) } : {}
      const updated = mount.updateTitle(clean(song) ?? '', tags)
      if (!updated.ok) return iceresponse(updated.reason, false)
      return iceresponse('Metadata update successful', true)
    }
    case 'skip': {
      const skipped = mount.skipTrack()
      if (!skipped.ok) return iceresponse(skipped.reason, false)
      log.info(`admin (${from}): skipped to the next track on ${mount.path}`)
      return iceresponse(
        mount.input === 'playlist'
          ? 'Skipped to the next track'
          : 'The playlist will start its next track when it is back on air',
        true,
      )
    }
  }
}
