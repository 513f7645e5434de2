/**
 * The HLS load generator: N simulated players (bench/hls/player.ts) on a live playlist over
 * loopback, each on its own keep-alive connection; run by bench/hls.ts, or by hand:
 *
 *   node bench/hls/load.ts --players 1000 --duration 30 --origin http://127.0.0.1:8000 --pid <pid> http://127.0.0.1:8000/hls/stream/live.m3u8
 *
 * See `--help` and bench/README.md.
 */
import process from 'node:process'
import { parseArgs } from 'node:util'
import { now } from '../load/listener.ts'
import type { ProcSample } from '../load/proc.ts'
import { cpuPercent, processName, sampleProc, sampleTree } from '../load/proc.ts'
import type { Distribution } from '../load/stats.ts'
import { distribution } from '../load/stats.ts'
import type { PlayerCounters } from './player.ts'
import { HlsPlayer, zeroCounters } from './player.ts'

const HELP = `bench/hls/load.ts: N HLS players on a live playlist over loopback

Usage: node bench/hls/load.ts [options] <playlist url>

  -n, --players <n>    players (default 100), each with its own ?session= and keep-alive connection
      --ramp <s>       seconds over which they start, evenly (default 6: one segment)
      --settle <s>     wait after the last one started, before the window (default 8)
  -d, --duration <s>   measurement window (default 30)
      --timeout <s>    a request taking longer is an error (default 15)
      --origin <url>   airwave itself (http://127.0.0.1:<port>): its /metrics is read at the window's
                       edges, for the requests that reached it and its HLS sessions
      --pid <pid>      a process to sample (CPU, RSS; with its children); repeatable
  -h, --help
`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    players: { type: 'string', short: 'n', default: '100' },
    ramp: { type: 'string', default: '6' },
    settle: { type: 'string', default: '8' },
    duration: { type: 'string', short: 'd', default: '30' },
    timeout: { type: 'string', default: '15' },
    origin: { type: 'string' },
    pid: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help || positionals.length !== 1) {
  process.stdout.write(HELP)
  process.exit(values.help ? 0 : 2)
}
const url = new URL(positionals[0]!)
if (url.hostname !== '127.0.0.1') {
  process.stderr.write(`bench/hls/load.ts: the load goes to 127.0.0.1 only, got ${url.hostname}\n`)
  process.exit(2)
}
const settings = {
  url: url.href,
  players: Number(values.players),
  rampSeconds: Number(values.ramp),
  settleSeconds: Number(values.settle),
  durationSeconds: Number(values.duration),
  timeoutSeconds: Number(values.timeout),
  origin: values.origin,
  pids: (values.pid ?? []).map(Number),
}

/** Airwave's HLS counters, from its /metrics. */
interface OriginCounters {
  playlists: number
  segments: number
  sessions: number
}

const readOrigin = async (): Promise<OriginCounters | undefined> => {
  if (!settings.origin) return undefined
  const text = await (await fetch(new URL('/metrics', settings.origin))).text()
  const sum = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((n, m) => n + Number(m[1]), 0)
  return {
    playlists: sum(/^airwave_hls_requests_total\{[^}]*kind="playlist"[^}]*\} (\d+)/gm),
    segments: sum(/^airwave_hls_requests_total\{[^}]*kind="segment"[^}]*\} (\d+)/gm),
    sessions: sum(/^airwave_hls_sessions(?:\{[^}]*\})? (\d+)/gm),
  }
}

const KINDS = ['connect', 'timeout', 'status', 'short', 'protocol', 'closed', 'missed'] as const
const COUNTS = ['playlists', 'segments', 'segmentBytes', 'late', 'stalledSeconds', 'connections'] as const

/** `b + sign × a`, counter by counter. */
const combine = (a: PlayerCounters, b: PlayerCounters, sign: 1 | -1): PlayerCounters => {
  const out = structuredClone(b)
  for (const key of COUNTS) out[key] += sign * a[key]
  for (const kind of KINDS) out.errors[kind] += sign * a.errors[kind]
  return out
}

const errorsOf = (c: PlayerCounters) => Object.values(c.errors).reduce((a, b) => a + b, 0)

/** CPU over the window, RSS at its end and at its peak. */
export interface HlsProcessFigures {
  readonly pid: number
  readonly name?: string
  readonly cpuPercent?: number
  readonly idleRss?: number
  readonly rss?: number
  readonly peakRss?: number
}

/** What one HLS load run measured (the JSON it prints). */
export interface HlsLoadResult {
  readonly settings: typeof settings
  readonly startedAt: string
  readonly windowSeconds: number
  /** The players' requests and what came of them, over the window. */
  readonly counters: PlayerCounters
  /** Players with at least one error or late segment in the window. */
  readonly playersWithErrors: number
  readonly playersWithLateSegments: number
  /** First error messages, counted. */
  readonly errors: Record<string, number>
  /** Segments airwave published during the window (the newest listed, end less start). */
  readonly segmentsMade: number
  /** What reached airwave over the window, from its /metrics, and its HLS sessions at the end. */
  readonly origin?: OriginCounters
  readonly servers: readonly HlsProcessFigures[]
  readonly loadgen: HlsProcessFigures & { readonly runtime: string; readonly loopLagMs: Distribution }
}

const figures = (pid: number, idle?: ProcSample, start?: ProcSample, end?: ProcSample): HlsProcessFigures => ({
  pid,
  name: processName(pid),
  cpuPercent: start && end ? Number(cpuPercent(start, end).toFixed(2)) : undefined,
  idleRss: idle?.rss,
  rss: end?.rss,
  peakRss: end?.hwm,
})

const progress = (line: string) => process.stderr.write(`  ${line}\n`)
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)))
const startedAt = new Date()
const idle = settings.pids.map((pid) => sampleTree(pid, now()))
const target = {
  port: Number(url.port || 80),
  playlistPath: url.pathname,
  timeoutSeconds: settings.timeoutSeconds,
}
const players: HlsPlayer[] = []
const t0 = now()
progress(`bench/hls/load.ts: ${settings.players} players on ${url.href}, ramp ${settings.rampSeconds} s`)
while (players.length < settings.players) {
  const due = Math.min(
    settings.players,
    Math.floor(((now() - t0) / 1000 / settings.rampSeconds) * settings.players) + 1,
  )
  while (players.length < due) {
    const player = new HlsPlayer(players.length + 1, target)
    players.push(player)
    player.start()
  }
  await sleep(10)
}
await sleep(settings.settleSeconds * 1000)

const lags: number[] = []
let expected = now() + 20
const lagTimer = setInterval(() => {
  const t = now()
  lags.push(Math.max(0, t - expected))
  expected = t + 20
}, 20)
const originStart = await readOrigin()
const startCounters = players.map((p) => structuredClone(p.counters))
const listedStart = Math.max(...players.map((p) => p.lastListed))
const windowStart = now()
const serverStart = settings.pids.map((pid) => sampleTree(pid, windowStart))
const selfStart = sampleProc(process.pid, windowStart)
progress(`all started; measuring ${settings.durationSeconds} s`)
await sleep(settings.durationSeconds * 1000)
const windowEnd = now()
const serverEnd = settings.pids.map((pid) => sampleTree(pid, windowEnd))
const selfEnd = sampleProc(process.pid, windowEnd)
const endCounters = players.map((p) => structuredClone(p.counters))
const listedEnd = Math.max(...players.map((p) => p.lastListed))
clearInterval(lagTimer)
const originEnd = await readOrigin()
for (const player of players) player.stop()

const perPlayer = endCounters.map((end, i) => combine(startCounters[i]!, end, -1))
const counters = perPlayer.reduce((total, c) => combine(c, total, 1), zeroCounters())
counters.stalledSeconds = Number(counters.stalledSeconds.toFixed(2))
const errors: Record<string, number> = {}
for (const player of players) {
  const message = player.firstError?.replace(/\d+/g, 'N')
  if (message) errors[message] = (errors[message] ?? 0) + 1
}
const result: HlsLoadResult = {
  settings,
  startedAt: startedAt.toISOString(),
  windowSeconds: Number(((windowEnd - windowStart) / 1000).toFixed(3)),
  counters,
  playersWithErrors: perPlayer.filter((c) => errorsOf(c) > 0).length,
  playersWithLateSegments: perPlayer.filter((c) => c.late > 0).length,
  errors,
  segmentsMade: listedEnd - listedStart,
  origin: originStart && originEnd
    ? {
      playlists: originEnd.playlists - originStart.playlists,
      segments: originEnd.segments - originStart.segments,
      sessions: originEnd.sessions,
    }
    : undefined,
  servers: settings.pids.map((pid, i) => figures(pid, idle[i], serverStart[i], serverEnd[i])),
  loadgen: {
    ...figures(process.pid, undefined, selfStart, selfEnd),
    runtime: `node ${process.versions.node}`,
    loopLagMs: distribution(lags),
  },
}
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0))
