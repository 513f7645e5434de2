import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { Browser } from '../helpers/browser.ts'
import { buildClient, launchBrowser } from '../helpers/browser.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { startStation } from '../helpers/station.ts'

// An operator logged in to the dashboard of a station on a real host name over plain HTTP (where
// Chromium sends no Fetch Metadata), who then visits another site: nothing that site's pages do
// with the login the browser holds may change the station.

const CREDENTIALS = { username: 'admin', password: 'adm1n' }

let station: Awaited<ReturnType<typeof startStation>>
let evil: Server
let evilPort: number
let operator: Browser

/** The pages another site serves: each tries to skip the station's track in its own way. */
const attacks = (radio: string): Record<string, string> => {
  const skip = `${radio}/admin/skip`
  const form = (method: string) =>
    `<form id="f" method="${method}" action="${skip}"><input name="mount" value="/stream"></form>
     <script>document.getElementById('f').submit()</script>`
  return {
    'get-form': form('GET'),
    'get-form-no-referrer': `<meta name="referrer" content="no-referrer">${form('GET')}`,
    'post-form': form('POST'),
    'image-no-referrer': `<img referrerpolicy="no-referrer" src="${skip}?mount=/stream">`,
    'script-no-referrer': `<script referrerpolicy="no-referrer" src="${skip}.json?mount=/stream"></script>`,
    'fetch-no-cors':
      `<script>fetch('${skip}?mount=/stream', { mode: 'no-cors', credentials: 'include', referrerPolicy: 'no-referrer' })</script>`,
    'fetch-with-header':
      `<script>fetch('${skip}?mount=/stream', { credentials: 'include', headers: { 'X-Requested-With': 'x' } }).catch(() => {})</script>`,
    'link-then-click': `<a id="a" rel="noreferrer" href="${skip}?mount=/stream">go</a><script>a.click()</script>`,
  }
}

beforeAll(async () => {
  buildClient()
  station = await startStation(
    [{
      path: '/stream',
      burst: 1,
      playlist: [fixtures.chirp(30, 300, { title: 'Low' }), fixtures.chirp(30, 900, { title: 'High' })],
    }],
    { station: { adminPassword: CREDENTIALS.password } },
  )
  const radio = `http://radio.test:${new URL(station.url).port}`
  evil = createServer((request, response) => {
    const page = attacks(radio)[request.url!.slice(1)]
    response.writeHead(page ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' })
    response.end(page ? `<!doctype html><title>cute cats</title>${page}` : 'no such page')
  })
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve))
  evilPort = (evil.address() as { port: number }).port
  operator = await launchBrowser({
    httpCredentials: CREDENTIALS,
    args: ['--host-resolver-rules=MAP radio.test 127.0.0.1, MAP evil.test 127.0.0.1'],
  })
}, 60_000)
afterAll(async () => {
  await operator?.close()
  evil?.close()
  await station?.stop()
})

const skips = () => station.logs.filter((l) => l.includes('skipped to the next track')).length

describe('the admin API against pages of another origin, in Chromium over plain HTTP', () => {
  test(
    'the logged-in operator can act from the dashboard, and no page of another site can, however it asks',
    async () => {
      const radio = `http://radio.test:${new URL(station.url).port}`
      const w = await operator.open()
      await w.page.goto(`${radio}/admin/`)
      await w.page.locator('section.panel[data-mount="/stream"]').waitFor()
      const refusals = () => station.logs.filter((l) => /admin request \/admin\/skip refused/.test(l)).length

      for (const name of Object.keys(attacks(radio))) {
        const before = refusals()
        const page = await operator.context.newPage()
        await page.goto(`http://evil.test:${evilPort}/${name}`).catch(() => {})
        // Each attack reaches the station (and is refused), except those the browser itself stops.
        await waitFor(() => refusals() > before, 3000, `the station to refuse ${name}`).catch(() => {})
        await page.close()
        expect({ name, skips: skips() }).toEqual({ name, skips: 0 })
      }
      expect(refusals()).toBeGreaterThanOrEqual(5)

      // The dashboard, same origin, with the same login: its skip button works.
      await w.page.locator('section.panel[data-mount="/stream"] form.skip button').click()
      await waitFor(() => skips() === 1, 5000, 'the dashboard to skip')
      await w.page.close()
    },
    90_000,
  )
})
