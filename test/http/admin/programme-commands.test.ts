import { afterAll, describe, expect, test } from 'bun:test'
import { ConfigError, parseStationConfig } from '../../../src/config/schema.ts'
import type { StationConfig } from '../../../src/config/schema.ts'
import type { MountJson } from '../../../src/web/client/api-types.d.ts'
import { fixtures } from '../../helpers/fixtures.ts'
import { waitFor } from '../../helpers/manual-clock.ts'
import { startStation } from '../../helpers/station.ts'
import { tempDir } from '../../helpers/temp-dir.ts'

const dir = tempDir()
afterAll(() => dir.remove())

const music = [dir.copy(fixtures.mp3(3, 440), 'music/a.mp3'), dir.copy(fixtures.mp3(3, 550), 'music/b.mp3')]
const wanted = dir.copy(fixtures.chirp(1, 700, { artist: 'Listener', title: 'Wish' }), 'extra/wish.mp3')
const second = dir.copy(fixtures.chirp(1, 800, { title: 'Second Wish' }), 'extra/second.mp3')
const auth = { Authorization: `Basic ${btoa('admin:hackme')}` }

const admin = async (url: string, command: string, params: Record<string, string>) => {
  const response = await fetch(`${url}/admin/${command}.json?${new URLSearchParams(params)}`, { headers: auth })
  return { status: response.status, body: await response.json() as Record<string, Record<string, unknown>> }
}

describe('admin: requests', () => {
  test('queue, list, reorder, remove; a queued request is the next track on air; refusals say why', async () => {
    const running = await startStation(
      [{ path: '/radio', playlist: music, requestFolders: [dir.path('extra')] }],
      { station: { adminPassword: 'hackme' } },
    )
    try {
      await running.onAir()
      const first = await admin(running.url, 'request', { mount: '/radio', path: wanted })
      expect(first).toMatchObject({
        status: 200,
        body: { iceresponse: { message: 'Request queued: Listener - Wish', return: 1, position: 0 } },
      })
      const other = await admin(running.url, 'request', { mount: '/radio', path: second })
      await admin(running.url, 'moverequest', {
        mount: '/radio',
        id: String(other.body.iceresponse!.id),
        position: '0',
      })
      const listed = await admin(running.url, 'requests', { mount: '/radio' })
      expect((listed.body.requests!.request as { title: string; path: string }[]).map((r) => r.title)).toEqual([
        'Second Wish',
        'Listener - Wish',
      ])
      const removed = await admin(running.url, 'removerequest', {
        mount: '/radio',
        id: String(other.body.iceresponse!.id),
      })
      expect(removed.body.iceresponse).toMatchObject({ return: 1 })
      const again = await admin(running.url, 'removerequest', {
        mount: '/radio',
        id: String(other.body.iceresponse!.id),
      })
      expect(again.status).toBe(404)

      const refused = await admin(running.url, 'request', { mount: '/radio', path: '/etc/passwd' })
      expect(refused.status).toBe(422)
      expect(String(refused.body.iceresponse!.message)).toContain(
        "Request refused: /etc/passwd is not in the mount's playlists or request folders",
      )
      expect((await admin(running.url, 'request', { mount: '/radio' })).body.iceresponse!.message).toBe(
        'Missing parameter: path',
      )

      const api = await (await fetch(`${running.url}/api/mounts/radio`)).json() as MountJson
      expect(api.programme?.requests.map((r) => r.title)).toEqual(['Listener - Wish'])
      expect(api.next).toMatchObject({ title: 'Listener - Wish', role: 'request' })
      const mount = running.station.mount('/radio')!
      await waitFor(() => mount.onAir?.track.path === wanted, 10_000, 'the request on air')
      expect(mount.history[0]!.track.path).toBe(music[0])
      expect(mount.onAir!.track.role).toBe('request')
      expect((await admin(running.url, 'requests', { mount: '/radio' })).body.requests!.request).toEqual([])
    } finally {
      await running.stop()
    }
  }, 20_000)
})

describe('admin: reload', () => {
  test('re-reads the configuration and says what changed; a broken one changes nothing and says why', async () => {
    let next: () => StationConfig = () =>
      parseStationConfig(
        {
          host: '127.0.0.1',
          port: 0,
          adminPassword: 'hackme',
          mounts: [{ path: '/radio', playlist: music, name: 'Renamed' }, { path: '/more', playlist: music }],
        },
        'airwave.json',
      )
    const running = await startStation([{ path: '/radio', playlist: music }], {
      station: { adminPassword: 'hackme' },
      configSource: () => Promise.resolve(next()),
    })
    try {
      const reloaded = await admin(running.url, 'reload', {})
      expect(reloaded).toMatchObject({
        status: 200,
        body: { iceresponse: { message: 'Configuration reloaded', return: 1, added: '/more', updated: '/radio' } },
      })
      expect(running.station.mount('/radio')!.config.name).toBe('Renamed')
      next = () => {
        throw new ConfigError('airwave.json', ['mounts[0].burst: Too big: expected number to be <=60'])
      }
      const broken = await admin(running.url, 'reload', {})
      expect(broken.status).toBe(422)
      expect(String(broken.body.iceresponse!.message)).toContain('mounts[0].burst: Too big')
      expect(running.logs.some((line) => line.includes('reload refused; carrying on as before'))).toBe(true)
      expect([...running.station.mounts.keys()]).toEqual(['/radio', '/more'])
    } finally {
      await running.stop()
    }
  })
})
