import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import type { Browser } from '../helpers/browser.ts'
import { buildClient, launchBrowser } from '../helpers/browser.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { openListener } from '../helpers/listen-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { run } from '../helpers/process.ts'
import { ffmpegSource } from '../helpers/source-client.ts'
import { LEGS } from './runtimes.ts'

const SCRIPT = fileURLToPath(new URL('./prefixed-app.ts', import.meta.url))

let browser: Browser
beforeAll(async () => {
  buildClient()
  browser = await launchBrowser()
}, 60_000)
afterAll(() => browser?.close())

describe.each(LEGS.filter((leg) => leg.script))('airwave routed inside a Hono app, on $name', (leg) => {
  let app: ReturnType<typeof run>
  let origin: string
  let sourcePort: number
  beforeAll(async () => {
    leg.setup()
    const [command, ...args] = leg.script!(SCRIPT)
    app = run(command!, [
      ...args,
      fixtures.chirp(4, 300, { artist: 'Prefix', title: 'Low Tone' }),
      fixtures.chirp(4, 600, { artist: 'Prefix', title: 'High Tone' }),
    ])
    origin = `http://127.0.0.1:${(await app.waitFor(/^port (\d+)$/))[1]}`
    sourcePort = Number((await app.waitFor(/^source port (\d+)$/))[1])
  }, 120_000)
  afterAll(() => app?.child.kill('SIGKILL'))

  test.each(['/radio', '/radio/', '/a/b', '/a/b/'])(
    'at %s the page plays, shows the title, and every link, asset and playlist file on it answers',
    async (at) => {
      const prefix = at.replace(/\/$/, '')
      const w = await browser.open()
      try {
        const response = await w.page.goto(`${origin}${at}`)
        expect(response!.status()).toBe(200)
        const links = await w.page.evaluate(() =>
          [...document.querySelectorAll('[href], [src]')].map((e) =>
            (e as HTMLAnchorElement).href || (e as HTMLImageElement).src
          )
        )
        expect(links.length).toBeGreaterThan(10)
        for (const link of links) {
          expect(link.startsWith(`${origin}${prefix}/`)).toBe(true)
          const answer = await fetch(link, { signal: AbortSignal.timeout(10_000) })
          expect({ link, status: answer.status }).toEqual({ link, status: 200 })
          const type = answer.headers.get('content-type') ?? ''
          if (type === 'application/vnd.apple.mpegurl') {
            // An HLS playlist names its segments relative to itself: they resolve under the prefix.
            const segment = new URL((await answer.text()).trim().split('\n').at(-1)!, link).href
            expect(segment.startsWith(`${origin}${prefix}/hls/`)).toBe(true)
            expect((await fetch(segment).then((r) => r.arrayBuffer().then(() => r))).status).toBe(200)
          } else if (type.includes('mpegurl') || type.includes('scpls')) {
            expect(await answer.text()).toContain(`${origin}${prefix}/`)
          } else await answer.body?.cancel()
        }
        await w.page.locator('section.mount button.play').first().click()
        await w.page.waitForFunction(() => document.querySelector('audio')!.currentTime > 1, undefined, {
          timeout: 20_000,
        })
        await w.page.waitForFunction(
          () => ['Low Tone', 'High Tone'].includes(document.querySelector('section.mount .song')?.textContent ?? ''),
          undefined,
          { timeout: 10_000 },
        )
        expect(await w.violations()).toEqual([])
      } finally {
        await w.page.close()
      }
    },
    60_000,
  )

  test.each(['/radio/embed/jazz/hq', '/a/b/admin'])('%s: every link and asset on the page answers', async (at) => {
    const w = await browser.open()
    try {
      // The admin area is off here: its page says so (403), and links only to what answers.
      const response = await w.page.goto(`${origin}${at}`)
      expect(response!.url()).toStartWith(`${origin}${at}`)
      const links = await w.page.evaluate(() =>
        [...document.querySelectorAll('[href], [src]')].map((e) =>
          (e as HTMLAnchorElement).href || (e as HTMLImageElement).src
        )
      )
      expect(links.length).toBeGreaterThan(3)
      for (const link of links) {
        const answer = await fetch(link, { signal: AbortSignal.timeout(10_000) })
        expect({ link, status: answer.status }).toEqual({ link, status: 200 })
        await answer.body?.cancel()
      }
    } finally {
      await w.page.close()
    }
  }, 30_000)

  test('the URLs airwave writes in its API, status and playlists files carry the prefix', async () => {
    for (const prefix of ['/radio', '/a/b']) {
      const api = (await (await fetch(`${origin}${prefix}/api/mounts`)).json()) as { mounts: { listenUrl: string }[] }
      expect(api.mounts.map((m) => m.listenUrl)).toEqual([`${origin}${prefix}/stream`, `${origin}${prefix}/jazz/hq`])
      const status = (await (await fetch(`${origin}${prefix}/status-json.xsl`)).json()) as {
        icestats: { source: { listenurl: string }[] }
      }
      expect(status.icestats.source.map((s) => s.listenurl)).toEqual([
        `${origin}${prefix}/stream`,
        `${origin}${prefix}/jazz/hq`,
      ])
      expect(await (await fetch(`${origin}${prefix}/jazz/hq.pls`)).text()).toContain(
        `File1=${origin}${prefix}/jazz/hq\n`,
      )
      expect(await (await fetch(`${origin}${prefix}/stream.m3u`)).text()).toContain(`\n${origin}${prefix}/stream\n`)
    }
    expect(await (await fetch(`${origin}/`)).text()).toContain('The host site')
  })

  test("a DJ's ffmpeg on the library's source port is heard by the prefixed mount's listeners", async () => {
    const listener = await openListener(`${origin}/a/b/stream`)
    const dj = ffmpegSource(sourcePort, '/stream')
    try {
      await waitFor(() => listener.frames().some((f) => f.bitrate === 64), 15_000, 'the DJ')
    } finally {
      dj.child.kill('SIGKILL')
      await listener.stop()
    }
  }, 30_000)
})
