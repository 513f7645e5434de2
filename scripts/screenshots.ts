/**
 * Takes the screenshots of the web pages shown in the README (docs/*.png): a station playing the
 * built-in demo playlist on two mounts, its listener page on a desktop and on a phone while
 * playing, the embeddable player in an iframe of another site, and the operator dashboard while
 * listeners (players' user agents, over loopback) come and go. About a minute, since the history
 * and the chart fill as the demo's 20-second tracks change. Run: `bun scripts/screenshots.ts`
 * (needs Chromium, see docs/web.md).
 */
import { fileURLToPath } from 'node:url'
import { createApp } from '../src/http/app.ts'
import { createStation } from '../src/index.ts'
import { loadRuntime } from '../src/runtime/index.ts'
import { DEMO_PLAYLIST } from '../src/config/demo.ts'
import { buildClient, launchBrowser } from '../test/helpers/browser.ts'

const DOCS = fileURLToPath(new URL('../docs/', import.meta.url))

buildClient()
const station = await createStation({
  name: 'Radio airwave',
  adminPassword: 'screenshots',
  mounts: [
    {
      path: '/stream',
      playlist: [DEMO_PLAYLIST],
      name: 'Radio airwave',
      description: 'Synthesized tones around the clock',
      genre: 'Ambient',
    },
    {
      path: '/night',
      playlist: [DEMO_PLAYLIST],
      shuffle: true,
      name: 'airwave Night',
      description: 'The same tones, shuffled',
      genre: 'Ambient',
    },
  ],
})
station.start()
const runtime = await loadRuntime()
const server = await runtime.serve(createApp(station, { hooks: runtime.hooks }).fetch, {
  hostname: '127.0.0.1',
  port: 0,
})
const url = `http://127.0.0.1:${server.port}`
const site = await runtime.serve(
  () =>
    new Response(
      `<!doctype html><html><head><meta charset="utf-8"><title>A blog</title></head><body style="font:16px/1.5 Georgia,serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#222">
<h1>Our little blog</h1><p>We have a radio now. Listen while you read:</p>
<iframe src="${url}/embed/stream" title="Radio airwave" width="100%" height="140" style="border:0"></iframe>
<p>Lorem ipsum of the day: the player above is an iframe from the station's own server.</p></body></html>`,
      { headers: { 'Content-Type': 'text/html; charset=utf-8' } },
    ),
  { hostname: '127.0.0.1', port: 0 },
)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A listener over loopback that reads until `stop`, as a player with `userAgent` would. */
const listen = (mount: string, userAgent: string) => {
  const controller = new AbortController()
  void fetch(`${url}${mount}`, { headers: { 'User-Agent': userAgent }, signal: controller.signal })
    .then(async (response) => {
      for await (const _ of response.body!);
    })
    .catch(() => {})
  return { stop: () => controller.abort() }
}

const AGENTS = [
  'VLC/3.0.20 LibVLC/3.0.20',
  'mpv 0.37.0',
  'Lavf/60.16.100',
  'AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4 like Mac OS X; en_us)',
  'foobar2000/2.1',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
]
const browser = await launchBrowser()
const operator = await launchBrowser({ httpCredentials: { username: 'admin', password: 'screenshots' } })
const audience: { stop(): void }[] = []
try {
  audience.push(listen('/stream', AGENTS[0]!), listen('/stream', AGENTS[1]!), listen('/night', AGENTS[2]!))
  await sleep(12_000)
  audience.push(listen('/stream', AGENTS[3]!), listen('/stream', AGENTS[4]!))
  await sleep(12_000)
  audience.shift()!.stop()
  audience.push(listen('/night', AGENTS[5]!))
  await sleep(20_000)
  const desktop = await browser.open({ width: 1100, height: 900 })
  await desktop.page.goto(url)
  await desktop.page.locator('section.mount button.play').first().click()
  await desktop.page.waitForFunction(() => document.querySelector('audio')!.currentTime > 3)
  await desktop.page.screenshot({ path: `${DOCS}listener-page.png`, fullPage: true })

  const phone = await browser.open({ width: 390, height: 844 })
  await phone.page.goto(url)
  await phone.page.locator('section.mount button.play').first().click()
  await phone.page.waitForFunction(() => document.querySelector('audio')!.currentTime > 2)
  await phone.page.screenshot({ path: `${DOCS}listener-page-phone.png` })

  const blog = await browser.open({ width: 760, height: 420 })
  await blog.page.goto(`http://localhost:${site.port}/`)
  await blog.page.frameLocator('iframe').locator('button.play').click()
  await blog.page.waitForTimeout(2500)
  await blog.page.screenshot({ path: `${DOCS}embed-player.png` })

  const dashboard = await operator.open({ width: 1100, height: 900 })
  await dashboard.page.goto(`${url}/admin/`)
  await dashboard.page.locator('section.panel tbody tr').first().waitFor()
  await dashboard.page.waitForTimeout(2500)
  await dashboard.page.screenshot({ path: `${DOCS}dashboard.png`, fullPage: true })
  console.log(`saved ${DOCS}listener-page.png, listener-page-phone.png, embed-player.png, dashboard.png`)
} finally {
  for (const listener of audience) listener.stop()
  await browser.close()
  await operator.close()
  await site.close()
  await station.stop()
  await server.close()
}
