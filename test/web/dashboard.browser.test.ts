import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Browser, WatchedPage } from '../helpers/browser.ts'
import { buildClient, expectClean, launchBrowser, screenshot } from '../helpers/browser.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { openListener } from '../helpers/listen-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { ffmpegSource } from '../helpers/source-client.ts'
import { startStation } from '../helpers/station.ts'

// The operator dashboard at /admin/ in headless Chromium, as an operator uses it: log in, see who
// listens, kick one, skip a track, retitle a DJ's set.

const HOSTILE = '<img src=x onerror=alert(1)>'
const CREDENTIALS = { username: 'admin', password: 'adm1n' }

type Station = Awaited<ReturnType<typeof startStation>>
let station: Station
let operator: Browser
let stranger: Browser

beforeAll(async () => {
  buildClient()
  station = await startStation(
    [
      {
        path: '/stream',
        name: 'Test Radio',
        burst: 1,
        playlist: [
          fixtures.chirp(20, 300, { artist: 'Tester', title: 'Low Tone' }),
          fixtures.chirp(20, 900, { artist: 'Tester', title: 'High Tone' }),
        ],
      },
      { path: '/live', name: 'Live Room', burst: 1 },
    ],
    { name: 'Browser Station', station: { adminPassword: CREDENTIALS.password, sourcePassword: 's3cret' } },
  )
  operator = await launchBrowser({ httpCredentials: CREDENTIALS })
  stranger = await launchBrowser({ httpCredentials: { username: 'admin', password: 'guess' } })
}, 60_000)
afterAll(async () => {
  await operator?.close()
  await stranger?.close()
  await station?.stop()
})

const dashboardUrl = () => `${station.url}/admin/`
const panel = (w: WatchedPage, mount: string) => w.page.locator(`section.panel[data-mount="${mount}"]`)
const onAir = (mount: string) => station.station.mount(mount)!.onAir?.track.title

describe('the dashboard in Chromium', () => {
  test(
    'refuses a browser without the admin login: one with no login at all is not let in; one with a wrong password sees a page saying how to log in, and gets no data',
    async () => {
      const anonymous = await launchBrowser()
      try {
        const w = await anonymous.open()
        expect(await w.page.goto(dashboardUrl()).catch((e: Error) => e.message)).toMatch(/ERR_INVALID_AUTH_CREDENTIALS/)
        expect(await w.page.locator('section.panel').count()).toBe(0)
      } finally {
        await anonymous.close()
      }

      const w = await stranger.open()
      const response = await w.page.goto(dashboardUrl())
      expect(response!.status()).toBe(401)
      expect(await w.page.locator('h1').textContent()).toBe('Log in to see the dashboard')
      expect(await w.page.locator('section.panel').count()).toBe(0)
      // Each wrong try slows the next (401, then 429 while the address waits).
      expect([401, 429]).toContain(await w.page.evaluate(async () => (await fetch('dashboard.json')).status))
      expect([401, 429]).toContain(await w.page.evaluate(async () => (await fetch('skip.json?mount=/stream')).status))
      expect(station.logs.some((l) => /skipped to the next track/.test(l))).toBe(false)
      expect(await w.violations()).toEqual([])
      expect(w.dialogs).toEqual([])
      await w.page.close()
      await Bun.sleep(300) // the failed logins' back-off (shortened for tests) is over
    },
    30_000,
  )

  test(
    'lists the listeners (user agents as text) and charts them; Kick disconnects one, and only that one',
    async () => {
      const stays = await openListener(`${station.url}/stream`, { headers: { 'User-Agent': `Stays/1.0 ${HOSTILE}` } })
      const kicked = await openListener(`${station.url}/stream`, { headers: { 'User-Agent': 'Kick-Me/1.0' } })
      try {
        const w = await operator.open({ width: 1100, height: 900 })
        const response = await w.page.goto(dashboardUrl())
        expect(response!.status()).toBe(200)
        expect(response!.headers()['content-security-policy']).toContain("default-src 'none'")
        const stream = panel(w, '/stream')
        const rows = stream.locator('table.listeners tbody tr')
        await rows.nth(1).waitFor({ timeout: 10_000 })
        expect(await rows.count()).toBe(2)
        expect(await stream.locator('.count').textContent()).toBe('2')
        // HLS listeners (sessions asking for the playlist) are shown apart, at the next refresh.
        await (await fetch(`${station.url}/hls/stream/live.m3u8?session=dashboard-browser`)).arrayBuffer()
        await w.page.waitForFunction(
          () =>
            document.querySelector('section.panel[data-mount="/stream"] .counts .hls')?.textContent === ' · 1 on HLS',
          undefined,
          { timeout: 10_000, polling: 100 },
        )
        expect(await stream.locator('.input').textContent()).toBe('Playlist')
        const agents = await stream.locator('td.agent').allTextContents()
        expect(agents.sort()).toEqual(['Kick-Me/1.0', `Stays/1.0 ${HOSTILE}`])
        expect(await w.page.locator('img').count()).toBe(0)
        // The chart drew the listeners coming, and says so to a screen reader.
        await w.page.waitForFunction(() =>
          document.querySelector('section.panel svg')?.getAttribute('aria-label')?.match(
            /^Listeners on \/stream since \d\d:\d\d( [AP]M)?, when the station started: 2 now, at most 2$/,
          )
        )
        expect(await stream.locator('svg path.line').getAttribute('d')).toMatch(/^M[\d.]+ [\d.]+H/)
        expect(await stream.locator('svg text.tick').count()).toBeGreaterThan(3)
        await screenshot(w.page, 'dashboard')

        const row = stream.locator('tr', { hasText: 'Kick-Me/1.0' })
        const id = (await row.getAttribute('data-id'))!
        await row.getByRole('button', { name: `Kick listener #${id} (127.0.0.1)` }).click()
        await waitFor(() => kicked.broken, 5000, 'the kicked listener to be cut off')
        await stream.locator('.result').filter({ hasText: `Client ${id} removed` }).waitFor({ timeout: 5000 })
        await w.page.waitForFunction(
          () => document.querySelectorAll('section.panel[data-mount="/stream"] tbody tr').length === 1,
          undefined,
          { timeout: 5000 },
        )
        expect(await stream.locator('td.agent').allTextContents()).toEqual([`Stays/1.0 ${HOSTILE}`])
        expect(stays.broken).toBe(false)
        expect(station.station.mount('/stream')!.broadcaster.size).toBe(1)
        await expectClean(w)
        await w.page.close()
      } finally {
        await stays.stop()
        await kicked.stop()
      }
    },
    40_000,
  )

  test('Skip track starts the next track on air, and the page shows it', async () => {
    const w = await operator.open()
    await w.page.goto(dashboardUrl())
    const stream = panel(w, '/stream')
    const before = onAir('/stream')!
    await stream.locator('.on-air .title').filter({ hasText: before }).waitFor({ timeout: 5000 })
    await stream.getByRole('button', { name: 'Skip track' }).click()
    await stream.locator('.result').filter({ hasText: 'Skipped to the next track' }).waitFor({ timeout: 5000 })
    await waitFor(() => onAir('/stream') !== before, 3000, 'the next track on air')
    const after = onAir('/stream')!
    expect(['Tester - Low Tone', 'Tester - High Tone']).toContain(after)
    await stream.locator('.on-air .title').filter({ hasText: after }).waitFor({ timeout: 5000 })
    const api = (await (await fetch(`${station.url}/api/mounts/stream`)).json()) as { nowPlaying: { title: string } }
    expect(api.nowPlaying.title).toBe(after)
    await expectClean(w)
    await w.page.close()
  }, 30_000)

  test(`a DJ's set is retitled from the page; a title of ${HOSTILE} shows as text`, async () => {
    const dj = ffmpegSource(station.sourcePort!, '/live', { seconds: 60, name: 'Friday Night' })
    try {
      const w = await operator.open()
      await w.page.goto(dashboardUrl())
      const live = panel(w, '/live')
      await live.locator('.input').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 })
      expect(await live.locator('.on-air .detail').textContent()).toMatch(/^“Friday Night” live from 127\.0\.0\.1/)
      await live.getByLabel('New title').fill(HOSTILE)
      await live.getByRole('button', { name: 'Update title' }).click()
      await live.locator('.result').filter({ hasText: 'Metadata update successful' }).waitFor({ timeout: 5000 })
      await waitFor(() => onAir('/live') === HOSTILE, 3000, 'the new title on air')
      await live.locator('.on-air .title').filter({ hasText: HOSTILE }).waitFor({ timeout: 5000 })
      expect(await live.getByLabel('New title').inputValue()).toBe('')
      expect(await w.page.locator('img').count()).toBe(0)
      await screenshot(w.page, 'dashboard-live')
      await expectClean(w)
      await w.page.close()
    } finally {
      dj.child.kill('SIGKILL')
      await dj.exited
    }
  }, 40_000)
})
