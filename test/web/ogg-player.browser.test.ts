import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'bun:test'
import type { Browser } from '../helpers/browser.ts'
import { audioSamples, buildClient, describeRuns, expectClean, launchBrowser, sampleAudio } from '../helpers/browser.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { ffmpegSource } from '../helpers/source-client.ts'
import { startStation } from '../helpers/station.ts'

// An Opus mount in Chromium's own <audio> element, on the listener page and the embeddable player:
// a chained Ogg stream (a new logical stream at every track change and at a live takeover), which
// is where players are known to stop. Each track is a tone of its own, so Web Audio in the page
// tells which one is heard.

type Station = Awaited<ReturnType<typeof startStation>>
let station: Station
let browser: Browser

const TONES = [{ hz: 300, title: 'Low Tone' }, { hz: 900, title: 'High Tone' }]
const DJ_HZ = 2000

beforeAll(async () => {
  buildClient()
  browser = await launchBrowser()
  station = await startStation(
    [{
      path: '/opus',
      name: 'Opus Radio',
      burst: 2,
      playlist: TONES.map(({ hz, title }) => fixtures.opus(5, hz, { title, artist: 'Tester' })),
    }],
    { name: 'Ogg Station', station: { sourcePassword: 's3cret' } },
  )
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await station?.stop()
})

const heard = (hz: number) => (hz < 600 ? 'Low Tone' : hz < 1500 ? 'High Tone' : 'DJ')

/** Whether the audio clock moved on by at least half the wall time, in every second of `samples`. */
const stalls = (samples: { at: number; time: number }[]) =>
  samples.filter((s, i) => {
    const before = samples.findLast((b) => b.at <= s.at - 1000)
    return before !== undefined && i > 0 && s.time - before.time < 0.5 * ((s.at - before.at) / 1000)
  })

describe('an Opus mount in Chromium', () => {
  test(
    'the listener page plays it through track changes and a live takeover: the audio clock never stops, each tone is heard, and the title shown follows the tone',
    async () => {
      const w = await browser.open()
      onTestFinished(() => w.page.close().catch(() => {}))
      await w.page.goto(station.url)
      await w.page.locator('section.mount button.play').first().click()
      await w.page.waitForFunction(() => document.querySelector('audio')!.currentTime > 0.5, undefined, {
        timeout: 30_000,
        polling: 100,
      })
      await sampleAudio(w, 'section.mount .song')
      await w.page.waitForTimeout(11_000)
      const dj = ffmpegSource(station.sourcePort!, '/opus', {
        codec: ['-c:a', 'libopus', '-b:a', '64k', '-metadata', 'title=DJ'],
        sampleRate: 48_000,
        frequency: DJ_HZ,
        seconds: 8,
        format: 'ogg',
        contentType: 'audio/ogg',
      })
      expect(await dj.exited).toBe(0)
      await w.page.waitForTimeout(8000)
      const samples = await audioSamples(w)
      console.log(`Opus on the listener page: ${describeRuns(samples, heard)}`)
      expect(stalls(samples)).toEqual([])
      const tones = samples.map((s) => heard(s.hz))
      for (const tone of ['Low Tone', 'High Tone', 'DJ'] as const) expect(tones).toContain(tone)
      // Apart from the moments around a change (the page places its audio in the stream to within an
      // Ogg page, up to a second), the title shown is the one heard.
      const agree = samples.filter((s) => s.title === heard(s.hz)).length / samples.length
      expect(agree).toBeGreaterThan(0.75)
      expect(await w.page.locator('section.mount .state').first().textContent()).toBe('Playing')
      await expectClean(w)
    },
    90_000,
  )

  test('the embeddable player plays it across a track change', async () => {
    const w = await browser.open()
    onTestFinished(() => w.page.close().catch(() => {}))
    await w.page.goto(`${station.url}/embed/opus`)
    await w.page.locator('button.play').first().click()
    await w.page.waitForFunction(() => document.querySelector('audio')!.currentTime > 0.5, undefined, {
      timeout: 30_000,
      polling: 100,
    })
    await sampleAudio(w, '.song')
    await w.page.waitForTimeout(12_000)
    const samples = await audioSamples(w)
    expect(stalls(samples)).toEqual([])
    expect(new Set(samples.map((s) => heard(s.hz)))).toEqual(new Set(['Low Tone', 'High Tone']))
    await expectClean(w)
  }, 60_000)
})
