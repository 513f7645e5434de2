import { afterAll, describe, expect, test } from 'bun:test'
import type { StationConfigInput } from '../../src/config/schema.ts'
import { parseStationConfig } from '../../src/config/schema.ts'
import { StationError } from '../../src/station/station.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { openListener } from '../helpers/listen-client.ts'
import { ffmpegSource } from '../helpers/source-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { startStation } from '../helpers/station.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const dir = tempDir()
afterAll(() => dir.remove())

const old = [dir.copy(fixtures.chirp(2, 440, { title: 'Old One' }), 'old/1.mp3')]
const fresh = [dir.copy(fixtures.chirp(2, 660, { title: 'New One' }), 'new/1.mp3')]
dir.copy(fixtures.aac(1, 500), 'aac/1.aac')

const config = (mounts: StationConfigInput['mounts'], station: Partial<StationConfigInput> = {}) =>
  parseStationConfig({ host: '127.0.0.1', port: 0, adminPassword: 'hackme', ...station, mounts }, 'airwave.json')

const basic = (user: string, password: string) => ({ Authorization: `Basic ${btoa(`${user}:${password}`)}` })

describe('Station.reload', () => {
  test(
    'new mounts open, changed playlists play from the next track, a removed mount hands its listeners to its fallback, passwords change at once',
    async () => {
      const running = await startStation([
        { path: '/main', playlist: old },
        { path: '/gone', playlist: old },
      ], { station: { adminPassword: 'hackme' } })
      try {
        await running.onAir()
        const main = running.station.mount('/main')!
        const gone = await openListener(`${running.url}/gone`)
        await waitFor(() => gone.bytes().length > 0, 5000, 'the /gone listener to hear audio')
        const report = await running.station.reload(config([
          { path: '/main', playlist: fresh, burst: 5, name: 'Main' },
          { path: '/added', playlist: fresh },
        ], { adminPassword: 'new-secret', port: 9999 }))
        expect(report).toEqual({
          added: ['/added'],
          removed: ['/gone'],
          updated: ['station settings', '/main'],
          kept: ['port', '/main burst'],
        })
        expect(running.logs.some((l) => l.includes('configuration reloaded: added /added; removed /gone'))).toBe(true)
        // At once: the name, the password; kept: the burst, the port.
        expect(main.config).toMatchObject({ name: 'Main', burst: 3, playlist: fresh })
        expect(running.station.config).toMatchObject({ port: 0, adminPassword: 'new-secret' })
        const listed = await fetch(`${running.url}/admin/listmounts.json`, { headers: basic('admin', 'new-secret') })
        expect(listed.status).toBe(200)
        expect((await fetch(`${running.url}/admin/listmounts.json`, { headers: basic('admin', 'hackme') })).status)
          .toBe(
            401,
          )
        // The new mount streams; the removed one is gone: without a fallback, its listener's response ended cleanly.
        expect((await fetch(`${running.url}/gone`)).status).toBe(404)
        await waitFor(() => gone.broken, 5000, "the removed mount's listener to be ended")
        const added = await openListener(`${running.url}/added`)
        await waitFor(() => added.bytes().length > 0, 5000, 'the new mount to stream')
        await added.stop()
        // The next track of /main comes from its new playlist.
        await waitFor(() => main.onAir?.track.path === fresh[0], 10_000, "/main's new playlist on air")
        // The same file again: nothing is updated; what needs a restart is still said.
        const again = await running.station.reload(config([
          { path: '/main', playlist: fresh, burst: 5, name: 'Main' },
          { path: '/added', playlist: fresh },
        ], { adminPassword: 'new-secret', port: 9999 }))
        expect(again).toEqual({ added: [], removed: [], updated: [], kept: ['port', '/main burst'] })
      } finally {
        await running.stop()
      }
    },
    20_000,
  )

  test("a removed mount's listeners move to its fallback, their stream unbroken", async () => {
    const running = await startStation([
      { path: '/auto', playlist: old },
      { path: '/live', sourcePassword: 'dj', fallbackMount: '/auto' },
    ])
    try {
      await waitFor(() => running.station.mount('/auto')!.onAir !== undefined, 15_000, '/auto on air')
      const listener = await openListener(`${running.url}/live`)
      await waitFor(() => listener.bytes().length > 0, 5000, 'audio of the fallback')
      await running.station.reload(config([{ path: '/auto', playlist: old }]))
      expect(running.station.mount('/live')).toBeUndefined()
      const auto = running.station.mount('/auto')!
      expect(running.station.routing.homeListeners(auto).length).toBe(1)
      expect(auto.broadcaster.size).toBe(1)
      const before = listener.bytes().length
      await waitFor(() => listener.bytes().length > before + 16_000, 10_000, 'audio after the reload')
      expect(listener.broken).toBe(false)
      await listener.stop()
    } finally {
      await running.stop()
    }
  }, 20_000)

  test(
    'removing a mount a live source is on: its listeners move to the fallback, and the source is told why it goes',
    async () => {
      const running = await startStation([
        { path: '/auto', playlist: old },
        { path: '/live', fallbackMount: '/auto' },
      ], { station: { sourcePassword: 's3cret' } })
      const dj = ffmpegSource(running.sourcePort!, '/live')
      try {
        const live = running.station.mount('/live')!
        await waitFor(() => live.input === 'live', 15_000, 'the DJ on air')
        const listener = await openListener(`${running.url}/live`)
        await waitFor(() => listener.bytes().length > 8_000, 5000, 'the live audio')
        await running.station.reload(config([{ path: '/auto', playlist: old }], { sourcePassword: 's3cret' }))
        const auto = running.station.mount('/auto')!
        expect(auto.broadcaster.size).toBe(1)
        const before = listener.bytes().length
        await waitFor(() => listener.bytes().length > before + 16_000, 10_000, 'audio of the fallback')
        expect(listener.broken).toBe(false)
        expect(running.logs.some((l) => l.includes('the mount was removed from the configuration'))).toBe(true)
        await listener.stop()
      } finally {
        dj.child.kill('SIGKILL')
        await running.stop()
      }
    },
    30_000,
  )

  test('a new or changed playlist with nothing playable refuses the whole reload: nothing changes', async () => {
    const running = await startStation([{ path: '/main', playlist: old }])
    try {
      await running.onAir()
      const main = running.station.mount('/main')!
      const attempt = running.station.reload(config([
        { path: '/main', playlist: [dir.path('aac')], name: 'Changed' },
        { path: '/extra', playlist: [dir.path('nothing')] },
      ]))
      const error = await attempt.then(() => undefined, (e: unknown) => e)
      expect(error).toBeInstanceOf(StationError)
      expect(String(error)).toContain('/main: playlist: nothing in the playlist is playable')
      expect(String(error)).toContain('is AAC, the mount is MP3')
      expect(String(error)).toContain('/extra: nothing in the playlist is playable')
      expect(main.config.name).toBeUndefined()
      expect([...running.station.mounts.keys()]).toEqual(['/main'])
      expect(running.station.config.mounts.map((m) => m.path)).toEqual(['/main'])
    } finally {
      await running.stop()
    }
  })
})
