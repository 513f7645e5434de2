import { spawn } from 'node:child_process'
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../bench/servers/process.ts'

/** The edge-cache configuration operators are given (docs/nginx-hls-cache.conf), used here as it is. */
export const NGINX_EXAMPLE: string = fileURLToPath(new URL('../../docs/nginx-hls-cache.conf', import.meta.url))

/** What to do when nginx is missing. */
export const NGINX_INSTALL = 'install nginx-light (apt-get install nginx-light)'

/**
 * Debian's nginx binary (`nginx` on the PATH, else in /usr/sbin, which a user's PATH often lacks);
 * throws, saying how to install it, when there is none: a spec that needs it fails, never skips.
 */
export const nginxBinary = (): string => {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin']
  for (const dir of dirs.filter(Boolean)) {
    const path = join(dir, 'nginx')
    try {
      accessSync(path, constants.X_OK)
      return path
    } catch {
      // not here
    }
  }
  throw new Error(`nginx is not installed (no nginx on the PATH nor in /usr/sbin): ${NGINX_INSTALL}`)
}

/** Where the example's copy runs: airwave's address, the port nginx listens on, a folder for everything it writes. */
export interface EdgeSettings {
  /** airwave's `host:port`. */
  readonly origin: string
  readonly port: number
  readonly dir: string
}

/**
 * The example configuration with only what a test must change: the origin (`server
 * 127.0.0.1:8000;`), the listen port (on loopback) and the folders it writes (cache, temporary
 * files, logs, pid), moved under `dir`. Throws if the example no longer has one of those lines, or
 * still names a folder outside `dir` afterwards.
 *
 * @example
 * edgeConfig(readFileSync(NGINX_EXAMPLE, 'utf8'), { origin: '127.0.0.1:41234', port: 41235, dir: '/tmp/edge' })
 */
export const edgeConfig = (example: string, settings: EdgeSettings): string => {
  const { origin, port, dir } = settings
  // [what, how often the example must name it (0: at least once), replacement]
  const swaps: [RegExp, number, string, string][] = [
    [/^(\s*server\s+)127\.0\.0\.1:8000;/gm, 1, `$1${origin};`, 'the origin (server 127.0.0.1:8000;)'],
    [/^(\s*listen\s+)80\b/gm, 1, `$1127.0.0.1:${port}`, 'the listen port (listen 80)'],
    [/\/var\/cache\/nginx\//g, 0, `${dir}/cache/`, 'the cache folders (/var/cache/nginx/…)'],
    [/\/var\/lib\/nginx\//g, 0, `${dir}/lib/`, 'the temporary folders (/var/lib/nginx/…)'],
    [/\/var\/log\/nginx\//g, 0, `${dir}/log/`, 'the logs (/var/log/nginx/…)'],
    [/\/run\/nginx\.pid\b/g, 1, `${dir}/nginx.pid`, 'the pid file (/run/nginx.pid)'],
  ]
  let config = example
  for (const [pattern, times, replacement, what] of swaps) {
    const found = config.match(pattern)?.length ?? 0
    if (found === 0 || (times > 0 && found !== times)) {
      throw new Error(`${NGINX_EXAMPLE} names ${what} ${found} times, not ${times || 'at least once'}`)
    }
    config = config.replace(pattern, replacement)
  }
  const outside = config.split('\n').map((line) => line.replace(/#.*/, '')).find((line) =>
    /\s\/(?:var|run|etc|usr|srv|home)\//.test(line)
  )
  if (outside) throw new Error(`${NGINX_EXAMPLE} writes outside the folders a test moves: ${outside.trim()}`)
  return config
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })

/** The processes whose parent is `pid` (nginx's workers and cache manager). */
const childrenOf = (pid: number): number[] =>
  readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).flatMap((entry) => {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1')
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(entry)] : []
    } catch {
      return []
    }
  })

/** A running nginx with the example configuration. */
export interface Edge {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly port: number
  /** nginx's master process. */
  readonly pid: number
  /** The folder holding its configuration, cache, logs and pid. */
  readonly dir: string
  /** Its error log and what it printed, for failure messages. */
  readonly errors: () => string
  /** Its access log (the example's format: `cache=<HIT|MISS|…>` on each line). */
  readonly accessLog: () => string
  /** Stops it (SIGTERM; SIGKILL to it and its workers after `graceMs`) and removes its folder. */
  readonly stop: (graceMs?: number) => Promise<void>
}

/**
 * Starts the real nginx with the example configuration (`edgeConfig`) in front of `origin`, in a
 * fresh temporary folder, in the foreground (`daemon off`); resolves once it accepts connections.
 * As root its workers run as the example's `user`, so the folder is made readable to them.
 *
 * @example
 * const edge = await startEdge({ origin: '127.0.0.1:41234' })
 * await fetch(`${edge.url}/hls/stream/live.m3u8`)
 * await edge.stop()
 */
export const startEdge = async (options: { origin: string; port?: number }): Promise<Edge> => {
  const binary = nginxBinary()
  const dir = mkdtempSync(join(tmpdir(), 'airwave-nginx-'))
  chmodSync(dir, 0o755)
  for (const sub of ['cache', 'lib', 'log']) mkdirSync(join(dir, sub), { mode: 0o755 })
  const port = options.port ?? await freePort()
  const configPath = join(dir, 'nginx.conf')
  writeFileSync(configPath, edgeConfig(readFileSync(NGINX_EXAMPLE, 'utf8'), { origin: options.origin, port, dir }))
  const child = spawn(binary, ['-p', `${dir}/`, '-c', configPath, '-g', 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()))
  child.stderr!.on('data', (data: Buffer) => (output += data.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : '')
  const errors = () => `${output}${read('log/airwave-error.log')}`.trim()
  let stopped = false
  const stop = async (graceMs = 10_000) => {
    if (stopped) return
    stopped = true
    const pid = child.pid
    if (pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const workers = childrenOf(pid)
      child.kill('SIGTERM')
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        for (const worker of [...workers, ...childrenOf(pid)]) {
          try {
            process.kill(worker, 'SIGKILL')
          } catch {
            // gone already
          }
        }
      }, graceMs)
      await exited
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = performance.now() + 15_000
  while (!(await accepts(port))) {
    if (child.exitCode !== null || child.signalCode !== null || performance.now() > deadline) {
      const why = errors() || 'no output'
      await stop()
      throw new Error(`nginx did not start with ${NGINX_EXAMPLE} (port ${port}): ${why}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    dir,
    errors,
    accessLog: () => read('log/airwave-access.log'),
    stop,
  }
}
