import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { fixtures } from '../helpers/fixtures.ts'
import { startStation } from '../helpers/station.ts'

let station: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  station = await startStation(
    [
      {
        path: '/stream',
        playlist: [fixtures.mp3(4)],
        name: 'Radio Ωmega',
        description: 'Tones & more',
        genre: 'Test',
        url: 'https://example.org/',
        public: true,
      },
      { path: '/aac', playlist: [fixtures.aac(4)], maxListeners: 1 },
    ],
    { name: 'Test Station' },
  )
})
afterAll(() => station.stop())

const request = (path: string, init?: RequestInit) => station.app.fetch(new Request(`http://station${path}`, init))

describe('HTTP app', () => {
  test('GET /<mount> streams with Content-Type, icy-* and ice-audio-info headers, no caching, and CORS', async () => {
    const response = await request('/stream')
    expect(response.status).toBe(200)
    const h = response.headers
    expect(h.get('content-type')).toBe('audio/mpeg')
    expect(h.get('cache-control')).toBe('no-cache, no-store')
    expect(h.get('icy-br')).toBe('128')
    expect(h.get('icy-pub')).toBe('1')
    expect(h.get('ice-audio-info')).toBe('samplerate=44100;channels=2;bitrate=128')
    expect(Buffer.from(h.get('icy-name')!, 'latin1').toString('utf8')).toBe('Radio Ωmega')
    expect(h.get('icy-description')).toBe('Tones & more')
    expect(h.get('icy-genre')).toBe('Test')
    expect(h.get('icy-url')).toBe('https://example.org/')
    expect(h.get('access-control-allow-origin')).toBe('*')
    expect(h.get('access-control-allow-headers')).toContain('Icy-Metadata')
    expect(h.get('access-control-expose-headers')).toContain('Icy-MetaInt')
    const reader = response.body!.getReader()
    const first = await reader.read()
    expect(first.value![0]).toBe(0xff)
    await reader.cancel()
  })

  test('an AAC mount is audio/aac', async () => {
    const response = await request('/aac')
    expect(response.headers.get('content-type')).toBe('audio/aac')
    await response.body!.cancel()
  })

  test('HEAD gives the headers and no body, and adds no listener', async () => {
    const mount = station.station.mount('/stream')!
    const before = mount.broadcaster.stats.connections
    const response = await request('/stream', { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('audio/mpeg')
    expect(response.body).toBeNull()
    expect(mount.broadcaster.stats.connections).toBe(before)
  })

  test('HEAD with Icy-MetaData: 1 announces the metadata interval, as GET would', async () => {
    const response = await request('/stream', { method: 'HEAD', headers: { 'Icy-MetaData': '1' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('icy-metaint')).toBe('16000')
  })

  test('OPTIONS answers CORS preflight', async () => {
    const response = await request('/stream', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://player.example',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'icy-metadata',
      },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-methods')).toContain('GET')
    expect(response.headers.get('access-control-allow-headers')).toContain('Icy-Metadata')
  })

  test('an unknown mount is a 404 that lists the mounts', async () => {
    const response = await request('/nope')
    expect(response.status).toBe(404)
    expect(await response.text()).toBe('No mount at /nope.\nMounts on this station: /stream, /aac\n')
    expect((await request('/deeper/path', { method: 'HEAD' })).status).toBe(404)
  })

  test('a full mount answers 503 with Retry-After', async () => {
    const first = await request('/aac')
    const second = await request('/aac')
    expect(second.status).toBe(503)
    expect(second.headers.get('retry-after')).toBe('30')
    await first.body!.cancel()
  })

  test('GET / lists the mounts with links and players, escaping what it shows', async () => {
    const response = await request('/')
    expect(response.headers.get('content-type')).toContain('text/html')
    const html = await response.text()
    expect(html).toContain('<title>Test Station</title>')
    expect(html).toContain('href="./stream"')
    expect(html).toContain('<audio controls preload="none" src="./aac">')
    expect(html).toContain('Tones &amp; more')
    expect(html).toContain('Radio Ωmega')
  })

  test('other methods are refused', async () => {
    expect((await request('/stream', { method: 'POST' })).status).toBe(405)
  })
})
