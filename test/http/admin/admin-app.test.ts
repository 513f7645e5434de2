import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { openListener } from '../../helpers/listen-client.ts'
import { fixtures, tone } from '../../helpers/fixtures.ts'
import { waitFor } from '../../helpers/manual-clock.ts'
import { basicAuth, bitrateRuns, ffmpegSource } from '../../helpers/source-client.ts'
import { startStation } from '../../helpers/station.ts'

/** icecast-metadata-js ships no types; this is the part the test uses. */
type MetadataReader = new (
  options: {
    icyMetaInt: number
    metadataTypes: string[]
    onMetadata: (value: { metadata: { StreamTitle?: string } }) => void
  },
) => { iterator(data: Uint8Array): Iterable<unknown> }
const metadataLibrary = 'icecast-metadata-js'
const loadMetadataReader = async (): Promise<MetadataReader> =>
  ((await import(metadataLibrary)) as { IcecastMetadataReader: MetadataReader }).IcecastMetadataReader

const ADMIN = { Authorization: basicAuth('admin', 'adm1n') }
const SOURCE = { Authorization: basicAuth('source', 's3cret') }

let station: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  station = await startStation(
    [
      { path: '/stream', playlist: [fixtures.mp3(3, 440), fixtures.mp3(3, 550)], burst: 1 },
      // 96 kbit/s: a listener moved here can tell by its frames.
      {
        path: '/other',
        playlist: [tone({ seconds: 4, frequency: 660, codec: ['-c:a', 'libmp3lame', '-b:a', '96k'] })],
        burst: 1,
      },
      { path: '/live', fallbackMount: '/stream', burst: 1 },
      { path: '/aac', playlist: [fixtures.aac(2)], burst: 1 },
    ],
    { station: { sourcePassword: 's3cret', adminPassword: 'adm1n' } },
  )
})
afterAll(() => station.stop())

const admin = (path: string, headers: Record<string, string> = ADMIN) =>
  fetch(`${station.url}/admin/${path}`, { headers })
const mount = (path: string) => station.station.mount(path)!
const noLiveSource = (path = '/stream') =>
  waitFor(() => mount(path).source('live') === undefined && mount(path).input !== 'live', 5000, 'no live source')

describe('the admin API', () => {
  test('refuses every command without credentials (401 with a Basic challenge) or with wrong ones, and logs the attempt', async () => {
    for (
      const command of [
        'listmounts',
        'listclients?mount=/stream',
        'killclient?mount=/stream&id=1',
        'moveclients?mount=/stream&destination=/other',
        'killsource?mount=/stream',
        'metadata?mount=/stream&mode=updinfo&song=x',
        'skip?mount=/stream',
        'listmounts.json',
      ]
    ) {
      const response = await admin(command, {})
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="airwave admin"')
      await response.text()
      await Bun.sleep(250)
    }
    const wrong = await admin('listmounts', { Authorization: basicAuth('admin', 'wrong-pw') })
    expect(wrong.status).toBe(401)
    await Bun.sleep(250)
    // The source password opens only the metadata command.
    const asSource = await admin('listmounts', SOURCE)
    expect(asSource.status).toBe(401)
    expect(
      station.logs.some((l) =>
        /admin request \/admin\/listmounts refused from 127\.0\.0\.1: wrong user name or password/.test(l)
      ),
    ).toBe(true)
    expect(
      station.logs.some((l) =>
        /admin request \/admin\/killsource refused from 127\.0\.0\.1: no credentials sent/.test(l)
      ),
    ).toBe(true)
    await Bun.sleep(250)
  })

  test('listmounts: every mount, its fallback, listeners, how long it has been on, content type (XML, or JSON)', async () => {
    const listener = await openListener(`${station.url}/stream`)
    try {
      const xml = await admin('listmounts')
      expect(xml.status).toBe(200)
      expect(xml.headers.get('content-type')).toBe('text/xml; charset=utf-8')
      const text = await xml.text()
      expect(text).toStartWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<icestats>\n  <source mount="/stream">\n    <fallback></fallback>\n    <listeners>1</listeners>\n    <Connected>',
      )
      expect(text).toContain('<content-type>audio/mpeg</content-type>')
      expect(text).toContain('<source mount="/live">\n    <fallback>/stream</fallback>\n    <listeners>0</listeners>')
      expect(text).toContain('<input>off-air</input>')
      const json = await (await admin('listmounts.json')).json() as { icestats: { source: Record<string, unknown>[] } }
      expect(json.icestats.source.map((s) => s.mount)).toEqual(['/stream', '/other', '/live', '/aac'])
      expect(json.icestats.source[0]).toMatchObject({
        mount: '/stream',
        fallback: '',
        listeners: 1,
        'content-type': 'audio/mpeg',
        input: 'playlist',
      })
      expect(json.icestats.source[3]).toMatchObject({ 'content-type': 'audio/aac' })
    } finally {
      await listener.stop()
    }
  })

  test('listclients shows each listener; killclient disconnects one by id', async () => {
    const listener = await openListener(`${station.url}/stream`, { headers: { 'User-Agent': 'Admin-Test/1.0' } })
    try {
      const json = await (await admin('listclients.json?mount=/stream')).json() as {
        icestats: {
          source: { Listeners: number; listener: { id: number; IP: string; UserAgent: string; Connected: number }[] }
        }
      }
      const mine = json.icestats.source.listener.find((l) => l.UserAgent === 'Admin-Test/1.0')!
      expect(mine).toMatchObject({ IP: '127.0.0.1', Connected: 0 })
      const xml = await (await admin('listclients?mount=/stream')).text()
      expect(xml).toContain(
        `<listener id="${mine.id}">\n      <IP>127.0.0.1</IP>\n      <UserAgent>Admin-Test/1.0</UserAgent>\n      <Connected>`,
      )
      const kill = await admin(`killclient?mount=/stream&id=${mine.id}`)
      expect(await kill.text()).toBe(
        `<?xml version="1.0" encoding="UTF-8"?>\n<iceresponse>\n  <message>Client ${mine.id} removed</message>\n  <return>1</return>\n</iceresponse>\n`,
      )
      await waitFor(() => listener.broken, 3000, 'the listener to be cut off')
      const again = await (await admin(`killclient.json?mount=/stream&id=${mine.id}`)).json()
      expect(again).toEqual({ iceresponse: { message: `Client ${mine.id} not found`, return: 0 } })
    } finally {
      await listener.stop()
    }
  })

  test('moveclients moves a listener to another mount without disconnecting it; its stream goes on decoding', async () => {
    const stream = mount('/stream')
    const other = mount('/other')
    await waitFor(() => stream.broadcaster.size === 0, 3000, 'earlier listeners gone')
    const listener = await openListener(`${station.url}/stream`)
    try {
      await Bun.sleep(700)
      const moved = await admin('moveclients?mount=/stream&destination=/other')
      expect(await moved.text()).toContain('<message>Clients moved from /stream to /other</message>')
      expect(stream.broadcaster.size).toBe(0)
      expect(other.broadcaster.size).toBe(1)
      await Bun.sleep(1500)
      expect(listener.broken).toBe(false)
      await listener.stop()
      expect(bitrateRuns(listener.frames()).map(([bitrate]) => bitrate)).toEqual([128, 96])
      const refused = await (await admin('moveclients.json?mount=/other&destination=/aac')).json()
      expect(refused).toEqual({
        iceresponse: {
          message:
            'Cannot move clients: /aac plays AAC 44100 Hz stereo and /other MP3 44100 Hz stereo: players cannot follow such a change mid-stream',
          return: 0,
        },
      })
      expect((await admin('moveclients?mount=/other&destination=/nope')).status).toBe(400)
    } finally {
      await listener.stop()
    }
  })

  test('killsource disconnects the live source (the playlist takes over); without one it says so', async () => {
    await noLiveSource()
    const dj = ffmpegSource(station.sourcePort!, '/stream', { seconds: 30 })
    try {
      await waitFor(() => mount('/stream').input === 'live', 10_000, 'the DJ on air')
      const kill = await admin('killsource.json?mount=/stream')
      expect(await kill.json()).toEqual({ iceresponse: { message: 'Source Removed', return: 1 } })
      await waitFor(() => mount('/stream').input === 'playlist', 2000, 'the playlist')
      expect(await dj.exited).not.toBe(0)
      const none = await admin('killsource?mount=/stream')
      expect(none.status).toBe(400)
      expect(await none.text()).toContain(
        '<message>Source does not exist: /stream has no live source or relay connected</message>',
      )
    } finally {
      dj.child.kill('SIGKILL')
    }
  }, 20_000)

  test(
    "metadata sets the live title (as the admin or the mount's source); a new track from the next frame",
    async () => {
      await noLiveSource()
      const none = await admin('metadata?mount=/stream&mode=updinfo&song=Nobody')
      expect(none.status).toBe(400)
      const dj = ffmpegSource(station.sourcePort!, '/stream', { seconds: 30 })
      try {
        await waitFor(
          () => mount('/stream').source('live') !== undefined && mount('/stream').onAir?.track.origin === 'live',
          10_000,
          'the DJ on air',
        )
        const first = mount('/stream').onAir!.track
        const asAdmin = await admin(
          `metadata?mount=/stream&mode=updinfo&song=${encodeURIComponent("Ça va - Rock 'n' Roll")}`,
        )
        expect(await asAdmin.text()).toContain('<message>Metadata update successful</message>')
        await waitFor(
          () => mount('/stream').onAir?.track.title === "Ça va - Rock 'n' Roll",
          3000,
          'the new title on air',
        )
        expect(mount('/stream').onAir!.track.id).not.toBe(first.id)
        expect(mount('/stream').onAir!.track.origin).toBe('live')
        const asSource = await admin('metadata.json?mount=/stream&mode=updinfo&artist=Someone&title=Else', SOURCE)
        expect(await asSource.json()).toEqual({ iceresponse: { message: 'Metadata update successful', return: 1 } })
        await waitFor(() => mount('/stream').onAir?.track.title === 'Someone - Else', 3000, 'the second title')
        // Artist and title kept apart too: the API's fields, an Ogg stream's comment header.
        expect(mount('/stream').onAir!.track).toMatchObject({ artist: 'Someone', song: 'Else' })
        const latin1 = await admin('metadata?mount=/stream&mode=updinfo&charset=ISO-8859-1&song=Caf%E9', SOURCE)
        expect(latin1.status).toBe(200)
        await waitFor(() => mount('/stream').onAir?.track.title === 'Café', 3000, 'the Latin-1 title')
        expect((await admin('metadata?mount=/stream&mode=other&song=x')).status).toBe(400)
        expect(station.logs.some((l) => l.includes('[/stream] on air: Someone - Else'))).toBe(true)
      } finally {
        dj.child.kill('SIGKILL')
      }
    },
    20_000,
  )

  test("skip starts the playlist's next track", async () => {
    await noLiveSource()
    await waitFor(() => mount('/stream').input === 'playlist', 5000, 'the playlist')
    const before = mount('/stream').onAir!.track
    const skip = await admin('skip.json?mount=/stream')
    expect(await skip.json()).toEqual({ iceresponse: { message: 'Skipped to the next track', return: 1 } })
    await waitFor(() => mount('/stream').onAir!.track.id !== before.id, 2000, 'the next track')
    expect(mount('/stream').onAir!.track.path).not.toBe(before.path)
    expect((await admin('skip?mount=/live')).status).toBe(400)
  })

  test('unknown commands and mounts, missing parameters, and cross-site browser requests are refused', async () => {
    expect((await admin('reboot')).status).toBe(400)
    expect(await (await admin('listclients')).text()).toContain('Missing parameter: mount')
    expect(await (await admin('listclients?mount=/nope')).text()).toContain('Source does not exist: no mount at /nope')
    const crossSite = await admin('listmounts', { ...ADMIN, 'Sec-Fetch-Site': 'cross-site' })
    expect(crossSite.status).toBe(403)
  })

  test('a command carrying valid admin credentials changes nothing when another origin sent it, or a browser that hides where from', async () => {
    const chrome =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
    const skips = () => station.logs.filter((l) => /skipped/.test(l)).length
    const before = skips()
    const forged = [
      { ...ADMIN, Origin: 'http://evil.example', 'User-Agent': chrome },
      { ...ADMIN, Origin: 'null', 'User-Agent': chrome },
      { ...ADMIN, Referer: 'http://evil.example/page.html', 'User-Agent': chrome },
      { ...ADMIN, 'User-Agent': chrome, 'Accept-Language': 'en' },
      { ...ADMIN, 'Upgrade-Insecure-Requests': '1', Accept: 'text/html' },
      { ...ADMIN, 'Sec-Fetch-Site': 'none', 'User-Agent': chrome, 'Accept-Language': 'en' },
      { ...ADMIN, 'X-Requested-With': 'com.example.webview', 'User-Agent': chrome, 'Accept-Language': 'en' },
    ]
    for (const headers of forged) {
      const response = await admin('skip?mount=/stream', headers)
      expect(response.status).toBe(403)
    }
    expect(await (await admin('skip?mount=/stream', forged[3])).text()).toContain(
      'use the dashboard, or a tool such as curl',
    )
    expect(skips()).toBe(before)
    // The same browser may still read, and the same command works from curl, from this origin, and from the dashboard.
    expect((await admin('listmounts', { ...ADMIN, 'User-Agent': chrome })).status).toBe(200)
    const host = new URL(station.url).host
    for (
      const headers of [
        { ...ADMIN, 'User-Agent': 'curl/8.11.1' },
        { ...ADMIN, 'User-Agent': 'Mozilla/3.0 (compatible; Indy Library)' },
        { ...ADMIN, Origin: `http://${host}`, 'User-Agent': chrome },
        { ...ADMIN, Referer: `http://${host}/admin/`, 'User-Agent': chrome },
        { ...ADMIN, 'X-Requested-With': 'airwave-dashboard', 'User-Agent': chrome },
      ]
    ) {
      expect((await admin('skip?mount=/stream', headers)).status).toBe(200)
      await Bun.sleep(200)
    }
    // An encoder setting its title with the source password is never taken for a browser.
    // (It is checked, then told the mount has no live source: not refused as a forgery.)
    const title = await admin(`metadata?mount=/stream&mode=updinfo&song=Hi`, { ...SOURCE, 'User-Agent': chrome })
    expect(await title.text()).toContain('has no live source')
  })

  test('no log line shows a password', () => {
    for (const secret of ['adm1n', 's3cret', 'wrong-pw']) {
      expect(station.logs.filter((l) => l.includes(secret))).toEqual([])
    }
  })
})

describe('the admin API without an admin password', () => {
  test('is off (403, saying how to turn it on), but encoders may still set titles with their source password', async () => {
    const off = await startStation([{ path: '/stream', playlist: [fixtures.mp3(3)], burst: 1 }], {
      station: { sourcePassword: 's3cret' },
    })
    try {
      const response = await fetch(`${off.url}/admin/listmounts`, { headers: ADMIN })
      expect(response.status).toBe(403)
      expect(await response.text()).toContain(
        'The admin API is off: start airwave with --admin-password (or AIRWAVE_ADMIN_PASSWORD) to turn it on',
      )
      const metadata = await fetch(`${off.url}/admin/metadata?mount=/stream&mode=updinfo&song=x`, { headers: SOURCE })
      // Authenticated; there is simply no live source to title.
      expect(metadata.status).toBe(400)
      expect(await metadata.text()).toContain('Source does not exist')
    } finally {
      await off.stop()
    }
  })
})

describe('/admin/metadata seen by a player', () => {
  test('changes what icecast-metadata-js reads from the stream', async () => {
    await noLiveSource()
    const dj = ffmpegSource(station.sourcePort!, '/stream', { seconds: 30 })
    const titles: string[] = []
    const controller = new AbortController()
    try {
      await waitFor(() => mount('/stream').input === 'live', 10_000, 'the DJ on air')
      const response = await fetch(`${station.url}/stream`, {
        headers: { 'Icy-MetaData': '1' },
        signal: controller.signal,
      })
      const metaint = Number(response.headers.get('icy-metaint'))
      expect(metaint).toBeGreaterThan(0)
      const IcecastMetadataReader = await loadMetadataReader()
      const reader = new IcecastMetadataReader({
        icyMetaInt: metaint,
        metadataTypes: ['icy'],
        onMetadata: (value) => void titles.push(value.metadata.StreamTitle ?? ''),
      })
      const reading = (async () => {
        for await (const chunk of response.body!) for (const _ of reader.iterator(chunk)) void _
      })().catch(() => {})
      await Bun.sleep(500)
      await admin(`metadata?mount=/stream&mode=updinfo&song=${encodeURIComponent('DJ Test - Live Title')}`)
      await waitFor(() => titles.includes('DJ Test - Live Title'), 5000, 'the title in the stream')
      controller.abort()
      await reading
    } finally {
      controller.abort()
      dj.child.kill('SIGKILL')
    }
  }, 20_000)
})
