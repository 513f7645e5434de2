import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Browser } from '../helpers/browser.ts'
import { buildClient, expectClean, launchBrowser } from '../helpers/browser.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { httpGet } from '../helpers/http-get.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { startStation } from '../helpers/station.ts'

// The dashboard's Ban, in headless Chromium: an operator bans the address of an abusive listener.

const CREDENTIALS = { username: 'admin', password: 'adm1n' }
let station: Awaited<ReturnType<typeof startStation>>
let operator: Browser

beforeAll(async () => {
  buildClient()
  station = await startStation([{ path: '/stream', burst: 1, playlist: [fixtures.chirp(20, 300)] }], {
    station: { adminPassword: CREDENTIALS.password },
  })
  operator = await launchBrowser({ httpCredentials: CREDENTIALS })
}, 60_000)
afterAll(async () => {
  await operator?.close()
  await station?.stop()
})

describe('the dashboard in Chromium: Ban', () => {
  test('Ban ends every listener of the address at once and turns it away from then on; others listen on', async () => {
    await station.onAir()
    const abusive = [
      await httpGet(`${station.url}/stream`, { localAddress: '127.0.0.2' }),
      await httpGet(`${station.url}/stream`, { localAddress: '127.0.0.2', headers: { 'User-Agent': 'Second/1' } }),
    ]
    const other = await httpGet(`${station.url}/stream`, { localAddress: '127.0.0.3' })
    try {
      const w = await operator.open()
      await w.page.goto(`${station.url}/admin/`)
      const panel = w.page.locator('section.panel[data-mount="/stream"]')
      await panel.locator('tbody tr').nth(2).waitFor({ timeout: 10_000 })
      // The first click only arms the button: nothing is banned until the second.
      await panel.getByRole('button', { name: 'Ban 127.0.0.2 from the station' }).first().click()
      await Bun.sleep(300)
      expect(abusive.every((answer) => answer.received() > 0)).toBe(true)
      expect(station.logs.some((line) => line.includes('banned 127.0.0.2'))).toBe(false)
      await panel.getByRole('button', { name: 'Confirm: ban 127.0.0.2 from the station' }).click()
      await panel.locator('.result').filter({ hasText: '127.0.0.2 banned' }).waitFor({ timeout: 5000 })
      await Promise.all(abusive.map((answer) => answer.ended))
      await w.page.waitForFunction(
        () => document.querySelectorAll('section.panel[data-mount="/stream"] tbody tr').length === 1,
        undefined,
        { timeout: 5000 },
      )
      const again = await httpGet(`${station.url}/stream`, { localAddress: '127.0.0.2' })
      expect(again.status).toBe(403)
      const before = other.received()
      await waitFor(() => other.received() > before, 5000, 'the other listener to listen on')
      expect(
        station.logs.some((line) => /admin \(127\.0\.0\.1\): banned 127\.0\.0\.2 on the station; ended 2/.test(line)),
      )
        .toBe(true)
      await expectClean(w)
      await w.page.close()
    } finally {
      for (const answer of [...abusive, other]) answer.close()
    }
  }, 60_000)
})
