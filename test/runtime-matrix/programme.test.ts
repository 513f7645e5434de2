import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Socket } from 'node:net'
import type { MountJson } from '../../src/web/client/api-types.d.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { countingListeners } from '../helpers/sockets.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { run } from '../helpers/process.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import { LEGS } from './runtimes.ts'

const LISTENERS = 200
const dir = tempDir('airwave-programme-matrix-')
afterAll(() => dir.remove())

const old = [1, 2].map((n) => dir.copy(fixtures.chirp(2, 300 + 100 * n, { title: `Old ${n}` }), `old/${n}.mp3`))
const fresh = [1, 2].map((n) => dir.copy(fixtures.chirp(2, 600 + 100 * n, { title: `New ${n}` }), `new/${n}.mp3`))
const wish = dir.copy(fixtures.chirp(2, 900, { title: 'Wish' }), 'requests/wish.mp3')

const station = (playlist: string[]) =>
  JSON.stringify({
    adminPassword: 'hackme',
    mounts: [{ path: '/radio', name: 'Radio', playlist, requestFolders: [dir.path('requests')] }],
  })

describe.each(LEGS)('the programme on $name', (leg) => {
  beforeAll(() => leg.setup(), 120_000)

  test(
    `a request queued through the admin API is the next track on air; SIGHUP under ${LISTENERS} listeners puts the new playlist on air at the next track and drops none; a broken config is refused and logged`,
    async () => {
      const file = `${leg.name.replace(/\W+/g, '-')}.json`
      const config = dir.write(file, station(old))
      const [command, ...args] = leg.cli()
      const running = run(command!, [...args, '--config', config, '--host', '127.0.0.1', '--port', '0'])
      const open: Socket[] = []
      try {
        const [, port] = await running.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
        const base = `http://127.0.0.1:${port}`
        const api = async () => (await (await fetch(`${base}/api/mounts/radio`)).json()) as MountJson
        await running.waitFor(/on air: /)
        const crowd = countingListeners(Number(port), '/radio', LISTENERS, 'reload', open)
        await waitFor(() => crowd.every((l) => l.bytes > 16_000), 15_000, 'every listener to get its burst')

        // A request is the next track: the one before it began before the request was queued (the
        // pacer reads a chunk ahead, so "before" allows half a second).
        const queued = await fetch(`${base}/admin/request.json?mount=/radio&path=${encodeURIComponent(wish)}`, {
          headers: { Authorization: `Basic ${btoa('admin:hackme')}` },
        })
        const queuedAt = Date.now()
        expect(queued.status).toBe(200)
        await waitFor(
          () => running.stderr.some((l) => l.includes('on air (request): Wish')),
          10_000,
          'the request on air',
        )
        const onAir = await api()
        expect(onAir.nowPlaying).toMatchObject({ title: 'Wish', role: 'request' })
        expect(Date.parse(onAir.history[0]!.startedAt)).toBeLessThan(queuedAt + 500)

        // SIGHUP with a new playlist: on air at the next track, likewise.
        dir.write(file, station(fresh))
        running.child.kill('SIGHUP')
        await running.waitFor(/configuration reloaded: updated \/radio$/, 10_000)
        const reloadedAt = Date.now()
        await waitFor(() => running.stderr.some((l) => l.includes('on air: New 1')), 10_000, 'the new playlist')
        const reloaded = await api()
        expect(reloaded.nowPlaying!.title).toBe('New 1')
        expect(Date.parse(reloaded.history[0]!.startedAt)).toBeLessThan(reloadedAt + 500)

        // A broken config: refused with the same messages as at start-up; nothing changes.
        dir.write(
          file,
          JSON.stringify({ timeZone: 'Nowhere/Else', mounts: [{ path: '/radio', playlist: fresh, burst: 999 }] }),
        )
        running.child.kill('SIGHUP')
        const [refusal] = await running.waitFor(/reload refused; carrying on as before: .*/, 10_000)
        expect(refusal).toContain('invalid configuration in')
        // Each problem on a line of its own, as at start-up.
        await running.waitFor(/error {3}timeZone: an IANA time zone such as "Europe\/Berlin"/, 5000)
        await running.waitFor(/error {3}mounts\[0\]\.burst: Too big/, 5000)
        expect((await api()).name).toBe('Radio')

        const heard = crowd.map((l) => l.bytes)
        await Bun.sleep(1500)
        expect(running.child.exitCode).toBeNull()
        expect(crowd.filter((l) => l.ended).length).toBe(0)
        expect(crowd.filter((l, i) => l.bytes - heard[i]! < 16_000).length).toBe(0)
      } finally {
        for (const socket of open) socket.destroy()
        running.child.kill('SIGKILL')
      }
    },
    90_000,
  )
})
