import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import type { Browser } from '../helpers/browser.ts'
import { audioSamples, describeRuns, expectClean, launchBrowser, sampleAudio } from '../helpers/browser.ts'
import { fixtures, tone } from '../helpers/fixtures.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { startStation } from '../helpers/station.ts'

// hls.js (npm), as sites use it for HLS where the browser has no HLS of its own, playing each
// HLS mount in headless Chromium from a page on another origin. Each track is a tone of its own
// (300 or 1200 Hz), so Web Audio in the page tells which one is heard, and the page shows the
// title of the ID3 metadata cue at the audio's current time.

const TONES = [{ hz: 300, title: 'Low Tone' }, { hz: 1200, title: 'High Tone' }]
const heard = (hz: number) => (hz < 750 ? 'Low Tone' : 'High Tone')
const HLS = { segmentSeconds: 2, segments: 6 }
const tags = (title: string) => ['-metadata', `title=${title}`, '-metadata', 'artist=Tester']

let station: Awaited<ReturnType<typeof startStation>>
let browser: Browser
beforeAll(async () => {
  // The test page is served by the test itself (a route), which Chromium places in no address
  // space; its Local Network Access checks would then stop it from reaching the station on loopback.
  browser = await launchBrowser({ args: ['--disable-features=LocalNetworkAccessChecks'] })
  station = await startStation([
    {
      path: '/stream',
      hls: HLS,
      playlist: TONES.map(({ hz, title }) => tone({ seconds: 7, frequency: hz, extra: tags(title) })),
    },
    {
      path: '/opus',
      hls: HLS,
      playlist: TONES.map(({ hz, title }) => fixtures.opus(7, hz, { title, artist: 'Tester' })),
    },
    {
      path: '/aac',
      hls: HLS,
      // ADTS has no tags: these carry their titles in an ID3v2 tag before the audio, as taggers write it.
      playlist: TONES.map(({ hz, title }) =>
        tone({
          seconds: 7,
          frequency: hz,
          codec: ['-c:a', 'aac', '-b:a', '128k', ...tags(title), '-write_id3v2', '1'],
          ext: 'aac',
        })
      ),
    },
  ])
  const segmented = () =>
    ['/stream', '/opus', '/aac'].every((path) => station.station.mount(path)!.hls!.segmenter.window.last)
  await waitFor(segmented, 60_000, 'a first segment on each mount')
}, 90_000)
afterAll(async () => {
  await browser?.close()
  await station?.stop()
})

/** A page on another origin (`localhost` where the station is `127.0.0.1`) that plays `source` with hls.js. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>hls.js</title>
<button>Play</button><audio></audio><p class="title"></p>
<script src="/hls.min.js"></script>
<script>
  const audio = document.querySelector('audio')
  const hls = new Hls({ enableID3MetadataCues: true })
  window.__errors = []
  hls.on(Hls.Events.ERROR, (event, data) => window.__errors.push(data.details + (data.fatal ? ' (fatal)' : '')))
  hls.loadSource(new URLSearchParams(location.search).get('source'))
  hls.attachMedia(audio)
  document.querySelector('button').onclick = () => audio.play()
  /** The title of the last TIT2 cue that began at or before the audio's clock. */
  window.__title = () => {
    let title = ''
    let start = -1
    for (const track of audio.textTracks) {
      for (const cue of track.cues ?? []) {
        if (cue.value?.key === 'TIT2' && cue.startTime <= audio.currentTime && cue.startTime > start) {
          start = cue.startTime
          title = cue.value.data
        }
      }
    }
    return title
  }
  for (const track of audio.textTracks) track.mode = 'hidden'
  audio.textTracks.onaddtrack = (event) => (event.track.mode = 'hidden')
</script>`

describe('hls.js plays each HLS mount in Chromium', () => {
  for (
    const [path, container] of [
      ['/stream', 'MP3 in MPEG-TS'],
      ['/aac', 'packed AAC'],
      ['/opus', 'Opus in fragmented MP4, titles in emsg'],
    ] as const
  ) {
    test(
      `${path} (${container}): the audio clock advances through track changes, and the ID3 cues carry each title in time with its audio`,
      async () => {
        const w = await browser.open()
        onTestFinished(() => w.page.close().catch(() => {}))
        const origin = `http://localhost:${station.port}`
        await w.page.route(`${origin}/hls-test/**`, (route) => {
          const file = new URL(route.request().url()).pathname.split('/').pop()
          return file === 'hls.min.js'
            ? route.fulfill({
              contentType: 'text/javascript',
              body: readFileSync('node_modules/hls.js/dist/hls.min.js', 'utf8'),
            })
            : route.fulfill({ contentType: 'text/html', body: PAGE.replace('/hls.min.js', '/hls-test/hls.min.js') })
        })
        await w.page.goto(
          `${origin}/hls-test/page.html?source=${encodeURIComponent(`${station.url}/hls${path}/live.m3u8`)}`,
        )
        await w.page.locator('button').click()
        await w.page.waitForFunction(() => document.querySelector('audio')!.currentTime > 0.5, undefined, {
          timeout: 30_000,
          polling: 100,
        }).catch(async (error) => {
          const hlsErrors = await w.page.evaluate(() => (window as unknown as { __errors: string[] }).__errors)
          throw new Error(`${error}; hls.js errors: ${hlsErrors.join(', ')}; page errors: ${w.errors.join(', ')}`)
        })
        await sampleAudio(w, 'p.title')
        await w.page.waitForTimeout(16_000)
        const samples = await audioSamples(w)
        console.log(`hls.js ${path}: ${describeRuns(samples, heard)}`)

        // The clock ran the whole time (16 s of audio in 16 s, give or take a busy machine's slack).
        const played = samples.at(-1)!.time - samples[0]!.time
        expect(played).toBeGreaterThan(14)
        // Both tones were heard, and so both track changes made it through.
        expect(new Set(samples.map((s) => heard(s.hz)))).toEqual(new Set(['Low Tone', 'High Tone']))
        // The title of the cue at the audio's clock is the one heard: cues are timed with the audio
        // (apart from the 40 ms between two samples at a change, and the analyser's own window).
        // Until hls.js has parsed the first segment's tag there is no cue, and no title to compare.
        const titled = samples.slice(samples.findIndex((s) => s.title !== ''))
        expect(titled.length).toBeGreaterThan(samples.length / 2)
        const agree = titled.filter((s) => s.title === heard(s.hz)).length / titled.length
        expect(agree).toBeGreaterThan(0.9)
        expect(await w.page.evaluate(() => (window as unknown as { __errors: string[] }).__errors)).toEqual([])
        await expectClean(w)
      },
      90_000,
    )
  }
})
