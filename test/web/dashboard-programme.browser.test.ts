import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Browser } from '../helpers/browser.ts'
import { buildClient, launchBrowser, screenshot } from '../helpers/browser.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { startStation } from '../helpers/station.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// The dashboard's programme and request queue in headless Chromium, as an operator uses them: see
// the slot on air and the jingles' rule, queue files, reorder and remove them, and read why a file
// is refused.

const CREDENTIALS = { username: 'admin', password: 'adm1n' }
const AUTH = { Authorization: `Basic ${btoa(`${CREDENTIALS.username}:${CREDENTIALS.password}`)}` }
const HOSTILE = '<img src=x onerror=alert(1)>'

const dir = tempDir()
// Long tracks: nothing ends (and no request starts playing) while the test runs.
const rotation = dir.copy(fixtures.mp3(90, 330), 'music/Default Tone.mp3')
const allDay = dir.copy(fixtures.mp3(90, 440), 'all-day/All Day Tone.mp3')
const jingle = dir.copy(fixtures.mp3(3, 880), 'jingles/Station ID.mp3')
const wish = dir.copy(fixtures.mp3(20, 550), 'requests/Morning Wish.mp3')
const hostile = dir.copy(fixtures.mp3(20, 660), `requests/${HOSTILE}.mp3`)
const outside = dir.copy(fixtures.mp3(4, 990), 'elsewhere/Not Allowed.mp3')

type Station = Awaited<ReturnType<typeof startStation>>
let station: Station
let operator: Browser

beforeAll(async () => {
  buildClient()
  station = await startStation(
    [
      {
        path: '/radio',
        name: 'Programme Radio',
        burst: 1,
        playlist: [rotation],
        schedule: [{ name: 'All day', playlist: [dir.path('all-day')], days: ['daily'], from: '00:00', to: '24:00' }],
        jingles: { playlist: [jingle], everyTracks: 3 },
        requestFolders: [dir.path('requests')],
      },
      { path: '/live', name: 'Live Room', burst: 1 },
    ],
    {
      name: 'Programme Station',
      station: { adminPassword: CREDENTIALS.password, sourcePassword: 's3cret', timeZone: 'Europe/Berlin' },
    },
  )
  await waitFor(() => station.station.mount('/radio')!.onAir !== undefined, 15_000, 'a track on air on /radio')
  operator = await launchBrowser({ httpCredentials: CREDENTIALS })
}, 60_000)
afterAll(async () => {
  await operator?.close()
  await station?.stop()
  dir.remove()
})

/** The request queue as the admin API lists it. */
const queued = async (): Promise<string[]> => {
  const response = await fetch(`${station.url}/admin/requests.json?mount=/radio`, { headers: AUTH })
  const body = (await response.json()) as { requests: { mount: string; request: { title: string }[] } }
  expect(body.requests.mount).toBe('/radio')
  return body.requests.request.map((r) => r.title)
}

describe('the dashboard’s programme in Chromium', () => {
  test(
    'shows the slot on air, today’s schedule and the jingles; queues requests from the form, reorders and removes them, and says why one is refused',
    async () => {
      const w = await operator.open({ width: 1100, height: 1000 })
      await w.page.goto(`${station.url}/admin/`)
      const radio = w.page.locator('section.panel[data-mount="/radio"]')
      const programme = radio.locator('.programme')
      const queue = programme.locator('ol.queue li')
      const titles = () => queue.locator('.title').allTextContents()
      const result = programme.locator('.result')

      // The programme: the slot on air, today's schedule on the station's clock, the jingles' rule.
      expect(await programme.locator('.slot').textContent()).toBe('All day')
      await programme.locator('.jingles').filter({ hasText: 'Jingles: every 3 tracks' }).waitFor({ timeout: 10_000 })
      expect(await programme.locator('.jingles').textContent()).toBe('Jingles: every 3 tracks')
      expect(await programme.locator('.tz').textContent()).toBe('Europe/Berlin')
      const slots = programme.locator('ul.slots li')
      expect(await slots.allTextContents()).toEqual(['00:00–24:00 All day on air'])
      expect(await slots.first().getAttribute('aria-current')).toBe('true')
      await programme.getByText('No requests queued.').waitFor({ timeout: 5000 })
      // A mount without a playlist has no programme.
      expect(await w.page.locator('section.panel[data-mount="/live"] .programme').isHidden()).toBe(true)

      // Two requests through the form: they queue in order, and the first is what comes next.
      const path = programme.getByLabel('File')
      await path.fill(wish)
      await programme.getByRole('button', { name: 'Request' }).click()
      await result.filter({ hasText: 'Request queued: Morning Wish' }).waitFor({ timeout: 5000 })
      expect(await path.inputValue()).toBe('')
      await queue.first().waitFor({ timeout: 5000 })
      expect(await titles()).toEqual(['Morning Wish'])
      expect(await programme.getByText('No requests queued.').isHidden()).toBe(true)
      await path.fill(hostile)
      await programme.getByRole('button', { name: 'Request' }).click()
      await result.filter({ hasText: `Request queued: ${HOSTILE}` }).waitFor({ timeout: 5000 })
      await queue.nth(1).waitFor({ timeout: 5000 })
      expect(await titles()).toEqual(['Morning Wish', HOSTILE])
      expect(await queued()).toEqual(['Morning Wish', HOSTILE])
      await programme.locator('.next').filter({ hasText: 'Next: Morning Wish' }).waitFor({ timeout: 5000 })
      // The first cannot go up, the last cannot go down.
      expect(await queue.first().getByRole('button', { name: 'Move “Morning Wish” up' }).isDisabled()).toBe(true)
      expect(await queue.nth(1).getByRole('button', { name: `Move “${HOSTILE}” down` }).isDisabled()).toBe(true)
      expect(await w.page.locator('img').count()).toBe(0)
      await screenshot(w.page, 'dashboard-programme')

      // Up: the second goes first, on the page and in the queue; the keyboard focus stays on its row.
      await queue.nth(1).getByRole('button', { name: 'Up' }).click()
      await result.filter({ hasText: 'moved to position 0' }).waitFor({ timeout: 5000 })
      await w.page.waitForFunction(
        (first) => document.querySelector('section.panel[data-mount="/radio"] ol.queue .title')?.textContent === first,
        HOSTILE,
        { timeout: 5000 },
      )
      expect(await titles()).toEqual([HOSTILE, 'Morning Wish'])
      expect(await queued()).toEqual([HOSTILE, 'Morning Wish'])
      expect(await w.page.evaluate(() => document.activeElement?.closest('li')?.querySelector('.title')?.textContent))
        .toBe(HOSTILE)
      await programme.locator('.next').filter({ hasText: `Next: ${HOSTILE}` }).waitFor({ timeout: 5000 })

      // Down puts it back; Remove takes it off the queue.
      await queue.first().getByRole('button', { name: 'Down' }).click()
      await result.filter({ hasText: 'moved to position 1' }).waitFor({ timeout: 5000 })
      await w.page.waitForFunction(
        () =>
          document.querySelector('section.panel[data-mount="/radio"] ol.queue .title')?.textContent === 'Morning Wish',
        undefined,
        { timeout: 5000 },
      )
      expect(await queued()).toEqual(['Morning Wish', HOSTILE])
      await queue.filter({ hasText: 'Morning Wish' }).getByRole('button', { name: 'Remove' }).click()
      await result.filter({ hasText: 'removed' }).waitFor({ timeout: 5000 })
      await w.page.waitForFunction(
        () => document.querySelectorAll('section.panel[data-mount="/radio"] ol.queue li').length === 1,
        undefined,
        { timeout: 5000 },
      )
      expect(await titles()).toEqual([HOSTILE])
      expect(await queued()).toEqual([HOSTILE])

      // A file outside the playlists and request folders is refused, and the page says why.
      await path.fill(outside)
      await programme.getByRole('button', { name: 'Request' }).click()
      const refusal = result.filter({ hasText: 'Request refused:' })
      await refusal.waitFor({ timeout: 5000 })
      expect(await refusal.textContent()).toContain(`${outside} is not in the mount's playlists or request folders`)
      expect(await result.getAttribute('class')).toContain('failed')
      expect(await path.inputValue()).toBe(outside)
      expect(await queued()).toEqual([HOSTILE])
      expect(await titles()).toEqual([HOSTILE])
      expect(station.station.mount('/radio')!.onAir?.track.path).toBe(allDay)

      // A reload that adds a mount: the page says so, rather than show a station it no longer is.
      const running = station.station.config
      await station.station.reload({
        ...running,
        mounts: [...running.mounts, { ...running.mounts[0]!, path: '/second', name: 'Second' }],
      })
      await w.page.getByRole('status').filter({ hasText: 'The mounts changed' }).waitFor({ timeout: 10_000 })

      expect(await w.violations()).toEqual([])
      // The refusal's 422 is the only error Chromium logs.
      expect(w.errors.filter((e) => !/status of 422/.test(e))).toEqual([])
      expect(w.dialogs).toEqual([])
      expect(w.outside).toEqual([])
      await w.page.close()
    },
    60_000,
  )
})
