import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { DashboardJson } from '../../../src/web/client/api-types.d.ts'
import { DASHBOARD_LISTENER_LIMIT } from '../../../src/http/admin/dashboard-json.ts'
import { buildClient } from '../../helpers/browser.ts'
import { fixtures } from '../../helpers/fixtures.ts'
import { openListener } from '../../helpers/listen-client.ts'
import { connectTestSource, framesOf } from '../../helpers/live-feed.ts'
import { waitFor } from '../../helpers/manual-clock.ts'
import { basicAuth } from '../../helpers/source-client.ts'
import { startStation } from '../../helpers/station.ts'

// The operator dashboard over HTTP: its page and the state its browser module polls. What the
// page does with them in a browser is test/web/dashboard.browser.test.ts.

const HOSTILE = '<img src=x onerror=alert(1)>'
const ADMIN = { Authorization: basicAuth('admin', 'adm1n') }

let station: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  buildClient()
  station = await startStation(
    [
      {
        path: '/stream',
        name: `Radio ${HOSTILE}`,
        playlist: [
          fixtures.chirp(4, 300, { artist: 'Tester', title: 'Low Tone' }),
          fixtures.chirp(4, 900, { artist: 'Tester', title: 'High Tone' }),
        ],
        burst: 1,
      },
      { path: '/live', burst: 1 },
    ],
    { station: { sourcePassword: 's3cret', adminPassword: 'adm1n' }, name: 'Dash <Radio>' },
  )
})
afterAll(() => station.stop())

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${station.url}${path}`, { headers, redirect: 'manual' })
const state = async (query = ''): Promise<DashboardJson> => {
  const response = await get(`/admin/dashboard.json${query}`, ADMIN)
  expect(response.status).toBe(200)
  return (await response.json()) as DashboardJson
}
const mountState = async (path: string, query = '') => (await state(query)).mounts.find((m) => m.path === path)!

describe('GET /admin/, the dashboard page', () => {
  test('/admin redirects to /admin/ (relatively, so it holds under a prefix)', async () => {
    const response = await get('/admin')
    expect(response.status).toBe(301)
    expect(response.headers.get('location')).toBe('admin/')
  })

  test('without credentials: a 401 with a Basic challenge and a page saying how to log in, under the strict CSP', async () => {
    const response = await get('/admin/')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="airwave admin"')
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'")
    const page = await response.text()
    expect(page).toContain('Log in to see the dashboard')
    expect(page).not.toContain('section class="panel"')
    // Asking without credentials is what every browser does first: it does not count as a failure.
    for (let i = 0; i < 5; i++) expect((await get('/admin/')).status).toBe(401)
    expect((await get('/admin/', ADMIN)).status).toBe(200)
  })

  test('with wrong credentials: 401, logged, and the address is slowed down', async () => {
    const wrong = { Authorization: basicAuth('admin', 'guess') }
    expect((await get('/admin/', wrong)).status).toBe(401)
    expect(
      station.logs.some((l) =>
        /admin request \/admin\/ refused from 127\.0\.0\.1: wrong user name or password/.test(l)
      ),
    ).toBe(true)
    const throttled = await get('/admin/', wrong)
    expect([401, 429]).toContain(throttled.status)
    await Bun.sleep(250)
    expect((await get('/admin/', ADMIN)).status).toBe(200)
  })

  test('with them: a panel per mount, every name and title escaped, no framing, no caching, scripts only from /assets/', async () => {
    const response = await get('/admin/', ADMIN)
    expect(response.status).toBe(200)
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.headers.get('cache-control')).toBe('no-store')
    const csp = response.headers.get('content-security-policy')!
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    const page = await response.text()
    expect(page.match(/<section class="panel"/g)).toHaveLength(2)
    expect(page).toContain('data-mount="/stream"')
    expect(page).toContain('data-mount="/live"')
    expect(page).toContain('Radio &lt;img src=x onerror=alert(1)&gt;')
    expect(page).toContain('<title>Dashboard · Dash &lt;Radio&gt;</title>')
    expect(page).not.toContain('<img')
    expect(page).toContain('<script type="module" src="../assets/dashboard.js"></script>')
    expect(page).not.toMatch(/<script>|<style|style="/)
    for (const asset of ['dashboard.js', 'chart.js', 'timeline.js', 'dashboard.css']) {
      expect((await get(`/assets/${asset}`)).status).toBe(200)
    }
  })

  test('a browser page of another origin may neither load nor drive it; a link followed to it is a navigation and is fine', async () => {
    const crossSite = { ...ADMIN, 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'cors', 'Sec-Fetch-Dest': 'empty' }
    expect((await get('/admin/dashboard.json', crossSite)).status).toBe(403)
    expect((await get('/admin/skip.json?mount=/stream', crossSite)).status).toBe(403)
    expect(
      (await get('/admin/', {
        ...ADMIN,
        'Sec-Fetch-Site': 'same-site',
        'Sec-Fetch-Mode': 'no-cors',
        'Sec-Fetch-Dest': 'iframe',
      })).status,
    ).toBe(403)
    expect(
      (await get('/admin/', {
        ...ADMIN,
        'Sec-Fetch-Site': 'cross-site',
        'Sec-Fetch-Mode': 'navigate',
        'Sec-Fetch-Dest': 'document',
      })).status,
    ).toBe(200)
  })
})

describe('GET /admin/dashboard.json, what the dashboard shows', () => {
  test('refuses without credentials', async () => {
    const response = await get('/admin/dashboard.json')
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ iceresponse: { message: 'Authentication required', return: 0 } })
  })

  test('per mount: its input, what is on air and next, and the listeners with address, user agent, time connected and bytes', async () => {
    const listener = await openListener(`${station.url}/stream`, {
      headers: { 'User-Agent': `Dash-Test/1.0 ${HOSTILE}` },
    })
    try {
      await Bun.sleep(1200)
      const mount = await mountState('/stream')
      expect(mount).toMatchObject({
        input: 'playlist',
        hasPlaylist: true,
        source: null,
        stream: 'MP3 44100 Hz stereo, 128 kbit/s',
      })
      expect(['Tester - Low Tone', 'Tester - High Tone']).toContain(mount.nowPlaying!.title)
      expect(mount.nowPlaying!.elapsed).toBeGreaterThanOrEqual(0)
      expect(['Tester - Low Tone', 'Tester - High Tone']).toContain(mount.next!)
      const mine = mount.listeners.list.find((l) => l.userAgent === `Dash-Test/1.0 ${HOSTILE}`)!
      expect(mine.address).toBe('127.0.0.1')
      expect(mine.connected).toBeGreaterThanOrEqual(1)
      // What the listener has received so far, burst included: the server's count is the client's.
      expect(mine.bytes).toBeGreaterThan(16_000)
      expect(Math.abs(mine.bytes - listener.bytes().length)).toBeLessThan(16_000)
      expect(mount.listeners).toMatchObject({ current: 1, matching: 1 })
      // HLS listeners are counted apart (sessions that fetch the playlist), not as stream listeners.
      await (await fetch(`${station.url}/hls/stream/live.m3u8?session=dashboard-test`)).arrayBuffer()
      expect((await mountState('/stream')).hlsSessions).toBe(1)
      const live = await mountState('/live')
      expect(live).toMatchObject({
        input: null,
        hasPlaylist: false,
        nowPlaying: null,
        listeners: { current: 0, list: [] },
      })
    } finally {
      await listener.stop()
    }
  })

  test('the filter matches id, address and user agent, case-insensitively; the count says how many matched', async () => {
    const a = await openListener(`${station.url}/stream`, { headers: { 'User-Agent': 'VLC/3.0.20 LibVLC/3.0.20' } })
    const b = await openListener(`${station.url}/stream`, { headers: { 'User-Agent': 'Lavf/60.16.100' } })
    try {
      await waitFor(() => station.station.mount('/stream')!.broadcaster.size === 2, 3000, 'two listeners')
      const vlc = await mountState('/stream', '?filter=vlc')
      expect(vlc.listeners.list.map((l) => l.userAgent)).toEqual(['VLC/3.0.20 LibVLC/3.0.20'])
      expect(vlc.listeners).toMatchObject({ current: 2, matching: 1 })
      const id = vlc.listeners.list[0]!.id
      expect((await mountState('/stream', `?filter=%23${id}`)).listeners.list.map((l) => l.id)).toEqual([id])
      expect((await mountState('/stream', '?filter=127.0.0')).listeners.matching).toBe(2)
      expect((await mountState('/stream', '?filter=nobody')).listeners).toMatchObject({ matching: 0, list: [] })
    } finally {
      await a.stop()
      await b.stop()
    }
  })

  test('the listener history covers the range asked for (an hour by default; 6 h and 24 h offered), and saw the listeners come and go', async () => {
    const hour = await mountState('/stream')
    expect(hour.history.step).toBe(10)
    expect(Math.max(...hour.history.peak)).toBeGreaterThanOrEqual(2)
    expect(hour.history.low.every((low, i) => low <= hour.history.peak[i]!)).toBe(true)
    const all = await state('?range=86400')
    expect(all.range).toBe(86400)
    expect(all.ranges).toEqual([3600, 21600, 86400])
    expect((await state('?range=12345')).range).toBe(3600)
    expect(all.listenerLimit).toBe(DASHBOARD_LISTENER_LIMIT)
  })

  test('a live source shows as the input, with where it connects from and for how long', async () => {
    const live = station.station.mount('/live')!
    const source = connectTestSource(live, await framesOf(fixtures.mp3(3, 660)), { title: 'DJ set' })
    source.pushUntil(2)
    try {
      await waitFor(() => live.input === 'live', 3000, 'the source on air')
      const mount = await mountState('/live')
      expect(mount.input).toBe('live')
      expect(mount.source).toMatchObject({ kind: 'live', origin: 'test', userAgent: 'test' })
      expect(mount.source!.connected).toBeGreaterThanOrEqual(0)
    } finally {
      source.feed.end('bye')
      await waitFor(() => live.input === undefined, 3000, 'the source gone')
    }
  })
})

describe('the dashboard with the admin area off', () => {
  test('says how to turn it on (403), and never asks for a login', async () => {
    const off = await startStation([{ path: '/stream', playlist: [fixtures.mp3(2)] }])
    try {
      const page = await fetch(`${off.url}/admin/`)
      expect(page.status).toBe(403)
      expect(page.headers.get('www-authenticate')).toBeNull()
      expect(await page.text()).toContain(
        'start airwave with --admin-password (or AIRWAVE_ADMIN_PASSWORD) to turn it on',
      )
      expect((await fetch(`${off.url}/admin/dashboard.json`)).status).toBe(403)
    } finally {
      await off.stop()
    }
  })
})
