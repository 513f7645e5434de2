import { beforeAll, describe, expect, test } from 'bun:test'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { fixtures } from '../helpers/fixtures.ts'
import { countingListeners } from '../helpers/sockets.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { run } from '../helpers/process.ts'
import { LEGS, onLoopback } from './runtimes.ts'

const LISTENERS = 300

describe.each(LEGS)('on $name', (leg) => {
  beforeAll(() => leg.setup(), 120_000)

  test(
    'SIGHUP reloads (from the command line here: nothing changes), and the station plays on for its listener',
    async () => {
      const [command, ...args] = leg.cli()
      const station = run(command!, [...args, ...onLoopback(1), fixtures.mp3(4, 440)])
      const open: Socket[] = []
      try {
        const [, port] = await station.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
        await station.waitFor(/on air: /)
        const [listener] = countingListeners(Number(port), '/stream', 1, 'hup', open)
        await waitFor(() => listener!.bytes > 16_000, 5000, 'the burst')
        station.child.kill('SIGHUP')
        await station.waitFor(/info {2}SIGHUP: reloading the command line$/, 5000)
        await station.waitFor(/info {2}configuration reloaded: nothing changed$/, 5000)
        const before = listener!.bytes
        await Bun.sleep(1500)
        expect(station.child.exitCode).toBeNull()
        expect(listener!.ended).toBe(false)
        // 1.5 s more of a 128 kbit/s stream.
        expect(listener!.bytes - before).toBeGreaterThan(16_000)
        station.child.kill('SIGHUP')
        await waitFor(() => station.stderr.filter((l) => l.includes('SIGHUP: reloading')).length === 2, 5000, 'again')
        expect(await fetch(`http://127.0.0.1:${port}/api/mounts/stream`).then((r) => r.status)).toBe(200)
        station.child.kill('SIGTERM')
        expect(await station.exited).toBe(0)
        expect(station.stdout.filter((line) => / "hup\/0" \d+$/.test(line))).toHaveLength(1)
      } finally {
        for (const socket of open) socket.destroy()
        station.child.kill('SIGKILL')
      }
    },
    30_000,
  )

  test(
    `SIGTERM with ${LISTENERS} listeners and a half-sent request connected ends every response, writes each listener's access-log line, and exits 0 within 5 s`,
    async () => {
      const [command, ...args] = leg.cli()
      const station = run(command!, [...args, ...onLoopback(1), fixtures.mp3(4, 440)])
      const open: Socket[] = []
      try {
        const [, port] = await station.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
        await station.waitFor(/on air: /)
        const crowd = countingListeners(Number(port), '/stream', LISTENERS, 'crowd', open)
        await waitFor(() => crowd.every((l) => l.bytes > 16_000), 15_000, 'every listener to get its burst')
        // And a client halfway through its request head, which a graceful stop would wait for (Bun's did, 10 s).
        const halfway = connect(
          { host: '127.0.0.1', port: Number(port) },
          () => halfway.write('GET /stream HTTP/1.1\r\n'),
        )
        halfway.on('error', () => {})
        open.push(halfway)
        await Bun.sleep(200)
        const signalledAt = performance.now()
        station.child.kill('SIGTERM')
        const exit = await Promise.race([station.exited, Bun.sleep(5000).then(() => 'still running after 5 s')])
        expect(exit).toBe(0)
        expect(performance.now() - signalledAt).toBeLessThan(5000)
        const access = station.stdout.filter((line) => / "crowd\/\d+" \d+$/.test(line))
        expect(access).toHaveLength(LISTENERS)
        for (const line of access) {
          expect(line).toMatch(/^127\.0\.0\.1 - - \[.*\] "GET \/stream( HTTP\/1\.1)?" 200 \d+ "-" /)
        }
        await waitFor(() => crowd.every((l) => l.ended), 2000, 'every connection to close')
        expect(station.stderr.at(-1)).toMatch(/ info {2}bye$/)
      } finally {
        for (const socket of open) socket.destroy()
        station.child.kill('SIGKILL')
      }
    },
    60_000,
  )
})
