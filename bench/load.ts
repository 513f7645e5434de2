/**
 * The load generator: N listeners over loopback, read in real time.
 *
 *   bun bench/load.ts --listeners 1000 --duration 60 http://127.0.0.1:8000/stream
 *
 * See `--help` and bench/README.md.
 */
import process from 'node:process'
import { parseArgs } from 'node:util'
import { formatResult } from './load/format.ts'
import { runLoad } from './load/generator.ts'
import type { Target } from './load/listener.ts'
import type { LoadSettings } from './load/result.ts'

const HELP = `bench/load.ts: opens N listeners on a stream over loopback and reads them in real time

Usage: bun bench/load.ts [options] [url]      (url default http://127.0.0.1:8000/stream)

  -n, --listeners <n>     listeners to open (default 100)
  -r, --ramp <n>          listeners opened per second (default 500)
  -d, --duration <s>      measurement window, seconds (default 30)
      --settle <s>        wait after every listener got audio, before the window (default 2)
      --bitrate <kbit/s>  nominal bitrate of the stream, payload bytes per second of audio (default 128)
      --format <f>        mp3 (default: payload taken as it comes) or opus: the response must be
                          audio/ogg, its payload Ogg pages from the first byte, the first an OpusHead
      --burst-window <s>  bytes within this long after the first byte count as burst (default 0.5)
      --timeout <s>       a listener with no audio after this long failed (default 15)
      --underrun <ratio>  rate after the burst below ratio x bitrate is an underrun (default 0.95)
      --http <1.0|1.1>    request protocol (default 1.1; chunked responses are decoded)
      --icy               ask for ICY metadata (Icy-MetaData: 1); the bytes counted then include the blocks
      --pid <pid>         server process to sample (CPU, RSS); repeatable
      --json              print the result as JSON instead of text
      --raw               with --json, include one record per listener
  -q, --quiet             no progress lines on stderr
  -h, --help
Traffic goes to 127.0.0.1 only; the run ends by itself after the window.
`

const fail = (message: string): never => {
  process.stderr.write(`bench/load.ts: ${message}\n`)
  process.exit(2)
}

const positive = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) fail(`--${name}: expected a positive number, got "${value}"`)
  return n
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    listeners: { type: 'string', short: 'n' },
    ramp: { type: 'string', short: 'r' },
    duration: { type: 'string', short: 'd' },
    settle: { type: 'string' },
    bitrate: { type: 'string' },
    format: { type: 'string' },
    'burst-window': { type: 'string' },
    timeout: { type: 'string' },
    underrun: { type: 'string' },
    http: { type: 'string' },
    icy: { type: 'boolean' },
    pid: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    raw: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  process.stdout.write(HELP)
  process.exit(0)
}

const url = new URL(positionals[0] ?? 'http://127.0.0.1:8000/stream')
if (url.protocol !== 'http:') fail(`only http: URLs, got ${url.protocol}`)
if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
  fail(`the load goes to 127.0.0.1 only, got ${url.hostname}`)
}
const httpVersion = values.http ?? '1.1'
if (httpVersion !== '1.0' && httpVersion !== '1.1') fail(`--http: 1.0 or 1.1, got ${httpVersion}`)
const format = values.format ?? 'mp3'
if (format !== 'mp3' && format !== 'opus') fail(`--format: mp3 or opus, got ${format}`)
const target: Target = {
  host: '127.0.0.1',
  port: Number(url.port || 80),
  path: `${url.pathname}${url.search}`,
  httpVersion: httpVersion as '1.0' | '1.1',
  icy: values.icy ?? false,
  format: format as 'mp3' | 'opus',
}
const settings: LoadSettings = {
  url: `http://127.0.0.1:${target.port}${target.path}`,
  listeners: Math.round(positive('listeners', values.listeners, 100)),
  rampPerSecond: positive('ramp', values.ramp, 500),
  durationSeconds: positive('duration', values.duration, 30),
  settleSeconds: values.settle === undefined ? 2 : Number(values.settle),
  burstWindowSeconds: positive('burst-window', values['burst-window'], 0.5),
  timeoutSeconds: positive('timeout', values.timeout, 15),
  httpVersion: target.httpVersion,
  icy: target.icy ?? false,
  format: target.format ?? 'mp3',
  bitrate: positive('bitrate', values.bitrate, 128),
  underrunRatio: positive('underrun', values.underrun, 0.95),
  pids: (values.pid ?? []).map((p) => Math.round(positive('pid', p, 0))),
}

// A hard stop, whatever happens: ramp + per-listener timeout + settling + window + margin.
const bound = settings.listeners / settings.rampPerSecond + settings.timeoutSeconds + settings.settleSeconds +
  settings.durationSeconds + 30
setTimeout(() => fail(`still running after ${bound.toFixed(0)} s: giving up`), bound * 1000).unref()

const progress = values.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`)
progress?.(
  `bench/load.ts: ${settings.listeners} listeners on ${settings.url}, ramp ${settings.rampPerSecond}/s, window ${settings.durationSeconds} s`,
)
const result = await runLoad(settings, target, { progress, raw: values.raw })
// Exit once the output is written: stdout to a pipe is asynchronous, and a large result (`--raw`)
// would otherwise be cut off.
process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : formatResult(result), () => process.exit(0))
