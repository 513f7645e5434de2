import type { Logger } from '../../log.ts'
import type { Mount } from '../../mount/mount.ts'
import type { Station } from '../../station/station.ts'
import type { AdminReply } from './commands.ts'
import { iceresponse } from './commands.ts'

/** airwave's own admin commands for the programme: the request queue, and `reload`. */
export const PROGRAMME_COMMANDS = ['requests', 'request', 'removerequest', 'moverequest', 'reload'] as const

export type ProgrammeCommand = (typeof PROGRAMME_COMMANDS)[number]

/**
 * Whether `name` is one of the programme's commands.
 *
 * @example
 * if (isProgrammeCommand(command)) return send(json, await runProgrammeCommand(command, mount, url, context))
 */
export const isProgrammeCommand = (name: string): name is ProgrammeCommand =>
  (PROGRAMME_COMMANDS as readonly string[]).includes(name)

/**
 * `reload`: re-reads the config file, as SIGHUP does; the reply says what changed, or why nothing did.
 *
 * @example
 * send(json, await reloadCommand(station, log, '203.0.113.7'))
 */
export const reloadCommand = async (station: Station, log: Logger, from: string): Promise<AdminReply> => {
  log.info(`admin (${from}): reloading the configuration`)
  try {
    const report = await station.rereadConfig()
    return {
      status: 200,
      root: 'iceresponse',
      document: {
        message: 'Configuration reloaded',
        return: 1,
        added: report.added.join(' '),
        removed: report.removed.join(' '),
        updated: report.updated.join(' '),
        kept: report.kept.join(', '),
      },
    }
  } catch (error) {
    return iceresponse(
      `Configuration not reloaded: ${error instanceof Error ? error.message : String(error)}`,
      false,
      422,
    )
  }
}

const requestList = (mount: Mount): AdminReply => ({
  status: 200,
  root: 'requests',
  document: {
    '@mount': mount.path,
    request: (mount.playlist?.requests.entries ?? []).map((entry, position) => ({
      '@id': entry.id,
      position,
      title: entry.title,
      path: entry.path,
      queuedAt: new Date(entry.queuedAt).toISOString(),
    })),
  },
})

/** A whole number from the query, if it is one. */
const integer = (url: URL, name: string): number | undefined => {
  const value = url.searchParams.get(name)
  return value !== null && /^\d{1,9}$/.test(value) ? Number(value) : undefined
}

/**
 * Runs a request-queue command on a mount's AutoDJ: `requests` (the queue, next first),
 * `request` (`path`: queue a file of the mount's playlists or request folders), `removerequest`
 * (`id`) and `moverequest` (`id`, `position`: 0 plays next).
 *
 * @example
 * await runProgrammeCommand('request', mount, new URL('http://x/admin/request?path=music/a.mp3'), log, from)
 */
export const runProgrammeCommand = async (
  command: Exclude<ProgrammeCommand, 'reload'>,
  mount: Mount,
  url: URL,
  log: Logger,
  from: string,
): Promise<AdminReply> => {
  const playlist = mount.playlist
  if (!playlist) return iceresponse(`${mount.path} has no playlist: requests need an AutoDJ`, false)
  const queue = playlist.requests
  switch (command) {
    case 'requests':
      return requestList(mount)
    case 'request': {
      const path = url.searchParams.get('path')
      if (!path) return iceresponse('Missing parameter: path', false)
      const queued = await playlist.request(path)
      if (!queued.ok) return iceresponse(`Request refused: ${queued.reason}`, false, 422)
      const { id, title } = queued.value
      log.info(`admin (${from}): request #${id} queued on ${mount.path}: ${title} (${queued.value.path})`)
      return {
        status: 200,
        root: 'iceresponse',
        document: { message: `Request queued: ${title}`, return: 1, id, position: queue.size - 1 },
      }
    }
    case 'removerequest': {
      const id = integer(url, 'id')
      if (id === undefined) return iceresponse('Missing parameter: id', false)
      if (!queue.remove(id)) return iceresponse(`Request ${id} is not queued (it played, or was removed)`, false, 404)
      log.info(`admin (${from}): request #${id} removed from ${mount.path}`)
      return iceresponse(`Request ${id} removed`, true)
    }
    case 'moverequest': {
      const id = integer(url, 'id')
      const position = integer(url, 'position')
      if (id === undefined || position === undefined) return iceresponse('Missing parameter: id and position', false)
      if (!queue.move(id, position)) {
        return iceresponse(`Request ${id} is not queued (it played, or was removed)`, false, 404)
      }
      log.info(
        `admin (${from}): request #${id} moved to position ${Math.min(position, queue.size - 1)} on ${mount.path}`,
      )
      return iceresponse(`Request ${id} moved to position ${Math.min(position, queue.size - 1)}`, true)
    }
  }
}
