/**
 * The HLS benchmark: airwave on each runtime, with N simulated HLS players (bench/hls/load.ts)
 * asking it directly, then through nginx with docs/nginx-hls-cache.conf, then N continuous-stream
 * listeners (bench/load.ts) for comparison; raw results in `bench/results/`.
 *
 *   bun bench/hls.ts                                   # node24, bun, node20, deno at 5,000 clients
 *   bun bench/hls.ts --servers bun --clients 1000 --duration 20
 *   bun bench/hls.ts --report bench/results/<file>.json
 *
 * See `--help` and bench/README.md.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { cpus, hostname, loadavg, release, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import process from 'node:process'
import { parseArgs } from 'node:util'
import { NGINX_EXAMPLE, nginxBinary, startEdge } from '../test/helpers/nginx.ts'
import type { HlsLoadResult } from './hls/load.ts'
import { parsePlaylist } from './hls/player.ts'
import type { HlsLeg, HlsRunRecord } from './hls/report.ts'
import { hlsReport } from './hls/report.ts'
import { runShardedLoad } from './run/loadgen.ts'
import type { AirwaveRuntime } from './servers/airwave.ts'
import { airwave } from './servers/airwave.ts'
import { freePort, OPEN_FILES, openFilesLimits, withOpenFiles } from './servers/process.ts'
import { node24Binary, ROOT } from './servers/runtimes.ts'
import type { BenchServer } from './servers/types.ts'

const HELP = `bench/hls.ts: HLS clients on airwave, directly and through nginx (docs/nginx-hls-cache.conf)

Usage: bun bench/hls.ts [options]

  --servers <list>    runtimes, in order (default node24,bun,node20,deno)
  --clients <n>       HLS players, and continuous listeners in the stream leg (default 5000)
  --legs <list>       direct, nginx, stream (default all three, in that order; a fresh server each)
  --duration <s>      measurement window per leg (default 25)
  --ramp <s>          seconds over which the players start (default 6: one segment of the demo mount)
  --settle <s>        wait after the last player started, before the window (default 8)
  --cooldown <s>      pause between legs (default 3)
  --out <file>        results JSON (default bench/results/<date>-hls-<servers>.json)
  --report <file>     print the tables of a saved results JSON, run nothing
  -h, --help
`

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: 'node24,bun,node20,deno' },
    clients: { type: 'string', default: '5000' },
    legs: { type: 'string', default: 'direct,nginx,stream' },
    duration: { type: 'string', default: '25' },
    ramp: { type: 'string', default: '6' },
    settle: { type: 'string', default: '8' },
    cooldown: { type: 'string', default: '3' },
    out: { type: 'string' },
    report: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  process.stdout.write(HELP)
  process.exit(0)
}
if (values.report) {
  process.stdout.write(hlsReport((JSON.parse(readFileSync(values.report, 'utf8')) as { runs: HlsRunRecord[] }).runs))
  process.exit(0)
}
const fail = (message: string): never => {
  process.stderr.write(`bench/hls.ts: ${message}\n`)
  process.exit(2)
}
const number = (name: string, text: string): number => {
  const n = Number(text)
  return Number.isFinite(n) && n > 0 ? n : fail(`--${name}: expected a positive number, got "${text}"`)
}
const RUNTIMES: readonly AirwaveRuntime[] = ['node20', 'node24', 'bun', 'deno']
const servers = values.servers.split(',').map((s) => s.trim()).filter(Boolean) as AirwaveRuntime[]
for (const s of servers) if (!RUNTIMES.includes(s)) fail(`unknown server "${s}" (known: ${RUNTIMES.join(', ')})`)
const legs = values.legs.split(',').map((s) => s.trim()) as HlsLeg[]
for (const leg of legs) if (!['direct', 'nginx', 'stream'].includes(leg)) fail(`unknown leg "${leg}"`)
const clients = Math.round(number('clients', values.clients))
const duration = number('duration', values.duration)
const ramp = number('ramp', values.ramp)
const settle = number('settle', values.settle)
const cooldown = number('cooldown', values.cooldown)
if (openFilesLimits().hard < OPEN_FILES) fail(`the hard open-files limit is below ${OPEN_FILES}: run as root`)
if (legs.includes('nginx')) {
  try {
    nginxBinary()
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)
const out = values.out ?? join(ROOT, 'bench/results', `${stamp}-hls-${servers.join('+')}.json`)
mkdirSync(join(out, '..'), { recursive: true })
const workDir = mkdtempSync(join(tmpdir(), 'airwave-bench-hls-'))
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memory: totalmem(),
  kernel: release(),
  hostname: hostname(),
  loadavgAtStart: loadavg(),
}
const options = { servers, clients, legs, duration, ramp, settle, nginxConfig: NGINX_EXAMPLE }
const runs: HlsRunRecord[] = []
const save = (file: string) =>
  writeFileSync(file, `${JSON.stringify({ startedAt: stamp, machine, options, workDir, runs }, null, 2)}\n`)

/** Waits until airwave's live playlist lists three segments: where a player starts. */
const waitForSegments = async (origin: string): Promise<void> => {
  const deadline = performance.now() + 60_000
  while (performance.now() < deadline) {
    const response = await fetch(`${origin}/hls/stream/live.m3u8`).catch(() => undefined)
    const text = await response?.text()
    if (response?.ok && parsePlaylist(text ?? '').segments.length >= 3) return
    await sleep(500)
  }
  throw new Error(`${origin}/hls/stream/live.m3u8 listed fewer than three segments after 60 s`)
}

/** Runs bench/hls/load.ts on Node 24 in its own process (its CPU its own), its progress passed on. */
const runPlayers = (url: string, origin: string, pids: readonly number[]): Promise<HlsLoadResult> => {
  const args = [
    join(ROOT, 'bench/hls/load.ts'),
    ...['--players', String(clients), '--ramp', String(ramp), '--settle', String(settle)],
    ...['--duration', String(duration), '--origin', origin],
    ...pids.flatMap((pid) => ['--pid', String(pid)]),
    url,
  ]
  return new Promise((resolve, reject) => {
    const [shell, shellArgs] = withOpenFiles(node24Binary(), args)
    const child = spawn(shell, shellArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    let text = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => (text += chunk))
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`bench/hls/load.ts exited with ${signal ?? code}`))
      try {
        resolve(JSON.parse(text) as HlsLoadResult)
      } catch (error) {
        reject(new Error(`bench/hls/load.ts printed no JSON: ${String(error)}: ${text.slice(0, 200)}`))
      }
    })
  })
}

const runLeg = async (server: BenchServer, leg: HlsLeg): Promise<Pick<HlsRunRecord, 'hls' | 'stream'>> => {
  const origin = new URL(server.url).origin
  if (leg === 'stream') {
    const stream = await runShardedLoad('node24', {
      url: server.url,
      listeners: clients,
      ramp: 500,
      duration,
      settle: 2,
      bitrate: 128,
      pids: [server.pid],
    })
    return { stream }
  }
  await waitForSegments(origin)
  if (leg === 'direct') return { hls: await runPlayers(`${origin}/hls/stream/live.m3u8`, origin, [server.pid]) }
  const edge = await startEdge({ origin: `127.0.0.1:${new URL(origin).port}` })
  try {
    return { hls: await runPlayers(`${edge.url}/hls/stream/live.m3u8`, origin, [server.pid, edge.pid]) }
  } finally {
    await edge.stop()
  }
}

process.stderr.write(
  `bench/hls: ${servers.join(', ')}; ${
    legs.join(', ')
  }; ${clients} clients, ${duration} s windows; logs in ${workDir}\n`,
)
for (const runtime of servers) {
  for (const leg of legs) {
    const logDir = mkdtempSync(join(workDir, `${runtime}-${leg}-`))
    process.stderr.write(`\n== ${runtime}, ${leg}, ${clients} clients\n`)
    let record: HlsRunRecord
    try {
      const server = await airwave(runtime)({ port: await freePort(), logDir })
      process.stderr.write(`   ${server.version}, pid ${server.pid}, ${server.url}\n`)
      try {
        record = { server: runtime, version: server.version, leg, clients, logDir, ...(await runLeg(server, leg)) }
      } finally {
        await server.stop()
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      process.stderr.write(`   FAILED: ${message}\n`)
      record = { server: runtime, leg, clients, logDir, error: message }
    }
    runs.push(record)
    save(`${out}.tmp`)
    await sleep(cooldown * 1000)
  }
}
save(`${out}.tmp`)
renameSync(`${out}.tmp`, out)
process.stdout.write(`\n${hlsReport(runs)}\nraw results: ${out}\nserver logs: ${workDir}\n`)
