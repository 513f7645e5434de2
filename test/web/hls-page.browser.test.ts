import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'bun:test'
import type { Browser } from '../helpers/browser.ts'
import { audioSamples, buildClient, describeRuns, expectClean, launchBrowser, sampleAudio } from '../helpers/browser.ts'
import { tone } from '../helpers/fixtures.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { startStation } from '../helpers/station.ts'

// The listener page plays a mount's HLS where the browser is Apple's and plays HLS itself (Safari,
// iOS). Chromium plays HLS itself too; told it is Apple's (navigator.vendor), it stands in for
// Safari here. Each track is a tone of its own, so Web Audio in the page tells which one is heard.

const TONES = [{ hz: 300, title: 'Low Tone' }, { hz: 1200, title: 'High Tone' }]
const heard = (hz: number) => (hz < 750 ? 'Low Tone' : 'High Tone')

let station: Awaited<ReturnType<typeof startStation>>
let browser: Browser
beforeAll(async () => {
  buildClient()
  browser = await launchBrowser()
  station = await startStation([{
    path: '/stream',
    hls: { segmentSeconds: 2, segments: 6 },
    playlist: TONES.map(({ hz, title }) =>
      tone({ seconds: 7, frequency: hz, extra: ['-metadata', `title=${title}`, '-metadata', 'artist=Tester'] })
    ),
  }])
  const window = station.station.mount('/stream')!.hls!.segmenter.window
  await waitFor(() => window.listed.length >= 3, 60_000, 'three segments')
}, 90_000)
afterAll(async () => {
  await browser?.close()
  await station?.stop()
})

describe('the listener page with HLS', () => {
  test(
    "in Apple's browsers it plays the mount's HLS: the audio clock advances through track changes, and the title shown is the one heard",
    async () => {
      const w = await browser.open()
      onTestFinished(() => w.page.close().catch(() => {}))
      await w.page.addInitScript(() =>
        Object.defineProperty(Navigator.prototype, 'vendor', { get: () => 'Apple Computer, Inc.' })
      )
      const requested: string[] = []
      w.page.on('request', (request) => requested.push(new URL(request.url()).pathname))
      await w.page.goto(station.url)
      await w.page.locator('section.mount button.play').first().click()
      await w.page.waitForFunction(() => document.querySelector('audio')!.currentTime > 0.5, undefined, {
        timeout: 30_000,
        polling: 100,
      })
      expect(requested).toContain('/hls/stream/live.m3u8')
      expect(requested).not.toContain('/stream')
      await sampleAudio(w, 'section.mount .song')
      await w.page.waitForTimeout(16_000)
      const samples = await audioSamples(w)
      console.log(`HLS on the listener page: ${describeRuns(samples, heard)}`)
      expect(samples.at(-1)!.time - samples[0]!.time).toBeGreaterThan(14)
      expect(new Set(samples.map((s) => heard(s.hz)))).toEqual(new Set(['Low Tone', 'High Tone']))
      const agree = samples.filter((s) => s.title === heard(s.hz)).length / samples.length
      expect(agree).toBeGreaterThan(0.75)
      expect(await w.page.locator('section.mount .state').first().textContent()).toBe('Playing')
      await expectClean(w)
    },
    90_000,
  )
})
