import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { fixtures } from '../helpers/fixtures.ts'
import { openListener } from '../helpers/listen-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { startStation } from '../helpers/station.ts'

const first = { artist: 'Alpha Band', title: 'First Light', album: 'Demo' }
let station: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  station = await startStation([
    {
      path: '/stream',
      playlist: [
        fixtures.chirp(1, 300, first),
        fixtures.chirp(1, 600, { title: 'Second' }),
        fixtures.chirp(1, 900, { artist: 'C', title: 'Third' }),
      ],
      name: 'API',
    },
    { path: '/deep/mount', playlist: [fixtures.aac(2)] },
  ])
})
afterAll(() => station.stop())

const get = async (path: string, init?: RequestInit) => {
  const response = await fetch(`${station.url}${path}`, init)
  return { status: response.status, body: await response.json() }
}

describe('the JSON API', () => {
  test('GET /api/mounts/<name>: format, counts, now playing with elapsed and duration, next, history', async () => {
    const mount = station.station.mount('/stream')!
    await waitFor(() => mount.history.length >= 3, 6000, 'a few tracks')
    const listener = await openListener(`${station.url}/stream`, { headers: { 'User-Agent': 'api-test' } })
    const { status, body } = await get('/api/mounts/stream')
    expect(status).toBe(200)
    expect(body).toMatchObject({
      path: '/stream',
      listenUrl: `${station.url}/stream`,
      name: 'API',
      format: 'mp3',
      contentType: 'audio/mpeg',
      bitrate: 128,
      sampleRate: 44100,
      channels: 2,
      metaint: 16000,
      listeners: { current: 1, unique: 1, slowDrops: 0 },
    })
    expect(body.listeners.peak).toBeGreaterThanOrEqual(1)
    const titles = ['Alpha Band - First Light', 'Second', 'C - Third']
    const now = body.nowPlaying
    expect(titles).toContain(now.title)
    expect(now.elapsed).toBeGreaterThanOrEqual(0)
    expect(now.elapsed).toBeLessThan(1.3)
    expect(now.duration).toBeGreaterThan(0.9)
    expect(now.remaining).toBeCloseTo(Math.max(0, now.duration - now.elapsed), 1)
    expect(now.position).toBeLessThanOrEqual(body.position)
    expect(body.next.title).toBe(titles[(titles.indexOf(now.title) + 1) % 3])
    expect(body.history.length).toBeGreaterThanOrEqual(3)
    expect(body.history[0].title).toBe(titles[(titles.indexOf(now.title) + 2) % 3])
    expect(body.history[0].position).toBeLessThan(now.position)
    const alpha = [now, ...body.history].find((t: { title: string }) => t.title === titles[0])
    expect(alpha).toMatchObject({ artist: 'Alpha Band', song: 'First Light', album: 'Demo', origin: 'playlist' })
    await listener.stop()
  })

  test('GET /api/mounts lists every mount; nested mount names work; unknown ones are a 404 naming the mounts', async () => {
    const { body } = await get('/api/mounts')
    expect(body.mounts.map((m: { path: string }) => m.path)).toEqual(['/stream', '/deep/mount'])
    expect((await get('/api/mounts/deep/mount')).body.format).toBe('aac')
    expect(await get('/api/mounts/nope')).toEqual({
      status: 404,
      body: { error: 'no mount /nope', mounts: ['/stream', '/deep/mount'] },
    })
  })
})

describe('honest listener counts', () => {
  test('HEAD requests and Safari-style range probes are not listeners', async () => {
    const mount = station.station.mount('/stream')!
    await waitFor(() => mount.broadcaster.size === 0, 2000, 'no listeners')
    const before = mount.broadcaster.stats.connections
    const head = await fetch(`${station.url}/stream`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    const probe = await fetch(`${station.url}/stream`, { headers: { Range: 'bytes=0-1' } })
    expect(probe.status).toBe(206)
    expect(probe.headers.get('content-range')).toBe('bytes 0-1/*')
    expect([...new Uint8Array(await probe.arrayBuffer())]).toEqual([0xff, expect.any(Number)])
    expect(mount.broadcaster.stats.connections).toBe(before)
    expect(mount.listenerCounts().current).toBe(0)
    // An open-ended range is a player that wants the stream: it is a listener.
    const open = await openListener(`${station.url}/stream`, { headers: { Range: 'bytes=0-' } })
    expect(open.response.status).toBe(200)
    expect(mount.listenerCounts().current).toBe(1)
    await open.stop()
  })

  test('unique counts one per address and user agent', async () => {
    const mount = station.station.mount('/stream')!
    await waitFor(() => mount.broadcaster.size === 0, 2000, 'no listeners')
    const open = (agent: string) => openListener(`${station.url}/stream`, { headers: { 'User-Agent': agent } })
    const listeners = await Promise.all([open('phone'), open('phone'), open('laptop')])
    expect(mount.listenerCounts()).toMatchObject({ current: 3, unique: 2 })
    await Promise.all(listeners.map((l) => l.stop()))
  })
})

describe('player playlists', () => {
  test('/<mount>.m3u and /<mount>.pls point players at the stream', async () => {
    const m3u = await fetch(`${station.url}/stream.m3u`)
    expect(m3u.headers.get('content-type')).toBe('audio/x-mpegurl; charset=utf-8')
    expect(await m3u.text()).toBe(`#EXTM3U\n#EXTINF:-1,API\n${station.url}/stream\n`)
    const pls = await fetch(`${station.url}/deep/mount.pls`)
    expect(pls.headers.get('content-type')).toBe('audio/x-scpls; charset=utf-8')
    expect(await pls.text()).toBe(
      `[playlist]\nNumberOfEntries=1\nFile1=${station.url}/deep/mount\nTitle1=/deep/mount\nLength1=-1\nVersion=2\n`,
    )
    expect((await fetch(`${station.url}/nothing.m3u`)).status).toBe(404)
  })
})
