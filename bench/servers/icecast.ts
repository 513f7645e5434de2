import { execFileSync } from 'node:child_process'
import { chownSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import process from 'node:process'
import { ffmpegPath } from '../../scripts/ffmpeg-path.ts'
import { DEMO_PLAYLIST } from '../../src/config/demo.ts'
import { AIRWAVE_BURST_SECONDS, burstBytes } from './opus.ts'
import type { OpusPlaylist } from './opus.ts'
import { assertExecutable, isRunning, spawnLogged, stopProcess, waitForStream } from './process.ts'
import type { BenchServer, StartOptions } from './types.ts'

const ICECAST = '/usr/bin/icecast2'
const INSTALL = 'apt-get install -y icecast2'
/** The source file ffmpeg loops into Icecast: the first demo track (128 kbit/s MP3). */
export const ICECAST_SOURCE_FILE: string = join(DEMO_PLAYLIST, '01 - Sunrise Arpeggio.mp3')
/** Icecast's burst on connect, set to airwave's default of 3 s at 128 kbit/s (Icecast's own default is 64 KiB). */
export const ICECAST_BURST_BYTES = 49_152

const idOf = (flag: '-u' | '-g', name: string): number | undefined => {
  try {
    return Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
  } catch {
    return undefined
  }
}

/**
 * Makes sure Debian's `icecast2` is installed: installs it with apt-get when missing and running
 * as root, or throws with the command to run. Never skips.
 */
export const ensureIcecast = (): void => {
  if (existsSync(ICECAST)) return
  if (process.getuid?.() !== 0) {
    throw new Error(`Icecast is not installed (${ICECAST} missing) and this is not root: run \`sudo ${INSTALL}\``)
  }
  process.stderr.write(`icecast2 missing: running \`${INSTALL}\` ...\n`)
  try {
    execFileSync('apt-get', ['install', '-y', 'icecast2'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
  } catch (error) {
    throw new Error(`\`${INSTALL}\` failed (${String(error)}); run \`apt-get update && ${INSTALL}\` and try again`)
  }
  if (!existsSync(ICECAST)) throw new Error(`\`${INSTALL}\` ran but ${ICECAST} is still missing`)
}

/** The Icecast version line, e.g. `Icecast 2.4.4`. */
export const icecastVersion = (): string => execFileSync(ICECAST, ['-v'], { encoding: 'utf8' }).trim()

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * Icecast's configuration for the bench: loopback only, on `port`, room for 20,000 clients, a
 * generated source password, logs in `logDir`; as root it drops to `user`:`group` (Icecast
 * refuses to run as root otherwise).
 */
export const icecastConfig = (
  options: {
    port: number
    logDir: string
    password: string
    changeOwner?: { user: string; group: string }
    /** Bytes sent at once to a new listener (default `ICECAST_BURST_BYTES`, for the MP3 demo). */
    burstBytes?: number
  },
): string =>
  `<icecast>
  <location>loopback</location>
  <admin>bench@localhost</admin>
  <hostname>127.0.0.1</hostname>
  <limits>
    <clients>20000</clients>
    <sources>2</sources>
    <queue-size>524288</queue-size>
    <client-timeout>30</client-timeout>
    <header-timeout>15</header-timeout>
    <source-timeout>10</source-timeout>
    <burst-on-connect>1</burst-on-connect>
    <burst-size>${options.burstBytes ?? ICECAST_BURST_BYTES}</burst-size>
  </limits>
  <authentication>
    <source-password>${xml(options.password)}</source-password>
    <relay-password>${xml(options.password)}</relay-password>
    <admin-user>admin</admin-user>
    <admin-password>${xml(options.password)}</admin-password>
  </authentication>
  <listen-socket>
    <port>${options.port}</port>
    <bind-address>127.0.0.1</bind-address>
  </listen-socket>
  <fileserve>1</fileserve>
  <paths>
    <basedir>/usr/share/icecast2</basedir>
    <logdir>${xml(options.logDir)}</logdir>
    <webroot>/usr/share/icecast2/web</webroot>
    <adminroot>/usr/share/icecast2/admin</adminroot>
  </paths>
  <logging>
    <accesslog>icecast-access.log</accesslog>
    <errorlog>icecast-error.log</errorlog>
    <loglevel>3</loglevel>
  </logging>
  <security>
    <chroot>0</chroot>${
    options.changeOwner
      ? `
    <changeowner>
      <user>${xml(options.changeOwner.user)}</user>
      <group>${xml(options.changeOwner.group)}</group>
    </changeowner>`
      : ''
  }
  </security>
</icecast>
`

/**
 * ffmpeg's arguments as Icecast's source: the first demo MP3 looped in real time (`-re -stream_loop
 * -1 ... -c copy`), or with an Opus playlist its files one after the other (the concat list, which
 * repeats them) copied page by page into one Ogg Opus stream, paged as the files are.
 */
export const ffmpegSourceArgs = (target: string, opus?: OpusPlaylist): string[] => [
  '-hide_banner',
  '-nostdin',
  '-loglevel',
  'warning',
  '-re',
  ...(opus
    ? [
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      opus.concatList,
      '-c',
      'copy',
      '-page_duration',
      String(Math.round(opus.pageDurationUs)),
      '-content_type',
      'audio/ogg',
      '-f',
      'ogg',
    ]
    : [
      '-stream_loop',
      '-1',
      '-i',
      ICECAST_SOURCE_FILE,
      '-c',
      'copy',
      '-id3v2_version',
      '0',
      '-write_xing',
      '0',
      '-content_type',
      'audio/mpeg',
      '-f',
      'mp3',
    ]),
  target,
]

/**
 * Starts Icecast 2.4 (Debian's `icecast2`) with a generated config on `port`, and ffmpeg as its
 * source (`ffmpegSourceArgs`) sending to `icecast://source:<password>@127.0.0.1:<port>/stream`:
 * the demo MP3, or with `options.opus` the same Ogg Opus files airwave plays, its burst-size then
 * airwave's 3 s at the Opus stream's rate. Resolves once `/stream` delivers audio.
 *
 * @example
 * const server = await startIcecast({ port, logDir })
 */
export const startIcecast = async (options: StartOptions): Promise<BenchServer> => {
  ensureIcecast()
  const version = icecastVersion()
  const password = randomBytes(12).toString('hex')
  // Icecast's own folder (config and logs), which the unprivileged user it switches to can write;
  // its logs are copied into `logDir` when it stops.
  const home = mkdtempSync(join(tmpdir(), 'airwave-bench-icecast-'))
  let changeOwner: { user: string; group: string } | undefined
  if (process.getuid?.() === 0) {
    // Icecast refuses to run as root; Debian's package creates icecast2:icecast to switch to.
    const user = idOf('-u', 'icecast2') !== undefined ? 'icecast2' : 'nobody'
    const group = user === 'icecast2' ? 'icecast' : 'nogroup'
    changeOwner = { user, group }
    chownSync(
      home,
      idOf('-u', user)!,
      Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2]),
    )
  }
  const configPath = join(home, 'icecast.xml')
  const burst = options.opus ? burstBytes(AIRWAVE_BURST_SECONDS, options.opus.streamKbps) : ICECAST_BURST_BYTES
  writeFileSync(
    configPath,
    icecastConfig({ port: options.port, logDir: home, password, changeOwner, burstBytes: burst }),
    { mode: 0o644 },
  )
  const icecast = spawnLogged(ICECAST, ['-c', configPath], { logDir: options.logDir, name: 'server' })
  const ffmpegArgs = ffmpegSourceArgs(`icecast://source:${password}@127.0.0.1:${options.port}/stream`, options.opus)
  let ffmpeg: ReturnType<typeof spawnLogged> | undefined
  const stop = async () => {
    if (ffmpeg) await stopProcess(ffmpeg)
    await stopProcess(icecast)
    cpSync(home, options.logDir, { recursive: true })
    rmSync(home, { recursive: true, force: true })
  }
  try {
    // Icecast must listen before ffmpeg connects: wait for its status page.
    await waitForHttp(options.port, '/status-json.xsl', () => isRunning(icecast.pid), join(home, 'icecast-error.log'))
    ffmpeg = spawnLogged(ffmpegPath(), ffmpegArgs, { logDir: options.logDir, name: 'ffmpeg' })
    const source = ffmpeg
    await waitForStream(options.port, '/stream', {
      timeoutMs: 30_000,
      alive: () => isRunning(icecast.pid) && isRunning(source.pid),
      logHint: `${join(home, 'icecast-error.log')} and ${join(options.logDir, 'ffmpeg.err')}`,
      format: options.opus ? 'opus' : 'mp3',
    })
    assertExecutable(icecast.pid, ICECAST)
  } catch (error) {
    await stop()
    throw error
  }
  return {
    name: 'icecast',
    version,
    pid: icecast.pid,
    helperPids: [ffmpeg.pid],
    url: `http://127.0.0.1:${options.port}/stream`,
    logDir: options.logDir,
    stop,
  }
}

const waitForHttp = async (port: number, path: string, alive: () => boolean, logHint: string): Promise<void> => {
  const deadline = performance.now() + 15_000
  while (performance.now() < deadline) {
    if (!alive()) throw new Error(`Icecast exited while starting (see ${logHint} and server.err)`)
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`)
      await response.arrayBuffer()
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`Icecast did not answer on port ${port} within 15 s (see ${logHint})`)
}
