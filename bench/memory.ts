/**
 * Where a listener's memory goes: the demo station on one runtime, N listeners reading all the
 * time, RSS and JS heap per listener at +6 s and +36 s, and with `--snapshot` the heap's growth by
 * owner (V8) or by object type (Bun). See `--help` and bench/README.md.
 *
 *   bun bench/memory.ts --runtime node24 --listeners 1000 --snapshot
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import process from 'node:process'
import { parseArgs } from 'node:util'
import { StreamListener } from './load/listener.ts'
import { ownerDifference, ownerTotals, typeCountDifference } from './memory/heap-snapshot.ts'
import type { MemoryFigures } from './memory/server.ts'
import type { LoggedProcess } from './servers/process.ts'
import { assertExecutable, freePort, isRunning, spawnLogged, stopProcess, waitForStream } from './servers/process.ts'
import { binaries, buildDist, firstLine, node20Binary, node24Binary, ROOT } from './servers/runtimes.ts'

/** Listeners above which a run waits for the CPU benchmark's lock and takes its own. */
const LOCK_ABOVE = 200
const BENCH_LOCK = '/tmp/bench.lock'
const OWN_LOCK = '/tmp/memprobe.lock'

const HELP = `bench/memory.ts: what each listener costs in memory on one runtime

Usage: bun bench/memory.ts --runtime node24|node20|bun|deno [options]

  --runtime <name>    node24, node20 (runs dist/, built first), bun or deno
  --listeners <n>     listeners to connect (default 1000)
  --ramp <n>          listeners connected per second (default 500)
  --snapshot          heap snapshots at 0 and N listeners (taken on a second server, so the RSS
                      figures stay clean), bytes per listener by owner (Node, Deno); on Bun, the
                      change in heapStats().objectTypeCounts instead
  --keep              keep the heap snapshots (in the log folder)
  -h, --help
With more than ${LOCK_ABOVE} listeners it waits while ${BENCH_LOCK} exists and holds ${OWN_LOCK}.
`

/** Seconds of streaming before the first figures, so the burst buffer is full (3 s burst). */
const WARMUP_S = 5
/** When the figures are taken, in seconds after the first listener connected. */
const FIRST_AT_S = 6
const SECOND_AT_S = 36
const TOP = 12

const fail = (message: string): never => {
  process.stderr.write(`bench/memory.ts: ${message}\n`)
  process.exit(1)
}
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)))
const say = (line: string) => process.stderr.write(`${line}\n`)

const { values } = parseArgs({
  options: {
    runtime: { type: 'string' },
    listeners: { type: 'string', default: '1000' },
    ramp: { type: 'string', default: '500' },
    snapshot: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  process.stdout.write(HELP)
  process.exit(0)
}
const runtimeName = values.runtime ?? fail('--runtime node24|node20|bun|deno is required')
if (!['node24', 'node20', 'bun', 'deno'].includes(runtimeName)) {
  fail(`--runtime: node24, node20, bun or deno, got ${runtimeName}`)
}
const listenerCount = Number(values.listeners)
const ramp = Number(values.ramp)
if (!Number.isInteger(listenerCount) || listenerCount < 1) {
  fail(`--listeners: a positive integer, got ${values.listeners}`)
}
if (!(ramp > 0)) fail(`--ramp: a positive number, got ${values.ramp}`)

const logDir = mkdtempSync(join(tmpdir(), 'airwave-memory-'))
const serverEntry = join(ROOT, 'bench/memory/server.ts')

/** The server's command line on the chosen runtime, without the ports. */
const serverCommand = async (dir: string): Promise<{ binary: string; args: string[]; version: string }> => {
  switch (runtimeName) {
    case 'node24': {
      const binary = node24Binary()
      return {
        binary,
        args: ['--expose-gc', serverEntry],
        version: `node ${firstLine(binary, ['--version']).slice(1)}`,
      }
    }
    case 'node20': {
      // Node 20 runs no TypeScript: the server is transpiled alone and loads the library from dist/.
      const binary = node20Binary()
      await buildDist()
      if (typeof Bun === 'undefined') {
        fail('node20: run this tool with Bun (it transpiles the server with Bun.Transpiler)')
      }
      const entry = join(dir, 'server.mjs')
      writeFileSync(entry, new Bun.Transpiler({ loader: 'ts' }).transformSync(readFileSync(serverEntry, 'utf8')))
      return {
        binary,
        args: ['--expose-gc', entry, '--library', join(ROOT, 'dist')],
        version: `node ${firstLine(binary, ['--version']).slice(1)}`,
      }
    }
    case 'bun':
      return { binary: binaries.bun, args: [serverEntry], version: `bun ${firstLine(binaries.bun, ['--version'])}` }
    default:
      return {
        binary: binaries.deno,
        // Deno lets a program read /proc/self/status (RSS, RssAnon) only with --allow-all.
        args: ['run', '--allow-all', '--v8-flags=--expose-gc', serverEntry],
        version: firstLine(binaries.deno, ['--version']),
      }
  }
}

/** The servers started (killed by `cleanUp` if the run ends early). */
const started: LoggedProcess[] = []
let holdsLock = false
const cleanUp = () => {
  for (const proc of started) if (isRunning(proc.pid)) proc.child.kill('SIGKILL')
  if (holdsLock) rmSync(OWN_LOCK, { force: true })
  holdsLock = false
}
process.on('exit', cleanUp)
process.on('uncaughtException', (error) => fail(error.stack ?? String(error)))
process.on('unhandledRejection', (error) => fail(error instanceof Error ? error.stack ?? error.message : String(error)))
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanUp()
    process.exit(130)
  })
}

/** A running server of this bench: its stream port and its debug door. */
interface MemoryServer {
  /** Its log files are `<name>.out` and `<name>.err`. */
  readonly name: string
  readonly proc: LoggedProcess
  readonly port: number
  /** Asks the debug door for `path` (JSON); fails the run on an error. */
  door<T = MemoryFigures>(path: string): Promise<T>
}

/**
 * Starts the server (log files `<name>.out|.err` in the log folder), waits until `/stream`
 * delivers audio, lets it stream `WARMUP_S` so the burst buffer is full, and until the readiness
 * probe has left.
 */
const startServer = async (name: string): Promise<MemoryServer> => {
  const [port, doorPort] = [await freePort(), await freePort()]
  if (port === doorPort) fail('could not find two free ports')
  const args = [...cmd.args, '--port', String(port), '--door', String(doorPort)]
  const proc = spawnLogged(cmd.binary, args, { logDir, name, cwd: ROOT })
  started.push(proc)
  const door = async <T = MemoryFigures>(path: string): Promise<T> => {
    const log = join(logDir, `${name}.err`)
    try {
      const response = await fetch(`http://127.0.0.1:${doorPort}${path}`, { signal: AbortSignal.timeout(300_000) })
      const body = await response.json() as T & { error?: string }
      if (!response.ok) fail(`debug door ${path}: ${response.status} ${body.error ?? ''} (see ${log})`)
      return body
    } catch (error) {
      const state = isRunning(proc.pid) ? 'is running' : 'has exited'
      return fail(`debug door ${path}: ${String(error)}; the server ${state} (see ${log})`)
    }
  }
  try {
    await waitForStream(port, '/stream', {
      timeoutMs: 30_000,
      alive: () => isRunning(proc.pid),
      logHint: join(logDir, `${name}.err`),
    })
    assertExecutable(proc.pid, cmd.binary)
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }
  await sleep(WARMUP_S * 1000)
  for (let tries = 0; (await door('/mem')).listeners !== 0; tries++) {
    if (tries > 50) fail('the readiness probe is still counted as a listener after 5 s')
    await sleep(100)
  }
  return { name, proc, port, door }
}

if (listenerCount > LOCK_ABOVE) {
  if (existsSync(BENCH_LOCK)) say(`waiting while ${BENCH_LOCK} exists (a CPU benchmark is running) ...`)
  while (existsSync(BENCH_LOCK)) await sleep(10_000)
  writeFileSync(OWN_LOCK, `bench/memory.ts pid ${process.pid}, ${runtimeName}, ${listenerCount} listeners\n`)
  holdsLock = true
}

const cmd = await serverCommand(logDir)
say(`${runtimeName} (${cmd.version}), ${listenerCount} listeners; server logs in ${logDir}`)
const server = await startServer('server')
const { door } = server

/** Opens `listenerCount` listeners on `on`'s stream, `ramp` per second, and waits until each got audio or failed. */
const connect = async (
  on: MemoryServer,
): Promise<{ listeners: StreamListener[]; rampStart: number; check: (at: string) => Promise<void> }> => {
  const target = { host: '127.0.0.1', port: on.port, path: '/stream', httpVersion: '1.1' } as const
  const listeners = Array.from(
    { length: listenerCount },
    (_, i) => new StreamListener(i, target, { headerTimeoutMs: 15_000, burstWindowMs: 0 }),
  )
  const rampStart = performance.now()
  for (let opened = 0; opened < listenerCount;) {
    const due = Math.min(listenerCount, Math.ceil(((performance.now() - rampStart) / 1000) * ramp) || 1)
    for (; opened < due; opened++) listeners[opened]!.open()
    await sleep(20)
  }
  while (!listeners.every((listener) => listener.settled)) await sleep(50)
  /** Fails the run unless every listener is still receiving and the station counts them all. */
  const check = async (at: string) => {
    const failed = listeners.filter((listener) => !listener.alive)
    if (failed.length > 0) {
      const { failure, error } = failed[0]!
      fail(`${failed.length} of ${listenerCount} listeners failed by ${at} (first: ${failure}: ${error})`)
    }
    if (!isRunning(on.proc.pid)) fail(`the server exited (see ${join(logDir, `${on.name}.err`)})`)
    const counted = (await on.door('/mem')).listeners
    if (counted !== listenerCount) fail(`at ${at} the station counts ${counted} listeners, not ${listenerCount}`)
  }
  return { listeners, rampStart, check }
}

const bun = runtimeName === 'bun'
const start = await door('/gc')
const typesAt0 = values.snapshot && bun ? await door<Record<string, number>>('/types') : undefined
const measured = await connect(server)
const measure = async (at: string) => {
  const raw = await door('/mem')
  const collected = await door('/gc')
  await measured.check(at)
  return { raw, collected }
}
const firstAt = Math.max(measured.rampStart + FIRST_AT_S * 1000, performance.now())
await sleep(firstAt - performance.now())
const first = await measure(`+${FIRST_AT_S} s`)
await sleep(firstAt + (SECOND_AT_S - FIRST_AT_S) * 1000 - performance.now())
const second = await measure(`+${SECOND_AT_S} s`)
const received = measured.listeners.reduce((sum, listener) => sum + listener.bytes, 0)
const typesAtN = values.snapshot && bun ? await door<Record<string, number>>('/types') : undefined
for (const listener of measured.listeners) listener.stop()
await stopProcess(server.proc)

const snapshotPath = (name: string) => join(logDir, `${name}.heapsnapshot`)
if (values.snapshot && !bun) {
  // Heap snapshots come from a second server: writing one leaves tens of MiB of freed allocator
  // memory resident, which the listeners' allocations would reuse, so the RSS above is measured
  // without any. At 0 after the warmup, and at N at +6 s (every listener joined, bursts sent).
  say('heap snapshots at 0 and N listeners, on a second server ...')
  const snapshots = await startServer('server-snapshots')
  await snapshots.door(`/snapshot?path=${encodeURIComponent(snapshotPath('at-0'))}`)
  const loaded = await connect(snapshots)
  await sleep(loaded.rampStart + FIRST_AT_S * 1000 - performance.now())
  await loaded.check(`+${FIRST_AT_S} s`)
  await snapshots.door(`/snapshot?path=${encodeURIComponent(snapshotPath(`at-${listenerCount}`))}`)
  for (const listener of loaded.listeners) listener.stop()
  await stopProcess(snapshots.proc)
}
cleanUp()

// The report.
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`
const perListener = (after: number, before: number) => kib((after - before) / listenerCount)
const table = (head: string[], rows: string[][], right: boolean[]) => {
  const widths = head.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ')} |`
  const rule = `| ${
    widths.map((width, i) => (right[i] ? '-'.repeat(width - 1) + ':' : '-'.repeat(width))).join(' | ')
  } |`
  return [line(head), rule, ...rows.map(line)].join('\n')
}

const out: string[] = []
out.push(
  `\n${runtimeName} (${cmd.version}), ${listenerCount} listeners reading /stream (demo MP3, 128 kbit/s, 3 s burst), ` +
    `${mib(received)} received, 0 failed`,
)
out.push(
  '',
  table(
    ['', '0 listeners', `+${FIRST_AT_S} s`, `+${SECOND_AT_S} s`],
    [
      ['RSS', mib(start.rss), mib(first.raw.rss), mib(second.raw.rss)],
      ['RssAnon', mib(start.rssAnon), mib(first.raw.rssAnon), mib(second.raw.rssAnon)],
      ['JS heap used, after GC', mib(start.heapUsed), mib(first.collected.heapUsed), mib(second.collected.heapUsed)],
      [
        'JS heap committed, after GC',
        mib(start.heapCommitted),
        mib(first.collected.heapCommitted),
        mib(second.collected.heapCommitted),
      ],
      ['external, after GC', mib(start.external), mib(first.collected.external), mib(second.collected.external)],
    ],
    [false, true, true, true],
  ),
)

if (values.snapshot && typesAt0 && typesAtN) {
  const { total, rows } = typeCountDifference(typesAt0, typesAtN, listenerCount)
  out.push(
    '',
    `JSC objects per listener (heapStats().objectTypeCounts at ${listenerCount} − at 0, after GC): ${total.toFixed(1)}`,
    '',
    table(['type', 'objects/listener'], rows.slice(0, TOP).map((row) => [row.type, row.count.toFixed(1)]), [
      false,
      true,
    ]),
  )
} else if (values.snapshot) {
  say('reading the heap snapshots ...')
  const { total, rows } = ownerDifference(
    ownerTotals(snapshotPath('at-0')),
    ownerTotals(snapshotPath(`at-${listenerCount}`)),
    listenerCount,
  )
  out.push(
    '',
    `Heap snapshot at ${listenerCount} − at 0, self sizes by nearest owner: ${total.toFixed(0)} B per listener`,
    '',
    table(
      ['owner', 'B/listener', 'nodes/listener'],
      [
        ...rows.slice(0, TOP).map((row) => [row.owner, row.bytes.toFixed(0), row.nodes.toFixed(1)]),
        [
          `the other ${rows.length - TOP}`,
          rows.slice(TOP).reduce((sum, row) => sum + row.bytes, 0).toFixed(0),
          rows.slice(TOP).reduce((sum, row) => sum + row.nodes, 0).toFixed(1),
        ],
      ],
      [false, true, true],
    ),
  )
  if (!values.keep) { for (const name of ['at-0', `at-${listenerCount}`]) unlinkSync(snapshotPath(name)) }
}

out.push(
  '',
  table(
    [
      'runtime',
      'listeners',
      `RSS/listener +${FIRST_AT_S} s`,
      `RSS/listener +${SECOND_AT_S} s`,
      `RssAnon/listener +${SECOND_AT_S} s`,
      `JS heap/listener +${FIRST_AT_S} s`,
      `JS heap/listener +${SECOND_AT_S} s`,
      `heap committed/listener +${SECOND_AT_S} s`,
    ],
    [[
      runtimeName,
      String(listenerCount),
      perListener(first.raw.rss, start.rss),
      perListener(second.raw.rss, start.rss),
      perListener(second.raw.rssAnon, start.rssAnon),
      perListener(first.collected.heapUsed, start.heapUsed),
      perListener(second.collected.heapUsed, start.heapUsed),
      perListener(second.collected.heapCommitted, start.heapCommitted),
    ]],
    [false, true, true, true, true, true, true, true],
  ),
)
process.stdout.write(`${out.join('\n')}\n`)
