import { beforeAll, describe, expect, test } from 'bun:test'
import { fixtures } from '../helpers/fixtures.ts'
import { openListener } from '../helpers/listen-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { run } from '../helpers/process.ts'
import { decodeMp3 } from '../helpers/source-client.ts'
import { ADMIN_PASSWORD, fuzzCases, SOURCE_PASSWORD } from './fuzz-cases.ts'
import type { Exchange } from './fuzz-wire.ts'
import { halfClosedConnections } from '../helpers/sockets.ts'
import { exchange, hasStackTrace, playAll } from './fuzz-wire.ts'
import { LEGS, onLoopback } from './runtimes.ts'

/**
 * Every runtime gets the same cases, from a fixed seed so that every run of the suite is the same;
 * AIRWAVE_FUZZ_SEED=<n> explores (or replays) another, AIRWAVE_FUZZ_CASES sets how many.
 */
const SEED = process.env.AIRWAVE_FUZZ_SEED ? Number(process.env.AIRWAVE_FUZZ_SEED) : 2144770635
const CASES = Number(process.env.AIRWAVE_FUZZ_CASES ?? 2500)
const CONCURRENCY = 32
console.log(`fuzz: seed ${SEED}, ${CASES} cases per runtime (replay with AIRWAVE_FUZZ_SEED=${SEED})`)

const sent = (e: Exchange) => Buffer.concat(e.fuzz.writes).toString('latin1')
const quoted = (text: string, max = 160) => JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text)
const shown = (e: Exchange) => `${e.fuzz.kind}: ${quoted(sent(e))} -> ${quoted(e.text, 300)}`

/** The request head reached the server whole (so it owes an answer or a close), as far as the bytes tell. */
const wholeHead = (e: Exchange) => {
  const bytes = e.fuzz.awaitAnswer ? e.fuzz.writes[0]! : Buffer.concat(e.fuzz.writes)
  return !e.fuzz.abort && /\r?\n\r?\n/.test(bytes.toString('latin1').replace(/^[\r\n]+/, ''))
}

const closedUnanswered = (e: Exchange) => e.closed && e.statuses.length === 0 && wholeHead(e)

/** A log line a request wrote itself: the fuzz cases' paths carry `%0A2026-01-01T00:00:00.000Z error  injected`. */
const forgedLine = (line: string) => line.startsWith('2026-01-01T00:00:00.000Z')

interface Run {
  runtime: string
  exchanges: Exchange[]
  /** Whole request heads still neither answered nor closed when replayed alone, with 3 s to answer. */
  hung: Exchange[]
  seconds: number
  longestSilenceMs: number
  /** Server connections the client closed and the server did not (CLOSE_WAIT), per port. */
  halfClosed: { listen: number; source: number }
  stderr: string[]
}

/** What the fuzzer saw on one runtime, for the test's output: answers per port, 5xx, closes, hangs, and the server's own lines. */
const report = (r: Run): string => {
  const firstStatuses = (port: string) => {
    const counts = new Map<string, number>()
    for (const e of r.exchanges.filter((e) => e.fuzz.port === port)) {
      const key = e.statuses[0] ? String(e.statuses[0]) : e.closed ? 'closed unanswered' : 'unanswered'
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    return `  first status on the ${port} port: ${[...counts].sort().map(([k, n]) => `${k} x${n}`).join(', ')}`
  }
  const examples = (label: string, picked: Exchange[]) => [
    `  ${label}: ${picked.length}`,
    ...picked.slice(0, 3).map((e) => `    ${shown(e)}`),
  ]
  const lines = (label: string, picked: string[], max = 4) => [
    `  ${label}: ${picked.length}`,
    ...picked.slice(0, max).map((line) => `    ${quoted(line, 300)}`),
  ]
  const fiveHundreds = [...new Set(r.exchanges.flatMap((e) => e.statuses.filter((s) => s >= 500)))].sort()
  return [
    `fuzz report, ${r.runtime} (seed ${SEED}): ${r.exchanges.length} cases in ${r.seconds.toFixed(1)} s`,
    firstStatuses('listen'),
    firstStatuses('source'),
    `  live sources let in: ${r.stderr.filter((line) => line.includes('live source connected')).length}`,
    `  the listener's longest silence: ${Math.round(r.longestSilenceMs)} ms`,
    ...fiveHundreds.flatMap((status) =>
      examples(`${status} answers`, r.exchanges.filter((e) => e.statuses.includes(status)))
    ),
    ...examples('stack traces in answers', r.exchanges.filter((e) => hasStackTrace(e.text))),
    ...examples('whole request heads closed without an answer', r.exchanges.filter(closedUnanswered)),
    ...examples('whole request heads neither answered nor closed in 3 s', r.hung),
    `  server connections left half-closed (CLOSE_WAIT), listener/source port: ${r.halfClosed.listen}/${r.halfClosed.source}`,
    // deno-lint-ignore no-control-regex -- finding control characters is the point
    ...lines('server lines with control characters', r.stderr.filter((line) => /[\u0000-\u001f\u007f]/.test(line))),
    ...lines('server lines forged by a request', r.stderr.filter(forgedLine)),
    ...lines(
      'server lines that are not its own info/warn lines',
      r.stderr.filter((line) => !/^\d{4}-\d\d-\d\dT\S+ (debug|info |warn ) /.test(line)),
      12,
    ),
  ].join('\n')
}

describe.each(LEGS)('on $name', (leg) => {
  beforeAll(() => leg.setup(), 120_000)

  test(
    'thousands of random and mutated requests and source handshakes on both ports: the station stays up, answers the valid ones among them without a 500 or a stack trace, and its listener hears no gap',
    async () => {
      const [command, ...args] = leg.cli()
      const station = run(command!, [...args, ...onLoopback(1), fixtures.mp3(4, 440), fixtures.mp3(4, 550)], {
        env: { ...process.env, AIRWAVE_SOURCE_PASSWORD: SOURCE_PASSWORD, AIRWAVE_ADMIN_PASSWORD: ADMIN_PASSWORD },
      })
      let listener: Awaited<ReturnType<typeof openListener>> | undefined
      try {
        const listen = Number((await station.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1])
        const source = Number((await station.waitFor(/live sources: connect your encoder to port (\d+)/))[1])
        const ports = { listen, source }
        await station.waitFor(/on air: /)
        const openedAt = performance.now()
        listener = await openListener(`http://127.0.0.1:${listen}/stream`)
        const heard = listener
        await waitFor(() => heard.frames().length > 0, 10_000, 'the listener to get audio')

        const started = performance.now()
        const exchanges = await playAll(fuzzCases(SEED, CASES), ports, CONCURRENCY)
        const seconds = (performance.now() - started) / 1000
        const silent = exchanges.filter((e) => e.statuses.length === 0 && !e.closed && wholeHead(e)).slice(0, 32)
        const replayed = await Promise.all(silent.map((e) => exchange({ ...e.fuzz, readMs: 3000 }, ports[e.fuzz.port])))
        await Bun.sleep(500)
        const arrivals = [...heard.reads.map((r) => r.at), performance.now() - openedAt]
        const fuzzed: Run = {
          runtime: leg.name,
          exchanges,
          hung: replayed.filter((e) => e.statuses.length === 0 && !e.closed),
          seconds,
          longestSilenceMs: Math.max(...arrivals.slice(1).map((at, i) => at - arrivals[i]!)),
          halfClosed: { listen: halfClosedConnections(listen), source: halfClosedConnections(source) },
          stderr: station.stderr,
        }
        console.log(report(fuzzed))

        // The server is up, and its listener heard the broadcast all along, without a gap or a broken frame.
        expect(station.child.exitCode).toBeNull()
        expect(heard.broken).toBe(false)
        expect(fuzzed.longestSilenceMs).toBeLessThan(5000)
        await heard.stop()
        expect((await decodeMp3(heard.bytes())).errors).toEqual([])

        // The cases reached the server (from 127.0.0.2 and up too): most got an answer.
        expect(exchanges.filter((e) => e.statuses.length > 0).length).toBeGreaterThan(CASES / 2)
        // Every valid request mixed in got its answer; no answer was a 500 or carried a stack trace, and no
        // request wrote a line of the server's log.
        const controls = exchanges.filter((e) => e.fuzz.expect !== undefined)
        expect(controls.length).toBeGreaterThan(0)
        expect(controls.filter((e) => e.statuses[0] !== e.fuzz.expect).map(shown)).toEqual([])
        expect(
          exchanges.filter((e) => e.statuses.includes(500)).map(shown),
        ).toEqual([])
        expect(exchanges.filter((e) => hasStackTrace(e.text)).map(shown)).toEqual([])
        // Bun's own parser closes without a word on a method it does not know (`FOO`, `get`, `PRI`): reported only.
        if (leg.name !== 'bun') expect(exchanges.filter(closedUnanswered).map(shown)).toEqual([])
        expect(station.stderr.filter(forgedLine)).toEqual([])

        // Afterwards it answers as before, a new listener gets audio, and it shuts down cleanly.
        expect((await fetch(`http://127.0.0.1:${listen}/api/mounts`)).status).toBe(200)
        const fresh = await openListener(`http://127.0.0.1:${listen}/stream`)
        await waitFor(() => fresh.frames().length > 10, 10_000, 'a new listener to get audio')
        await fresh.stop()
        station.child.kill('SIGTERM')
        expect(await station.exited).toBe(0)
      } finally {
        await listener?.stop()
        station.child.kill('SIGKILL')
      }
    },
    120_000,
  )
})
