import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'bun:test'
import type { Browser, WatchedPage } from '../helpers/browser.ts'
import { audioSamples, buildClient, expectClean, launchBrowser, sampleAudio, screenshot } from '../helpers/browser.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { startStation } from '../helpers/station.ts'

// The listener page at GET / in headless Chromium, as a listener uses it: press play, hear the
// stream, see what plays, lose the server and get the music back without touching anything.

const HOSTILE = '<img src=x onerror=alert(1)>'
const BURST = 2
const MOUNTS = [
  {
    path: '/stream',
    name: 'Test Radio',
    description: 'Two tones, taking turns',
    burst: BURST,
    playlist: [
      fixtures.chirp(5, 300, { artist: 'Tester', title: 'Low Tone' }),
      fixtures.chirp(5, 900, { artist: 'Tester', title: 'High Tone' }),
    ],
  },
  { path: '/hostile', playlist: [fixtures.chirp(3, 500, { title: HOSTILE })] },
]

type Station = Awaited<ReturnType<typeof startStation>>
let station: Station
let browser: Browser

beforeAll(async () => {
  buildClient()
  browser = await launchBrowser()
  station = await startStation(MOUNTS, { name: 'Browser Station' })
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await station?.stop()
})

const audioTime = (w: WatchedPage) => w.page.evaluate(() => document.querySelector('audio')!.currentTime)
const text = (w: WatchedPage, selector: string) => w.page.locator(selector).first().textContent()

/** Waits until the page's audio has played past `seconds` (of the current connection). */
const playedPast = (w: WatchedPage, seconds: number, timeout = 15_000) =>
  w.page.waitForFunction((s) => document.querySelector('audio')!.currentTime > s, seconds, { timeout, polling: 100 })

describe('the listener page in Chromium', () => {
  test('loads under its strict CSP with every mount, and pressing play makes the audio advance', async () => {
    const w = await browser.open()
    const response = await w.page.goto(station.url)
    expect(response!.headers()['content-security-policy']).toContain("default-src 'none'")
    expect(await w.page.locator('section.mount').count()).toBe(2)
    expect(await w.page.locator('section.mount button.play').first().getAttribute('aria-label')).toBe('Play Test Radio')
    expect(await w.page.title()).toBe('Browser Station')

    await w.page.locator('section.mount').first().locator('button.play').click()
    await playedPast(w, 1.5)
    const before = await audioTime(w)
    await w.page.waitForTimeout(1000)
    expect((await audioTime(w)) - before).toBeGreaterThan(0.5)
    expect(await text(w, 'section.mount .state')).toBe('Playing')
    expect(await w.page.locator('section.mount button.play').first().getAttribute('aria-label')).toBe('Stop Test Radio')
    expect(await w.page.locator('section.mount .listeners').first().textContent()).toBe('1 listening')
    await screenshot(w.page, 'listener-page-desktop')
    await expectClean(w)
    await w.page.close()
  }, 30_000)

  test(
    "the shown title is the status API's, and changes when the track changes: when the audio does, not when the live edge does",
    async () => {
      const mount = station.station.mount('/stream')!
      const onAir: { at: number; title: string }[] = []
      const unsubscribe = mount.observe((e) =>
        e.type === 'track' && onAir.push({ at: Date.now(), title: e.track.song! })
      )
      const w = await browser.open()
      // Closed however the test ends: a page left playing would reconnect to the next test's station.
      onTestFinished(() => w.page.close().catch(() => {}))
      await w.page.goto(station.url)
      await w.page.locator('section.mount button.play').first().click()
      await playedPast(w, 1)

      // What the page shows is what the API says is on air.
      const api = (await (await fetch(`${station.url}/api/mounts/stream`)).json()) as {
        nowPlaying: { song: string; artist: string }
        history: { song: string }[]
      }
      expect([api.nowPlaying.song, api.history[0]?.song]).toContain((await text(w, 'section.mount .song'))!)
      expect(await text(w, 'section.mount .artist')).toBe('Tester')

      // Listen to the page's audio (Web Audio, in the page) and note each title shown: the two tracks
      // are sweeps in separate bands (300-700 Hz, 900-1300 Hz), so the loudest frequency tells which
      // one is playing.
      await sampleAudio(w, 'section.mount .song')
      await w.page.waitForTimeout(12_000)
      unsubscribe()
      const samples = await audioSamples(w)
      const heard = (hz: number) => (hz < 800 ? 'Low Tone' : 'High Tone')
      // Each change is known to within the gap since the sample before it (40 ms, unless a busy
      // machine held the page's timer back): that uncertainty is added to the tolerance.
      const changes = (differs: (s: (typeof samples)[0], before: (typeof samples)[0]) => boolean) =>
        samples.flatMap((s, i) =>
          i > 0 && differs(s, samples[i - 1]!) ? [{ ...s, uncertainty: s.at - samples[i - 1]!.at }] : []
        )
      const titleChanges = changes((s, before) => s.title !== before.title)
      // A track already heard at the first sample changed before it, by an unknown margin: it counts as
      // a change at the first sample, for a title that changes within the tolerance after it.
      const toneChanges = [
        ...(samples[0] ? [{ ...samples[0], uncertainty: 0 }] : []),
        ...changes((s, before) => heard(s.hz) !== heard(before.hz)),
      ]
      // What was seen, for the test's output: a failure on a busy machine tells by how much it missed.
      const t0 = samples[0]?.at ?? 0
      const at = (t: number) => `${((t - t0) / 1000).toFixed(2)} s`
      console.log(
        [
          `listener page: ${samples.length} samples over ${at(samples.at(-1)?.at ?? t0)}`,
          `  on air at the live edge: ${onAir.map((a) => `${a.title} ${at(a.at)}`).join(', ')}`,
          `  title changes: ${titleChanges.map((c) => `${c.title} ${at(c.at)} ±${c.uncertainty} ms`).join(', ')}`,
          `  tone changes (the first: heard at the start): ${
            toneChanges.map((c) => `${heard(c.hz)} ${at(c.at)} ±${c.uncertainty} ms`).join(', ')
          }`,
        ].join('\n'),
      )
      // A title change in the last half second may come before its tone change, after sampling ended:
      // the changes before it are judged (at least two in 11.5 s of tracks 5 s long).
      const lastAt = samples.at(-1)?.at ?? 0
      const judged = titleChanges.filter((c) => lastAt - c.at >= 500 + c.uncertainty)
      expect(judged.length).toBeGreaterThanOrEqual(2)
      for (const change of judged) {
        // The title changed within a few hundred milliseconds of the music (the page knows where its
        // audio began in the stream to within a chunk, 0.25 s)...
        const tone = toneChanges.find((t) =>
          heard(t.hz) === change.title && Math.abs(t.at - change.at) < 500 + t.uncertainty + change.uncertainty
        )
        expect(tone).toBeDefined()
        // ...which is the burst (2 s) after the track went on air at the live edge, as the API and the
        // events tell it.
        const aired = onAir.filter((a) => a.title === change.title && a.at <= change.at).at(-1)!
        expect((change.at - aired.at) / 1000).toBeGreaterThan(BURST - 0.75)
      }
      // Most of the time (all but the moments around a change) the title is the one heard.
      const agree = samples.filter((s) => s.title === heard(s.hz)).length / samples.length
      expect(agree).toBeGreaterThan(0.9)
      // Lock screens and headsets show the same title.
      expect(await w.page.evaluate(() => navigator.mediaSession.metadata?.title)).toBe(
        (await text(w, 'section.mount .song'))!,
      )
      expect(await w.page.evaluate(() => navigator.mediaSession.metadata?.artist)).toBe('Tester')
      // The track that ended is in the recent history.
      expect(await w.page.locator('section.mount').first().locator('.history li').count()).toBeGreaterThanOrEqual(1)
      await expectClean(w)
      await w.page.close()
    },
    40_000,
  )

  test(
    'after the server restarts, playback resumes by itself, without a reload, and the page says what happens',
    async () => {
      const w = await browser.open()
      await w.page.goto(station.url)
      await w.page.locator('section.mount button.play').first().click()
      await playedPast(w, 1)
      await w.page.evaluate(() => ((window as unknown as { __sameDocument: number }).__sameDocument = 42))

      const port = station.port
      await station.stop()
      let restarted = false
      try {
        // The listener is told, politely but audibly to screen readers, that the page is on it.
        const state = w.page.locator('section.mount .state').first()
        await state.filter({ hasText: /Connection lost\. Reconnecting in \d+ s…/ }).waitFor({ timeout: 30_000 })
        expect(await state.getAttribute('aria-live')).toBe('polite')
        expect(await state.getAttribute('role')).toBe('status')
        await screenshot(w.page, 'listener-page-reconnecting', { fullPage: false })

        station = await startStation(MOUNTS, { name: 'Browser Station', port })
        restarted = true
        // The page's next attempt may be up to half a minute away (its back-off, ±25 %), more on a busy machine.
        await w.page.waitForFunction(
          () => document.querySelector('section.mount .state')?.textContent === 'Playing',
          undefined,
          { timeout: 60_000 },
        )
        await playedPast(w, 1.5, 15_000)
        const before = await audioTime(w)
        await w.page.waitForTimeout(1000)
        expect((await audioTime(w)) - before).toBeGreaterThan(0.5)
        expect(await w.page.evaluate(() => (window as unknown as { __sameDocument: number }).__sameDocument)).toBe(42)
        expect(station.station.mount('/stream')!.broadcaster.size).toBe(1)
        // The restarted station's title, from its own events.
        await w.page.waitForFunction(
          () => ['Low Tone', 'High Tone'].includes(document.querySelector('section.mount .song')?.textContent ?? ''),
          undefined,
          { timeout: 5000 },
        )
        expect(await w.violations()).toEqual([])
        expect(w.dialogs).toEqual([])
      } finally {
        // The tests after this one need the station, whatever happened here.
        if (!restarted) station = await startStation(MOUNTS, { name: 'Browser Station', port })
        await w.page.close()
      }
    },
    150_000,
  )

  test(`a title tag of ${HOSTILE} shows as text, in the server's page and in the browser's updates`, async () => {
    const html = await (await fetch(station.url)).text()
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).not.toContain('<img')

    const w = await browser.open()
    await w.page.goto(station.url)
    const hostile = w.page.locator('section.mount[data-mount="/hostile"]')
    expect(await hostile.locator('.song').textContent()).toBe(HOSTILE)
    await hostile.locator('button.play').click()
    await playedPast(w, 1)
    // Updated by the browser module from the events as the track loops: still text.
    await w.page.waitForFunction(
      () => document.querySelectorAll('section.mount[data-mount="/hostile"] .history li').length > 0,
      undefined,
      { timeout: 10_000 },
    )
    expect(await hostile.locator('.history .title').first().textContent()).toBe(HOSTILE)
    expect(await hostile.locator('.song').textContent()).toBe(HOSTILE)
    expect(await w.page.evaluate(() => navigator.mediaSession.metadata?.title)).toBe(HOSTILE)
    expect(await w.page.locator('img').count()).toBe(0)
    await expectClean(w)

    // And were markup ever assigned as HTML, the CSP's Trusted Types would refuse it.
    const refused = await w.page.evaluate((markup) => {
      try {
        document.body.insertAdjacentHTML('beforeend', markup)
        return 'inserted'
      } catch (error) {
        return (error as Error).name
      }
    }, HOSTILE)
    expect(refused).toBe('TypeError')
    expect(w.dialogs).toEqual([])
    await w.page.close()
  }, 30_000)

  test('works from the keyboard on a phone-sized screen, with names for screen readers', async () => {
    const w = await browser.open({ width: 390, height: 844 })
    await w.page.goto(station.url)
    // No horizontal scrolling on a phone.
    expect(await w.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await w.page.keyboard.press('Tab')
    expect(await w.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Play Test Radio')
    await w.page.keyboard.press('Enter')
    await playedPast(w, 1)
    expect(await w.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Stop Test Radio')
    // Each mount is a region named by its heading; the progress bar has a name too.
    const section = w.page.locator('section.mount').first()
    const labelledBy = await section.getAttribute('aria-labelledby')
    expect(await w.page.locator(`#${labelledBy}`).textContent()).toBe('Test Radio')
    expect(await section.locator('progress').getAttribute('aria-label')).toBe('Track progress')
    await w.page.waitForTimeout(500)
    await screenshot(w.page, 'listener-page-phone')
    await w.page.keyboard.press('Space')
    await w.page.waitForFunction(
      () => document.querySelector('section.mount .play-text')?.textContent === 'Play',
      undefined,
      { timeout: 5000 },
    )
    const stoppedAt = await audioTime(w)
    await w.page.waitForTimeout(700)
    expect(await audioTime(w)).toBe(stoppedAt)
    await expectClean(w)
    await w.page.close()
  }, 30_000)
})
