import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { FrameParser } from '../../src/format/frame-parser.ts'
import { fixtures, tone } from '../helpers/fixtures.ts'
import { run } from '../helpers/process.ts'
import { parsePrometheusText } from '../helpers/prometheus.ts'
import type { RawListener } from '../helpers/sockets.ts'
import { clientPortsOf, rawListener } from '../helpers/sockets.ts'
import { ffmpegSource } from '../helpers/source-client.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import { LEGS } from '../runtime-matrix/runtimes.ts'

const ADMIN = { Authorization: `Basic ${btoa('admin:adm1n')}` }
const LISTENERS = 50

/** Waits until `check` holds, polling; fails with `what` after `ms`. */
const until = async (check: () => boolean | Promise<boolean>, what: string, ms = 20_000) => {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await Bun.sleep(100)
  }
}

/**
 * Where `b`'s bytes sit in `a`'s stream (both are the same broadcast joined at different chunks):
 * the bytes both received over the same stream positions, which must be identical.
 */
const overlap = (a: Buffer, b: Buffer): { length: number; identical: boolean } => {
  const [first, second] = a.indexOf(b.subarray(0, 512)) >= 0 ? [a, b] : [b, a]
  const at = first.indexOf(second.subarray(0, 512))
  if (at < 0) return { length: 0, identical: false }
  const length = Math.min(first.length - at, second.length)
  return { length, identical: first.subarray(at, at + length).equals(second.subarray(0, length)) }
}

/** The bitrates of the frames a listener received from byte `from` on. */
const bitratesFrom = (listener: RawListener, from: number): number[] => {
  const bitrates: number[] = []
  let offset = 0
  for (const frame of new FrameParser('mp3').push(listener.body())) {
    if (offset >= from) bitrates.push(frame.bitrate)
    offset += frame.data.length
  }
  return bitrates
}

const dir = tempDir('airwave-workers-')
afterAll(() => dir.remove())

describe.each(LEGS)('worker processes on $name', (leg) => {
  beforeAll(() => leg.setup(), 120_000)

  test(
    'one station from two workers: identical audio on both, counts and metrics add up, a takeover, a move and kicks reach every worker, a dead worker is replaced',
    async () => {
      const config = dir.write(
        `${leg.name.split(' ')[0]}.json`,
        JSON.stringify({
          adminPassword: 'adm1n',
          sourcePassword: 's3cret',
          mounts: [
            { path: '/main', playlist: [fixtures.chirp(40, 300, { title: 'Chirp' })] },
            {
              path: '/other',
              playlist: [tone({ seconds: 30, frequency: 330, codec: ['-c:a', 'libmp3lame', '-b:a', '96k'] })],
            },
          ],
        }),
      )
      const [command, ...args] = leg.cli()
      if (leg.name === 'deno') args.splice(1, 0, '--allow-run')
      const station = run(command!, [
        ...args,
        '--config',
        config,
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--workers',
        '2',
      ])
      const listeners: RawListener[] = []
      try {
        const [, port] = await station.waitFor(/listening on 127\.0\.0\.1:(\d+)/, 60_000)
        const [, first, second] = await station.waitFor(/2 worker processes serve listeners \(\w+\): pids (\d+), (\d+)/)
        const [, sourcePort] = await station.waitFor(/connect your encoder to port (\d+)/)
        const base = `http://127.0.0.1:${port}`
        const pids = [Number(first), Number(second)]
        // On V8 (Node, Deno) each worker's young generation is bounded (src/runtime/_worker-v8.ts).
        const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
        if (leg.name !== 'bun') {
          for (const pid of pids) expect(commandLine(pid).join(' ')).toContain('--max-semi-space-size=')
        }
        const admin = (command: string) => fetch(`${base}/admin/${command}`, { headers: ADMIN })
        const current = async (path: string) => {
          const { mounts } = await (await fetch(`${base}/api/mounts`)).json() as {
            mounts: { path: string; listeners: { current: number } }[]
          }
          return mounts.find((m) => m.path === path)!.listeners.current
        }

        // An event stream, through whichever worker takes it, tells of listeners on every worker.
        const events = await fetch(`${base}/api/mounts/main/events`)
        const eventReader = events.body!.getReader()
        let eventText = ''
        const eventsRead = (async () => {
          for (let r = await eventReader.read(); !r.done; r = await eventReader.read()) {
            eventText += new TextDecoder().decode(r.value)
          }
        })().catch(() => {})

        for (let i = 0; i < LISTENERS; i++) listeners.push(rawListener(Number(port), '/main', `listener-${i}`))
        await Promise.all(listeners.map((l) => l.connected))
        await until(() => listeners.every((l) => l.body().length > 60_000), 'every listener has its burst and more')

        // Spread over both workers, as the kernel (or Node's cluster) hands out connections.
        const workerOf = new Map<RawListener, number>()
        await until(() => {
          const served = pids.map((pid) => clientPortsOf(pid, Number(port)))
          for (const l of listeners) {
            const pid = pids.find((_, i) => served[i]!.has(l.port))
            if (pid) workerOf.set(l, pid)
          }
          return workerOf.size === LISTENERS
        }, 'every listener is seen on a worker')
        for (const pid of pids) expect([...workerOf.values()].filter((p) => p === pid).length).toBeGreaterThan(0)

        // The same bytes at the same stream positions, on both workers.
        const reference = listeners[0]!.body()
        for (const l of listeners.slice(1)) {
          const shared = overlap(reference, l.body())
          expect(shared.identical).toBe(true)
          expect(shared.length).toBeGreaterThan(40_000)
        }

        // One station's counts, wherever the listeners are.
        await until(async () => (await current('/main')) === LISTENERS, 'the API counts every listener')
        await until(
          () => /event: listeners\n(?:id: .*\n)?data: \{[^\n]*"current":50\b/.test(eventText),
          'the event stream counts 50',
        )
        await eventReader.cancel()
        await eventsRead
        const metrics = parsePrometheusText(await (await fetch(`${base}/metrics`)).text())
        const gauge = metrics.find((f) => f.name === 'airwave_listeners')!.metrics
        expect(Number(gauge.find((m) => m.labels?.mount === '/main')!.value)).toBe(LISTENERS)
        const status = await (await fetch(`${base}/status-json.xsl`)).json() as {
          icestats: { source: { listenurl: string; listeners: number }[] }
        }
        expect(status.icestats.source.find((s) => s.listenurl.endsWith('/main'))!.listeners).toBe(LISTENERS)
        const listed = await (await admin('listclients.json?mount=/main')).json() as {
          icestats: { source: { listener: { id: number; UserAgent: string }[] } }
        }
        expect(listed.icestats.source.listener.map((l) => l.UserAgent).sort()).toEqual(
          listeners.map((l) => l.name).sort(),
        )

        // A live source takes over: every listener, on both workers, hears it (64 kbit/s frames), then the playlist again.
        const atTakeover = listeners.map((l) => l.body().length)
        const dj = ffmpegSource(Number(sourcePort), '/main', { bitrate: '64k', seconds: 30 })
        await station.waitFor(/\[\/main\] live source on air/)
        await until(
          () => listeners.every((l, i) => bitratesFrom(l, atTakeover[i]!).slice(-5).every((b) => b === 64)),
          'every listener hears the live source',
        )
        dj.child.kill('SIGTERM')
        await station.waitFor(/\[\/main\] back to the playlist/)
        const atHandBack = listeners.map((l) => l.body().length)
        await until(
          () => listeners.every((l, i) => bitratesFrom(l, atHandBack[i]!).slice(-5).every((b) => b === 128)),
          'every listener hears the playlist again',
        )

        // moveclients moves listeners on both workers to /other (96 kbit/s), on the same connections.
        const atMove = listeners.map((l) => l.body().length)
        expect(await (await admin('moveclients?mount=/main&destination=/other')).text()).toContain('Clients moved')
        await until(
          () => listeners.every((l, i) => bitratesFrom(l, atMove[i]!).slice(-5).every((b) => b === 96)),
          'every listener hears /other',
        )
        await until(
          async () => (await current('/other')) === LISTENERS && (await current('/main')) === 0,
          'the counts follow',
        )
        expect(listeners.some((l) => l.ended)).toBe(false)

        // killclient ends one listener on each worker.
        const ids = new Map(
          (await (await admin('listclients.json?mount=/other')).json() as {
            icestats: { source: { listener: { id: number; UserAgent: string }[] } }
          }).icestats.source.listener.map((l) => [l.UserAgent, l.id]),
        )
        const kicked = pids.map((pid) => listeners.find((l) => workerOf.get(l) === pid)!)
        for (const l of kicked) {
          expect(await (await admin(`killclient?mount=/other&id=${ids.get(l.name)}`)).text()).toContain('removed')
        }
        await until(() => kicked.every((l) => l.ended), 'both kicked listeners are disconnected')
        await until(async () => (await current('/other')) === LISTENERS - 2, 'the count drops by two')

        // A worker killed outright: its listeners drop, the other worker's keep playing, another worker takes its place.
        const [dead, alive] = pids
        process.kill(dead!, 'SIGKILL')
        const survivors = listeners.filter((l) => workerOf.get(l) === alive && !kicked.includes(l))
        await until(() => listeners.filter((l) => workerOf.get(l) === dead).every((l) => l.ended), 'its listeners drop')
        await station.waitFor(new RegExp(`worker \\d \\(pid ${dead}\\) exited`))
        const [, replacement] = await station.waitFor(/worker \d serving again \(pid (\d+)\)/)
        expect(Number(replacement)).not.toBe(dead)
        await until(async () => (await current('/other')) === survivors.length, 'the count is the survivors')
        const before = survivors.map((l) => l.body().length)
        await until(
          () => survivors.every((l, i) => l.body().length > before[i]! + 16_000),
          'the survivors keep hearing',
        )
        expect(survivors.some((l) => l.ended)).toBe(false)
        const newcomers = Array.from({ length: 6 }, (_, i) => rawListener(Number(port), '/main', `newcomer-${i}`))
        listeners.push(...newcomers)
        await until(() => newcomers.every((l) => l.body().length > 48_000), 'new listeners are served')

        station.child.kill('SIGTERM')
        expect(await station.exited).toBe(0)
        for (const pid of [alive!, Number(replacement)]) {
          expect(() => process.kill(pid, 0)).toThrow()
        }
      } finally {
        for (const l of listeners) l.close()
        station.child.kill('SIGKILL')
      }
    },
    180_000,
  )
})
