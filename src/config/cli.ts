import { parseArgs } from 'node:util'

/** What the command line asked for. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; flags: CliFlags; playlist: string[] }

/** Flags as given; absent ones are left to the config file or the defaults. */
export interface CliFlags {
  port?: number
  workers?: number | 'auto'
  host?: string
  mount?: string
  burst?: number
  shuffle?: boolean
  name?: string
  logLevel?: string
  config?: string
  sourcePort?: number
  sourcePassword?: string
  adminUser?: string
  adminPassword?: string
  relay?: string
  tlsCert?: string
  tlsKey?: string
  tlsSourcePort?: boolean
}

/**
 * An error in the command line itself (unknown flag, a number that is not one).
 *
 * @example
 * throw new CliError('--port: expected a number, got "eighty"')
 */
export class CliError extends Error {
  override name = 'CliError'
}

export const HELP = `airwave: an internet radio station (Icecast-compatible), with a built-in AutoDJ

Usage:
  airwave [options] [playlist ...]

  playlist    audio files (MP3, AAC/ADTS; Opus, Vorbis, FLAC in Ogg), folders (scanned
              recursively, in natural order) and .m3u/.m3u8/.pls files, played in
              order and looped forever.
              With no playlist and no --config, a built-in demo playlist plays.

Options:
  -p, --port <n>         HTTP port for listeners (default 8000)
  -H, --host <addr>      address to listen on (default 0.0.0.0; "::" for IPv6 too)
  -w, --workers <n|auto> processes serving listeners (default 1; auto: one per
                         core), all fed by one station: for thousands of listeners
  -m, --mount <path>     mount path of the stream (default /stream)
  -b, --burst <seconds>  audio sent at once to a new listener (default 3)
  -s, --shuffle          shuffle the playlist (reshuffled at every loop)
  -n, --name <text>      station name, sent as icy-name
      --log-level <lvl>  debug, info, warn or error (default info)
  -c, --config <file>    JSON config file for several mounts (see README);
                         --port, --workers, --host, --log-level, --source-port,
                         --tls-* and the passwords override it
      --relay <url>      rebroadcast this http(s) stream on the mount (the
                         playlist, if any, plays while it is unreachable)

Going live (off unless a password is set):
      --source-password <pw>  lets DJs' encoders (BUTT, Mixxx, ffmpeg …) connect
                         as user "source" and take over the mount; also
                         AIRWAVE_SOURCE_PASSWORD (keeps it out of shell history)
      --source-port <n>  port for source clients (default: --port + 1)
      --admin-password <pw>   turns on the admin API (/admin/…); also
                         AIRWAVE_ADMIN_PASSWORD
      --admin-user <name>     admin user name (default admin)

HTTPS (see docs/https.md):
      --tls-cert <file>  certificate (PEM, full chain: certbot's fullchain.pem);
                         the HTTP port then speaks HTTPS
      --tls-key <file>   its private key (PEM: certbot's privkey.pem); both
                         files are read again when they change (renewals)
      --tls-source-port  TLS on the source port too (ffmpeg: -tls 1)
  -h, --help             show this help
  -v, --version          show the version

Examples:
  airwave ~/Music
  airwave --shuffle --name "Radio Tonic" ~/Music/jazz party.m3u
  airwave --config station.json --port 8080
  airwave --port 443 --tls-cert fullchain.pem --tls-key privkey.pem ~/Music
  AIRWAVE_SOURCE_PASSWORD=s3cret AIRWAVE_ADMIN_PASSWORD=adm1n airwave ~/Music
`

const number = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const parsed = Number(value)
  if (value.trim() === '' || !Number.isFinite(parsed)) {
    throw new CliError(`--${flag}: expected a number, got "${value}"`)
  }
  return parsed
}

/**
 * Parses airwave's command line.
 *
 * @example
 * parseCli(['--port', '9000', '~/Music']) // { kind: 'run', flags: { port: 9000 }, playlist: ['~/Music'] }
 */
export const parseCli = (argv: readonly string[]): CliCommand => {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string', short: 'p' },
        workers: { type: 'string', short: 'w' },
        host: { type: 'string', short: 'H' },
        mount: { type: 'string', short: 'm' },
        burst: { type: 'string', short: 'b' },
        shuffle: { type: 'boolean', short: 's' },
        name: { type: 'string', short: 'n' },
        'log-level': { type: 'string' },
        config: { type: 'string', short: 'c' },
        relay: { type: 'string' },
        'source-password': { type: 'string' },
        'source-port': { type: 'string' },
        'admin-password': { type: 'string' },
        'admin-user': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-source-port': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    })
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)} (see airwave --help)`)
  }
  const { values, positionals } = parsed
  if (values.help) return { kind: 'help' }
  if (values.version) return { kind: 'version' }
  const flags: CliFlags = {}
  const port = number('port', values.port)
  const burst = number('burst', values.burst)
  if (port !== undefined) flags.port = port
  if (values.workers === 'auto') flags.workers = 'auto'
  else {
    const workers = number('workers', values.workers)
    if (workers !== undefined) flags.workers = workers
  }
  if (burst !== undefined) flags.burst = burst
  if (values.host !== undefined) flags.host = values.host
  if (values.mount !== undefined) flags.mount = values.mount
  if (values.shuffle !== undefined) flags.shuffle = values.shuffle
  if (values.name !== undefined) flags.name = values.name
  if (values['log-level'] !== undefined) flags.logLevel = values['log-level']
  if (values.config !== undefined) flags.config = values.config
  const sourcePort = number('source-port', values['source-port'])
  if (sourcePort !== undefined) flags.sourcePort = sourcePort
  if (values['source-password'] !== undefined) flags.sourcePassword = values['source-password']
  if (values['admin-password'] !== undefined) flags.adminPassword = values['admin-password']
  if (values['admin-user'] !== undefined) flags.adminUser = values['admin-user']
  if (values.relay !== undefined) flags.relay = values.relay
  if (values['tls-cert'] !== undefined) flags.tlsCert = values['tls-cert']
  if (values['tls-key'] !== undefined) flags.tlsKey = values['tls-key']
  if (values['tls-source-port'] !== undefined) flags.tlsSourcePort = values['tls-source-port']
  return { kind: 'run', flags, playlist: positionals }
}
