import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { RunningServer } from '../../src/runtime/index.ts'
import { loadRuntime } from '../../src/runtime/index.ts'
import type { Browser } from '../helpers/browser.ts'
import { buildClient, launchBrowser, screenshot } from '../helpers/browser.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { startStation } from '../helpers/station.ts'

// The embeddable player as an operator uses it: in an <iframe> on a page of another site (here
// http://localhost:<port>, another origin than the station's http://127.0.0.1:<port>).

let station: Awaited<ReturnType<typeof startStation>>
let site: RunningServer
let browser: Browser

beforeAll(async () => {
  buildClient()
  browser = await launchBrowser()
  station = await startStation(
    [
      {
        path: '/stream',
        name: 'Test Radio',
        playlist: [fixtures.chirp(4, 300, { artist: 'Tester', title: 'Embedded Tone' })],
      },
      {
        path: '/jazz/hq',
        name: 'Jazz HQ',
        playlist: [fixtures.chirp(4, 600, { artist: 'Tester', title: 'Deep Tone' })],
      },
    ],
    { name: 'Browser Station' },
  )
  const page =
    `<!doctype html><html><head><title>Someone's blog</title></head><body style="font-family:sans-serif;max-width:40rem;margin:2rem auto">
<h1>Someone's blog</h1><p>Listen to our station:</p>
<iframe id="player" src="${station.url}/embed/stream" title="Test Radio" width="100%" height="140" style="border:0"></iframe>
<iframe id="nested" src="${station.url}/embed/jazz/hq" title="Jazz HQ" width="100%" height="140" style="border:0"></iframe>
<iframe id="page" src="${station.url}/" title="not allowed" width="100%" height="100"></iframe>
</body></html>`
  site = await (await loadRuntime()).serve(
    () => new Response(page, { headers: { 'Content-Type': 'text/html; charset=utf-8' } }),
    { hostname: '127.0.0.1', port: 0 },
  )
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await site?.close()
  await station?.stop()
})

describe('the embeddable player in Chromium', () => {
  test('plays inside an <iframe> on another site, shows the title, and only /embed/ may be framed', async () => {
    const w = await browser.open({ width: 700, height: 560 })
    await w.page.goto(`http://localhost:${site.port}/`)
    const player = w.page.frameLocator('#player')
    await player.locator('section.mount .song').filter({ hasText: 'Embedded Tone' }).waitFor({ timeout: 10_000 })
    expect(await player.locator('section.mount .artist').textContent()).toBe('Tester')
    expect(await player.locator('section.mount .name').textContent()).toBe('Test Radio')
    // A nested mount's player finds its assets and its events too.
    await w.page.frameLocator('#nested').locator('section.mount .song').filter({ hasText: 'Deep Tone' }).waitFor({
      timeout: 10_000,
    })

    await player.locator('button.play').click()
    const frame = w.page.frame({ url: /\/embed\/stream$/ })!
    await frame.waitForFunction(() => document.querySelector('audio')!.currentTime > 1.5, undefined, {
      timeout: 15_000,
    })
    expect(await player.locator('section.mount .state').textContent()).toBe('Playing')
    await frame.waitForFunction(() => document.querySelector('.listeners')?.textContent === '1 listening', undefined, {
      timeout: 5000,
    })
    expect(await frame.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([])

    // The listener page itself refuses to be framed (frame-ancestors 'none'): the frame stays empty.
    const refused = w.page.frames().find((f) => f.parentFrame() && !/\/embed\//.test(f.url()))!
    expect(await refused.locator('section.mount').count()).toBe(0)

    await screenshot(w.page, 'embed-player')
    expect(w.dialogs).toEqual([])
    expect(w.outside).toEqual([])
    await w.page.close()
  }, 40_000)
})
