import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { CLIENT_DIR } from '../../src/web/assets.ts'
import { embedBase } from '../../src/web/listener-page.ts'
import { CLIENT_MODULES, DASHBOARD_MODULES } from '../../src/web/shell.ts'
import { buildClient } from '../helpers/browser.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { startStation } from '../helpers/station.ts'

const HOSTILE = '<img src=x onerror=alert(1)>'

let station: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  buildClient()
  station = await startStation(
    [
      {
        path: '/stream',
        playlist: [fixtures.chirp(2, 300, { title: HOSTILE, artist: '"><script>alert(2)</script>' })],
        name: 'Radio <b>Bold</b>',
        description: 'Tones & "more"',
      },
      { path: '/jazz/hq', playlist: [fixtures.mp3(4)] },
    ],
    { name: "Station <Ω> & 'co'" },
  )
  await station.onAir()
}, 30_000)
afterAll(() => station.stop())

const get = (path: string, headers: Record<string, string> = {}) =>
  station.app.fetch(new Request(`http://station${path}`, { headers }))

describe('GET /', () => {
  test('sends a strict Content-Security-Policy, refuses framing, and has no inline script, style or handler', async () => {
    const response = await get('/')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const csp = response.headers.get('content-security-policy')!
    for (
      const directive of [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "media-src 'self'",
        "connect-src 'self'",
        "img-src 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
      ]
    ) {
      expect(csp.split('; ')).toContain(directive)
    }
    expect(csp).not.toContain('unsafe')
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    const page = await response.text()
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)/)
    expect(page).not.toMatch(/<style|<[^>]*\s(style|on[a-z]+)=/i)
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//)
  })

  test('shows every mount, escaping names, descriptions and titles from tags', async () => {
    const page = await (await get('/')).text()
    expect(page).toContain('<title>Station &lt;Ω&gt; &amp; &#39;co&#39;</title>')
    expect(page).toContain('<h2 class="name" id="m0-name">Radio &lt;b&gt;Bold&lt;/b&gt;</h2>')
    expect(page).toContain('aria-label="Play Radio &lt;b&gt;Bold&lt;/b&gt;"')
    expect(page).toContain('Tones &amp; &quot;more&quot;')
    expect(page).toContain('<span class="song">&lt;img src=x onerror=alert(1)&gt;</span>')
    expect(page).toContain('<span class="artist">&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;</span>')
    expect(page).not.toContain('<img')
    expect(page).not.toContain('<b>')
    expect(page).toContain('data-mount="/jazz/hq"')
    expect(page).toContain('href="./jazz/hq.m3u"')
  })

  test("offers each mount's HLS once its playlist lists a segment (it answers 503 before): its segment length for the player, and a link for other players", async () => {
    const window = station.station.mount('/jazz/hq')!.hls!.segmenter.window
    const early = await (await get('/')).text()
    if (!window.last) expect(early).not.toContain('hls/jazz/hq/live.m3u8')
    await waitFor(() => window.last !== undefined, 15_000, 'a first segment')
    const page = await (await get('/')).text()
    expect(page).toContain('data-mount="/jazz/hq" data-burst="3" data-chunk="0.25" data-hls-segment="6"')
    expect(page).toContain('<a href="./hls/jazz/hq/live.m3u8">HLS</a>')
  })

  test('is gzipped for browsers that accept it', async () => {
    const plain = await (await get('/')).text()
    const response = await get('/', { 'Accept-Encoding': 'gzip, deflate, br' })
    expect(response.headers.get('content-encoding')).toBe('gzip')
    expect(response.headers.get('vary')).toBe('Accept-Encoding')
    const body = new Uint8Array(await response.arrayBuffer())
    expect(body.length).toBeLessThan(plain.length)
    // The same page, but for the progress of the tracks playing, which moves on between the two requests.
    const timeless = (page: string) => page.replace(/\d:\d\d( \/ \d:\d\d)?/g, '').replace(/ value="[\d.]+"/g, '')
    expect(timeless(gunzipSync(body).toString())).toBe(timeless(plain))
  })
})

describe('GET /embed/<mount>', () => {
  test('is the compact player of one mount, which any site may frame', async () => {
    const response = await get('/embed/stream')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-security-policy')).toContain('frame-ancestors *')
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(response.headers.get('x-frame-options')).toBeNull()
    const page = await response.text()
    expect(page.match(/<section class="mount"/g)).toHaveLength(1)
    expect(page).toContain('data-events="api/mounts/stream/events"')
    expect(page).toContain('<link rel="stylesheet" href="../assets/style.css">')
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(page).not.toContain('<img')
  })

  test('links its assets relative to where it is, however deep the mount', async () => {
    expect(embedBase('/stream')).toBe('../')
    expect(embedBase('/jazz/hq')).toBe('../../')
    const page = await (await get('/embed/jazz/hq')).text()
    expect(page).toContain('<script type="module" src="../../assets/player.js"></script>')
    expect(new URL('../../assets/player.js', 'http://station/embed/jazz/hq').pathname).toBe('/assets/player.js')
  })

  test('an unknown mount is a 404', async () => {
    expect((await get('/embed/nope')).status).toBe(404)
  })
})

describe('GET /assets/<name>', () => {
  test('serves the built modules, the stylesheet and the icon, gzipped, with an ETag for cheap revalidation', async () => {
    for (
      const [name, type] of [
        ['player.js', 'text/javascript; charset=utf-8'],
        ['style.css', 'text/css; charset=utf-8'],
        ['icon.svg', 'image/svg+xml'],
      ] as const
    ) {
      const response = await get(`/assets/${name}`, { 'Accept-Encoding': 'gzip' })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe(type)
      expect(response.headers.get('content-encoding')).toBe('gzip')
      expect(response.headers.get('cache-control')).toBe('no-cache')
      const etag = response.headers.get('etag')!
      expect(etag).toMatch(/^"[\w-]+"$/)
      expect((await get(`/assets/${name}`, { 'If-None-Match': etag })).status).toBe(304)
    }
  })

  test('nothing but those files: unknown names, other folders and other types are 404', async () => {
    for (const name of ['nope.js', '..%2Fpackage.json', '%2E%2E%2Fmain.js', 'main.ts', 'live.js.map', 'Player.js']) {
      expect((await get(`/assets/${name}`)).status).toBe(404)
    }
    expect((await get('/assets/../package.json')).status).toBe(404)
  })

  test("each page preloads exactly the modules its entry imports, and every module the build makes is some page's", () => {
    const built = readdirSync(CLIENT_DIR).filter((f) => f.endsWith('.js'))
    const imports = (module: string): string[] =>
      [...readFileSync(join(CLIENT_DIR, module), 'utf8').matchAll(/^import [^;]*?from '\.\/([a-z-]+\.js)'/gm)].map((
        m,
      ) => m[1]!)
    const closure = (entry: string): string[] => {
      const seen = new Set([entry])
      for (const module of seen) for (const imported of imports(module)) seen.add(imported)
      return [...seen]
    }
    for (const modules of [CLIENT_MODULES, DASHBOARD_MODULES]) {
      expect([...modules].sort()).toEqual(closure(modules[0]!).sort())
    }
    expect([...new Set([...CLIENT_MODULES, ...DASHBOARD_MODULES])].sort()).toEqual(built.sort())
  })
})

describe('weight', () => {
  test('the listener page with everything it loads is small (printed: raw and gzipped bytes)', async () => {
    const files = ['/', ...CLIENT_MODULES.map((m) => `/assets/${m}`), '/assets/style.css', '/assets/icon.svg']
    let rawBytes = 0
    let gzipBytes = 0
    const rows: string[] = []
    for (const path of files) {
      const raw = (await (await get(path)).arrayBuffer()).byteLength
      const gzip = (await (await get(path, { 'Accept-Encoding': 'gzip' })).arrayBuffer()).byteLength
      rawBytes += raw
      gzipBytes += gzip
      rows.push(`${path} ${raw} ${gzip}`)
    }
    console.log(`page weight (path raw gzip):\n${rows.join('\n')}\ntotal ${rawBytes} ${gzipBytes}`)
    expect(gzipBytes).toBeLessThan(16 * 1024)
  })
})
