import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, existsSync } from 'node:fs'
import { fixtures, tone } from '../helpers/fixtures.ts'
import { openListener } from '../helpers/listen-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { decodeOgg } from '../helpers/ogg.ts'
import { run } from '../helpers/process.ts'
import { basicAuth, rawSource, sourceHead } from '../helpers/source-client.ts'
import { startStation } from '../helpers/station.ts'
import { tempDir } from '../helpers/temp-dir.ts'

/**
 * ezstream 1.0.2 (Debian's `ezstream`), on libshout 2.4 like Mixxx and most encoders: it probes the
 * port with `OPTIONS *`, sends its first `SOURCE` without credentials, and logs in on the 401.
 */
const EZSTREAM = '/usr/bin/ezstream'
const dir = tempDir()
let station: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  if (!existsSync(EZSTREAM)) throw new Error(`no ${EZSTREAM}: install Debian's ezstream (apt-get install -y ezstream)`)
  station = await startStation([
    { path: '/live.mp3', playlist: [fixtures.mp3(4, 440)], burst: 1 },
    { path: '/live.ogg', playlist: [fixtures.vorbis(4, 440, { title: 'Playlist Vorbis' })], burst: 1 },
  ], {
    station: { sourcePassword: 'hackme' },
    authThrottle: { baseMs: 5000, maxMs: 5000 },
  })
})
afterAll(async () => {
  await station?.stop()
  dir.remove()
})

/**
 * ezstream streaming a file in a loop to the station's source port, as its README configures it: by
 * default a 64 kbit/s MP3 file to /live.mp3.
 */
const ezstream = (
  password: string,
  stream = {
    mount: '/live.mp3',
    format: 'MP3',
    file: () => tone({ seconds: 3, frequency: 880, codec: ['-c:a', 'libmp3lame', '-b:a', '64k'] }),
  },
) => {
  const config = dir.write(
    `ezstream-${password}-${stream.format}.xml`,
    `<?xml version="1.0" encoding="UTF-8"?>
<ezstream>
  <servers><server>
    <hostname>127.0.0.1</hostname>
    <port>${station.sourcePort}</port>
    <password>${password}</password>
  </server></servers>
  <streams><stream>
    <mountpoint>${stream.mount}</mountpoint>
    <format>${stream.format}</format>
  </stream></streams>
  <intakes><intake>
    <type>file</type>
    <filename>${stream.file()}</filename>
  </intake></intakes>
</ezstream>
`,
  )
  chmodSync(config, 0o600)
  return run(EZSTREAM, ['-v', '-c', config])
}

describe('ezstream (libshout) as a live source', () => {
  test('logs in on its first try and takes over the mount; listeners hear it', async () => {
    const mount = station.station.mount('/live.mp3')!
    const listener = await openListener(`${station.url}/live.mp3`)
    const dj = ezstream('hackme')
    try {
      await waitFor(() => mount.input === 'live', 10_000, 'ezstream on air')
      await waitFor(() => listener.frames().some((f) => f.bitrate === 64), 10_000, "ezstream's audio")
      expect(station.logs.some((l) => /live source connected from 127\.0\.0\.1 \(libshout\//.test(l))).toBe(true)
      // The first request, without credentials, was only challenged: no failed login was counted.
      expect(station.logs.filter((l) => l.includes('wrong user name or password'))).toEqual([])
      expect(station.station.authThrottle.check('127.0.0.1', 'source /live').ok).toBe(true)
    } finally {
      dj.child.kill('SIGKILL')
      await listener.stop()
    }
    await waitFor(() => mount.input === 'playlist', 10_000, 'the playlist back')
  }, 30_000)

  test(
    'streams Ogg Vorbis (libshout paces it by its pages): it takes over an Ogg mount, titled from its comment header, and decodes cleanly',
    async () => {
      const mount = station.station.mount('/live.ogg')!
      const dj = ezstream('hackme', {
        mount: '/live.ogg',
        format: 'Ogg',
        file: () => fixtures.vorbis(3, 880, { title: 'ezstream Vorbis' }),
      })
      try {
        await waitFor(() => mount.onAir?.track.title === 'ezstream Vorbis', 15_000, 'ezstream on air, with its title')
        const decoded = await decodeOgg(`${station.url}/live.ogg`, 5)
        expect(decoded).toMatchObject({ code: 0, stderr: '' })
        expect(mount.input).toBe('live')
      } finally {
        dj.child.kill('SIGKILL')
      }
      await waitFor(() => mount.input === 'playlist', 15_000, 'the playlist back')
    },
    40_000,
  )

  test('a wrong password from ezstream is refused and still counts toward the back-off', async () => {
    const dj = ezstream('guess')
    expect(await dj.exited).toBe(1)
    expect(dj.stderr.join('\n') + dj.stdout.join('\n')).toMatch(/Login failed/)
    expect(
      station.logs.some((l) =>
        /source login refused on \/live\.mp3 from 127\.0\.0\.1: wrong user name or password \(1 different wrong password/
          .test(l)
      ),
    )
      .toBe(true)
    // Right after, even the right password waits out the back-off (429), but a request without
    // credentials is still only challenged (401), so libshout's first request never trips it.
    const right = await rawSource(
      station.sourcePort!,
      sourceHead('SOURCE', '/live.mp3', { Authorization: basicAuth('source', 'hackme'), 'Content-Type': 'audio/mpeg' }),
    )
    expect(right.status).toBe(429)
    const bare = await rawSource(
      station.sourcePort!,
      sourceHead('SOURCE', '/live.mp3', { 'Content-Type': 'audio/mpeg' }),
    )
    expect(bare.status).toBe(401)
  }, 30_000)
})
