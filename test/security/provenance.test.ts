import { describe, expect, test } from 'bun:test'
import { provenance } from '../../src/security/provenance.ts'

const OWN = ['radio.example:8000']
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
/** What every browser sends besides its user agent. */
const BROWSER = { 'Accept-Language': 'en-GB,en;q=0.9' }
const from = (headers: Record<string, string>) => provenance(new Headers(headers), OWN)

describe('provenance', () => {
  test("Fetch Metadata is believed first: another site's or subdomain's page is another origin", () => {
    expect(from({ 'Sec-Fetch-Site': 'cross-site', 'User-Agent': CHROME })).toBe('other-origin')
    expect(from({ 'Sec-Fetch-Site': 'same-site', 'User-Agent': CHROME })).toBe('other-origin')
    expect(from({ 'Sec-Fetch-Site': 'same-origin', 'User-Agent': CHROME })).toBe('same-origin')
    // A link opened from a mail or chat app, a typed address, a prerender: no page, and no proof either.
    expect(from({ 'Sec-Fetch-Site': 'none', 'User-Agent': CHROME })).toBe('unknown-browser')
    expect(from({ 'Sec-Fetch-Site': 'same-origin', 'Sec-Purpose': 'prefetch;prerender' })).toBe('unknown-browser')
  })

  test('without it, Origin and then Referer are compared by host and port, not scheme (a TLS proxy may front the station)', () => {
    expect(from({ Origin: 'http://radio.example:8000', 'User-Agent': CHROME })).toBe('same-origin')
    expect(from({ Origin: 'https://radio.example:8000' })).toBe('same-origin')
    expect(from({ Origin: 'http://radio.example:8001', 'User-Agent': CHROME })).toBe('other-origin')
    expect(from({ Origin: 'http://evil.example', 'User-Agent': CHROME })).toBe('other-origin')
    expect(from({ Origin: 'null', 'User-Agent': CHROME })).toBe('other-origin')
    expect(from({ Referer: 'http://radio.example:8000/admin/', 'User-Agent': CHROME })).toBe('same-origin')
    expect(from({ Referer: 'http://evil.example/page', 'User-Agent': CHROME })).toBe('other-origin')
    expect(from({ Referer: 'not a url', 'User-Agent': CHROME })).toBe('other-origin')
    // Origin wins over a Referer that would pass.
    expect(from({ Origin: 'http://evil.example', Referer: 'http://radio.example:8000/' })).toBe('other-origin')
    expect(provenance(new Headers({ Origin: 'https://radio.example' }), ['radio.example:443'])).toBe('same-origin')
  })

  test('X-Requested-With proves a page of this origin (no other origin can send it without a preflight)', () => {
    expect(from({ 'X-Requested-With': 'airwave-dashboard', 'User-Agent': CHROME })).toBe('same-origin')
    // Android WebView puts the app's package name there on every request: that proves nothing.
    expect(from({ 'X-Requested-With': 'com.example.app', 'User-Agent': CHROME, 'Accept-Language': 'en' })).toBe(
      'unknown-browser',
    )
  })

  test('a browser saying nothing of its page is an unknown browser; curl, encoders and scripts are not browsers', () => {
    expect(from({ 'User-Agent': CHROME, ...BROWSER })).toBe('unknown-browser')
    expect(
      from({ 'User-Agent': 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/18.0 Safari/605.1.15', ...BROWSER }),
    ).toBe('unknown-browser')
    // Delphi tools keep Indy's default user agent, and send no Accept-Language: not a browser.
    expect(from({ 'User-Agent': 'Mozilla/3.0 (compatible; Indy Library)' })).toBe('not-a-browser')
    expect(from({ 'Upgrade-Insecure-Requests': '1' })).toBe('unknown-browser')
    expect(from({ 'User-Agent': 'curl/8.11.1' })).toBe('not-a-browser')
    expect(from({ 'User-Agent': 'Liquidsoap/2.3.0' })).toBe('not-a-browser')
    expect(from({})).toBe('not-a-browser')
  })
})
