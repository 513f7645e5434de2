/**
 * The benchmark: each server in turn on loopback, loaded at each N by `bench/load.ts`, one table
 * and the ratios to Icecast at the end; raw results in `bench/results/`.
 *
 *   bun bench/run.ts                                   # the full matrix (npm run bench)
 *   bun bench/run.ts --servers bun,icecast --listeners 200 --duration 20
 *   bun bench/run.ts --servers bun:shared,bun:cloned,node24:shared,node24:cloned --listeners 5000
 *   bun bench/run.ts --format opus --servers icecast,node24,bun,deno   # an Ogg Opus mount against Icecast's
 *
 * See `--help` and bench/README.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { cpus, hostname, loadavg, release, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import process from 'node:process'
import { parseArgs } from 'node:util'
import type { StreamFormat } from './load/listener.ts'
import type { LoadgenRuntime } from './run/loadgen.ts'
import { holdEventStreams, runShardedLoad } from './run/loadgen.ts'
import type { RunRecord, StreamOptions } from './run/report.ts'
import { fullReport } from './run/report.ts'
import { formatResult } from './load/format.ts'
import { SERVER_NAMES, serverStarter } from './servers/index.ts'
import type { OpusPlaylist } from './servers/opus.ts'
import { AIRWAVE_BURST_SECONDS, burstBytes, opusPlaylist } from './servers/opus.ts'
import { freePort, OPEN_FILES, openFilesLimits } from './servers/process.ts'
import { ROOT } from './servers/runtimes.ts'

const HELP = `bench/run.ts: airwave on each runtime, and Icecast, under the same listener load

Usage: bun bench/run.ts [options]

  --servers <list>     comma-separated, in order (default node20,node24,bun,deno,icecast)
                       known: ${SERVER_NAMES.join(', ')}
                       (<runtime>:shared|cloned is bench/server-variant.ts: shared vs per-listener chunk copies;
                       <name>+icy: the same server, listeners asking for ICY metadata;
                       <name>+sse: the same server with --sse-clients idle event streams open meanwhile)
  --format <f>         mp3 (default): the demo playlist, 128 kbit/s MP3; or opus: the demo playlist
                       transcoded once to Ogg Opus (96 kbit/s CBR, cached in the temporary folder),
                       played by airwave and sent to Icecast by ffmpeg page for page
  --listeners <list>   listener counts (default 1000,5000)
  --duration <s>       measurement window per run (default 60)
  --ramp <n>           listeners connected per second (default 500)
  --settle <s>         wait after all listeners got audio, before the window (default 2)
  --warmup <s>         let each server stream this long before the first listener, so its
                       burst buffer is full (default 5)
  --sse-clients <n>    event-stream clients held open for <name>+sse runs (default 5000)
  --loadgen <rt>       node24 or bun: what runs bench/load.ts (default node24)
  --shard <n>          listeners per load generator at most (default and most 9500: one
                       process may hold 20,000 sockets); more listeners, more generators
  --v8-flags <flags>   V8 flags for airwave on Node and Deno, comma-separated, instead of those of
                       npm start and deno task start (--max-semi-space-size=8); Bun and Icecast
                       run as they are
  --cooldown <s>       pause between runs (default 3)
  --out <file>         results JSON (default bench/results/<date>-<servers>.json)
  --report <file>      print the tables of a saved results JSON, run nothing
  -h, --help
`

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: 'node20,node24,bun,deno,icecast' },
    format: { type: 'string', default: 'mp3' },
    listeners: { type: 'string', default: '1000,5000' },
    duration: { type: 'string', default: '60' },
    ramp: { type: 'string', default: '500' },
    settle: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '5' },
    loadgen: { type: 'string', default: 'node24' },
    shard: { type: 'string', default: '9500' },
    'sse-clients': { type: 'string', default: '5000' },
    cooldown: { type: 'string', default: '3' },
    'v8-flags': { type: 'string' },
    out: { type: 'string' },
    report: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  process.stdout.write(HELP)
  process.exit(0)
}
const fail = (message: string): never => {
  process.stderr.write(`bench/run.ts: ${message}\n`)
  process.exit(2)
}
if (values.report) {
  const saved = JSON.parse(readFileSync(values.report, 'utf8')) as { runs: RunRecord[]; options?: StreamOptions }
  process.stdout.write(fullReport(saved.runs, saved.options))
  process.exit(0)
}
const numbers = (name: string, text: string): number[] =>
  text.split(',').map((part) => {
    const n = Number(part.trim())
    if (!Number.isFinite(n) || n <= 0) fail(`--${name}: expected positive numbers, got "${text}"`)
    return n
  })

const servers = values.servers.split(',').map((s) => s.trim()).filter(Boolean)
/** `<server>+icy`: listeners that ask for ICY metadata; `<server>+sse`: idle event streams open meanwhile. */
const parseServer = (name: string) => ({
  server: name.replace(/\+(icy|sse)$/, ''),
  icy: name.endsWith('+icy'),
  sse: name.endsWith('+sse'),
})
if (values.format !== 'mp3' && values.format !== 'opus') fail(`--format: mp3 or opus, got "${values.format}"`)
const format = values.format as StreamFormat
for (const name of servers) {
  if (!SERVER_NAMES.includes(parseServer(name).server)) {
    fail(`unknown server "${name}" (known: ${SERVER_NAMES.join(', ')}, each also as <name>+icy)`)
  }
  if (format === 'opus' && parseServer(name).icy) {
    fail(`${name}: no ICY metadata on Ogg mounts (in airwave as in Icecast); drop +icy with --format opus`)
  }
}
const counts = numbers('listeners', values.listeners).map(Math.round)
const one = (name: string, text: string): number => numbers(name, text)[0]!
const duration = one('duration', values.duration)
const ramp = one('ramp', values.ramp)
const zeroOrMore = (name: string, text: string): number => {
  const n = Number(text)
  return Number.isFinite(n) && n >= 0 ? n : fail(`--${name}: expected a number >= 0, got "${text}"`)
}
const settle = zeroOrMore('settle', values.settle)
const sseClients = one('sse-clients', values['sse-clients'])
const warmup = zeroOrMore('warmup', values.warmup)
const cooldown = one('cooldown', values.cooldown)
const shard = one('shard', values.shard)
const v8Flags = values['v8-flags']?.split(',').map((flag) => flag.trim()).filter(Boolean) ?? []
if (v8Flags.some((flag) => !flag.startsWith('--'))) fail(`--v8-flags: flags start with --, got "${values['v8-flags']}"`)
if (values.loadgen !== 'node24' && values.loadgen !== 'bun') fail(`--loadgen: node24 or bun, got ${values.loadgen}`)
const loadgen = values.loadgen as LoadgenRuntime

// Servers and the load generators are started with `ulimit -n OPEN_FILES`, which the hard limit must
// allow; more than SHARD_LISTENERS listeners come from several load generators.
if (openFilesLimits().hard < OPEN_FILES) {
  fail(
    `the hard open-files limit is ${openFilesLimits().hard}; the bench raises it to ${OPEN_FILES} for each process: run as root or raise it (ulimit -Hn)`,
  )
}

// With --format opus: the Opus playlist every server streams, made once (cached outside the repository).
const opus: OpusPlaylist | undefined = format === 'opus' ? opusPlaylist() : undefined
/** Payload bytes per second of audio, kbit/s: what underruns and time ahead are measured against. */
const bitrate = opus ? opus.streamKbps : 128

const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)
const out = values.out ??
  join(ROOT, 'bench/results', `${stamp}-${opus ? 'opus-' : ''}${servers.join('+').replace(/:/g, '-')}.json`)
mkdirSync(join(out, '..'), { recursive: true })
const workDir = mkdtempSync(join(tmpdir(), 'airwave-bench-'))
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memory: totalmem(),
  kernel: release(),
  hostname: hostname(),
  loadavgAtStart: loadavg(),
}
const options = {
  format,
  servers,
  listeners: counts,
  duration,
  ramp,
  settle,
  warmup,
  loadgen,
  shard,
  v8Flags,
  bitrate,
  ...(opus && {
    opus: {
      ...opus,
      icecastBurstBytes: burstBytes(AIRWAVE_BURST_SECONDS, opus.streamKbps),
    },
  }),
}
const runs: RunRecord[] = []
const save = (file: string) =>
  writeFileSync(file, `${JSON.stringify({ startedAt: stamp, machine, options, workDir, runs }, null, 2)}\n`)

process.stderr.write(
  `bench: ${servers.join(', ')} at ${counts.join(', ')} listeners, ${duration} s windows${
    opus ? `, Ogg Opus (${opus.encoderKbps} kbit/s CBR, ${opus.files.length} files in ${opus.folder})` : ''
  }; logs in ${workDir}\n`,
)
for (const name of servers) {
  for (const listeners of counts) {
    const logDir = mkdtempSync(join(workDir, `${name.replace(/:/g, '-')}-${listeners}-`))
    process.stderr.write(`\n== ${name}, ${listeners} listeners\n`)
    let record: RunRecord
    try {
      const { server: serverName, icy, sse } = parseServer(name)
      const onV8 = /^(node|deno)/.test(serverName)
      const server = await serverStarter(serverName)({
        port: await freePort(),
        logDir,
        ...(onV8 && v8Flags.length > 0 && { v8Flags }),
        ...(opus && { opus }),
      })
      process.stderr.write(`   ${server.version}, pid ${server.pid}, ${server.url}; warming up ${warmup} s\n`)
      await sleep(warmup * 1000)
      const holders = sse ? await holdEventStreams(new URL('/api/events', server.url).href, sseClients) : undefined
      try {
        const result = await runShardedLoad(loadgen, {
          url: server.url,
          listeners,
          ramp,
          duration,
          settle,
          bitrate,
          format,
          pids: [server.pid, ...server.helperPids],
          icy,
          shard,
        })
        record = { server: name, version: server.version, listeners, logDir, result }
        process.stderr.write(formatResult(result).replace(/^/gm, '   '))
      } finally {
        holders?.kill()
        await server.stop()
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      process.stderr.write(`   FAILED: ${message}\n`)
      record = { server: name, listeners, logDir, error: message }
    }
    runs.push(record)
    save(`${out}.tmp`)
    await sleep(cooldown * 1000)
  }
}
save(`${out}.tmp`)
renameSync(`${out}.tmp`, out)

process.stdout.write(`\n${fullReport(runs, options)}`)
process.stdout.write(`\nraw results: ${out}\nserver logs: ${workDir}\n`)
