import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { Browser } from '../helpers/browser.ts'
import { buildClient, expectClean, launchBrowser } from '../helpers/browser.ts'
import { fixtures } from '../helpers/fixtures.ts'
import type { Running } from '../helpers/process.ts'
import { run } from '../helpers/process.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import { makeTestCert } from '../helpers/tls-cert.ts'
import { ROOT } from '../runtime-matrix/runtimes.ts'

// The listener page over HTTPS in headless Chromium, which trusts the test's certificate by its
// public key (--ignore-certificate-errors-spki-list: certificate errors for that key only, not
// --ignore-certificate-errors), as a browser trusting a real certificate would.

const dir = tempDir('airwave-https-browser-')
const cert = makeTestCert(dir.root, 'station')
let station: Running
let browser: Browser
let origin: string

beforeAll(async () => {
  buildClient()
  station = run(join(ROOT, 'node_modules/.bin/bun'), [
    join(ROOT, 'src/main.ts'),
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--burst',
    '2',
    '--name',
    'Secure Radio',
    '--tls-cert',
    cert.cert,
    '--tls-key',
    cert.key,
    fixtures.chirp(20, 300, { artist: 'Tester', title: 'Secure Tone' }),
  ])
  const [, port] = await station.waitFor(/listening on 127\.0\.0\.1:(\d+) \(HTTPS\)/, 20_000)
  origin = `https://localhost:${port}`
  await station.waitFor(/on air: /)
  browser = await launchBrowser({ args: [`--ignore-certificate-errors-spki-list=${cert.spki}`] })
}, 60_000)
afterAll(async () => {
  await browser?.close()
  station?.child.kill('SIGKILL')
  dir.remove()
})

describe('the listener page over HTTPS in Chromium', () => {
  test('loads over HTTPS with its strict CSP and every asset, and pressing play makes the audio advance', async () => {
    const w = await browser.open()
    const insecure: string[] = []
    w.page.on('request', (request) => !request.url().startsWith('https:') && insecure.push(request.url()))
    const response = await w.page.goto(`${origin}/`)
    expect(response!.status()).toBe(200)
    expect(response!.url()).toBe(`${origin}/`)
    expect((await response!.securityDetails())?.subjectName).toBe('localhost')
    expect(response!.headers()['content-security-policy']).toContain("default-src 'none'")
    expect(await w.page.locator('section.mount button.play').first().getAttribute('aria-label')).toBe(
      'Play Secure Radio',
    )

    await w.page.locator('section.mount').first().locator('button.play').click()
    await w.page.waitForFunction(() => document.querySelector('audio')!.currentTime > 1.5, undefined, {
      timeout: 20_000,
      polling: 100,
    })
    const audio = () =>
      w.page.evaluate(() => ({
        src: document.querySelector('audio')!.currentSrc,
        t: document.querySelector('audio')!.currentTime,
      }))
    const before = await audio()
    expect(before.src.startsWith(`${origin}/stream`)).toBe(true)
    await w.page.waitForTimeout(1000)
    expect((await audio()).t - before.t).toBeGreaterThan(0.5)
    expect(await w.page.locator('section.mount .state').first().textContent()).toBe('Playing')
    expect(insecure).toEqual([])
    await expectClean(w)
    await w.page.close()
  }, 40_000)
})
