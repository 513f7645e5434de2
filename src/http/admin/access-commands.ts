import type { Logger } from '../../log.ts'
import type { Mount } from '../../mount/mount.ts'
import type { Station } from '../../station/station.ts'
import { parseRange } from '../../security/address-range.ts'
import type { AdminReply } from './commands.ts'
import { iceresponse } from './commands.ts'

/** airwave's admin commands for bans: list them, ban an address or range, lift a ban. */
export const ACCESS_COMMANDS = ['bans', 'ban', 'unban'] as const

export type AccessCommand = (typeof ACCESS_COMMANDS)[number]

/**
 * Whether `name` is one of the ban commands.
 *
 * @example
 * if (isAccessCommand(command)) return send(json, runAccessCommand(command, station, mount, url, log, from))
 */
export const isAccessCommand = (name: string): name is AccessCommand =>
  (ACCESS_COMMANDS as readonly string[]).includes(name)

/**
 * Runs a ban command, on the whole station or, with `mount=`, on one mount: `bans` lists the bans
 * and allow lists; `ban&ip=` bans an address or CIDR range at once, ending its listeners; `unban&ip=`
 * lifts a ban added here (a configured one is lifted in the configuration).
 *
 * @example
 * runAccessCommand('ban', station, undefined, new URL('http://x/admin/ban?ip=203.0.113.0/24'), log, '192.0.2.1')
 */
export const runAccessCommand = (
  command: AccessCommand,
  station: Station,
  mount: Mount | undefined,
  url: URL,
  log: Logger,
  from: string,
): AdminReply => {
  const { gate } = station
  if (command === 'bans') {
    const { station: everywhere, mounts } = gate.lists
    const list = (path: string, bans: typeof everywhere) => ({
      '@mount': path,
      ban: [
        ...bans.configured.map((range) => ({ '@range': range, added: 'configuration' })),
        ...bans.added.map((range) => ({ '@range': range, added: 'admin' })),
      ],
      allow: bans.allowed.map((range) => ({ '@range': range })),
    })
    const shown = mount ? [list(mount.path, mounts[mount.path]!)] : [
      list('*', everywhere),
      ...Object.entries(mounts).filter(([, bans]) =>
        bans.configured.length + bans.added.length + bans.allowed.length > 0
      )
        .map(([path, bans]) => list(path, bans)),
    ]
    return { status: 200, root: 'bans', document: { source: shown } }
  }
  const ip = url.searchParams.get('ip')?.trim()
  if (!ip) return iceresponse('Missing parameter: ip (an address or CIDR range)', false)
  const where = mount ? mount.path : 'the station'
  if (command === 'unban') {
    if (!gate.unban(ip, mount)) {
      const range = parseRange(ip)?.text ?? ip
      const { station: everywhere, mounts } = gate.lists
      const elsewhere = Object.entries(mounts).find(([, bans]) => bans.added.includes(range))?.[0]
      const why = (mount ? mounts[mount.path]! : everywhere).configured.includes(range)
        ? 'it is in the configuration: lift it there'
        : elsewhere && !mount
        ? `it was added on ${elsewhere}: add mount=${elsewhere}`
        : everywhere.added.includes(range) && mount
        ? 'it was added on the whole station: leave out mount='
        : 'no such ban was added'
      return iceresponse(`No ban of ${range} on ${where} to lift: ${why}`, false, 404)
    }
    log.info(`admin (${from}): lifted the ban of ${ip} on ${where}`)
    return iceresponse(`Ban of ${ip} lifted`, true)
  }
  let ended: number
  try {
    ended = gate.ban(ip, mount)
  } catch (error) {
    return iceresponse((error as Error).message, false, 422)
  }
  log.info(`admin (${from}): banned ${ip} on ${where}; ended ${ended} listener(s)`)
  return { status: 200, root: 'iceresponse', document: { message: `${ip} banned`, return: 1, ended } }
}
