import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { IcecastMetadataReader } from 'icecast-metadata-js'
import { fixtures } from '../helpers/fixtures.ts'
import { openListener } from '../helpers/listen-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { decodeOgg, oggTimeline } from '../helpers/ogg.ts'
import { basicAuth, ffmpegSource } from '../helpers/source-client.ts'
import { startStation } from '../helpers/station.ts'

/** What a live DJ's encoder sends to each mount: the mount's own codec, rate and channels. */
const ENCODERS = {
  '/opus': { codec: ['-c:a', 'libopus', '-b:a', '64k'], sampleRate: 48_000 },
  '/vorbis': { codec: ['-c:a', 'libvorbis', '-q:a', '3'], sampleRate: 44_100 },
  '/flac': { codec: ['-c:a', 'flac'], sampleRate: 44_100 },
} as const
type OggMount = keyof typeof ENCODERS
const MOUNTS = Object.keys(ENCODERS) as OggMount[]

const track = (path: OggMount, hz: number) => {
  const tags = { title: `${path.slice(1)} ${hz}`, artist: 'Ogg Tests' }
  return path === '/opus'
    ? fixtures.opus(7, hz, tags)
    : path === '/vorbis'
    ? fixtures.vorbis(7, hz, tags)
    : hz === 440
    ? fixtures.flac(7, hz, tags) // a native .flac between two Ogg FLAC files: streamed as Ogg FLAC
    : fixtures.oggFlac(7, hz, tags)
}

let station: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  station = await startStation(
    MOUNTS.map((path) => ({ path, playlist: [track(path, 330), track(path, 440), track(path, 550)], burst: 2 })),
    { station: { sourcePassword: 's3cret', adminPassword: 'adm1n' } },
  )
})
afterAll(() => station.stop())

/** Every title icecast-metadata-js (as web players use it, metadata type `ogg`) reads from a stream, in order. */
const oggTitles = (bytes: Uint8Array): string[] => {
  const titles: string[] = []
  const reader = new IcecastMetadataReader({
    metadataTypes: ['ogg'],
    onMetadata: ({ metadata }) => void titles.push(metadata.TITLE ?? ''),
  })
  reader.readAll(bytes)
  return titles.filter((title, i) => title !== titles[i - 1])
}

describe('Ogg mounts: Opus, Vorbis and FLAC from playlists and live sources', () => {
  test(
    'for 60 s across track changes, a live takeover, a title set by the DJ and the hand-back: ffmpeg decodes each mount without an error, one connection each, and the titles reach Ogg players in the stream',
    async () => {
      const started = performance.now()
      const decoding = MOUNTS.map((path) => decodeOgg(`${station.url}${path}`, 60, 120_000))
      const listeners = await Promise.all(MOUNTS.map((path) => openListener(`${station.url}${path}`)))
      const mount = (path: OggMount) => station.station.mount(path)!

      // 15 s in: a DJ goes live on every mount, each with its mount's codec.
      await Bun.sleep(15_000)
      const djs = MOUNTS.map((path) =>
        ffmpegSource(station.sourcePort!, path, {
          ...ENCODERS[path],
          codec: [...ENCODERS[path].codec, '-metadata', `title=${path.slice(1)} live`],
          seconds: 14,
          format: 'ogg',
          contentType: 'audio/ogg',
        })
      )
      // On air under the title of its stream's comment header.
      await waitFor(
        () => MOUNTS.every((path) => mount(path).onAir?.track.title === `${path.slice(1)} live`),
        15_000,
        'every DJ on air',
      )

      // The DJ's software sets a title over the admin API: a new chain link whose comments carry it.
      await Bun.sleep(4000)
      const retitled = await fetch(
        `${station.url}/admin/metadata?mount=/opus&mode=updinfo&song=${encodeURIComponent('Opus Retitled')}`,
        { headers: { Authorization: basicAuth('source', 's3cret') } },
      )
      expect(retitled.status).toBe(200)
      for (const dj of djs) expect(await dj.exited).toBe(0)
      await waitFor(() => MOUNTS.every((path) => mount(path).input === 'playlist'), 10_000, 'back to the playlists')

      const decoded = await Promise.all(decoding)
      expect(performance.now() - started).toBeGreaterThan(55_000)
      // ffmpeg's `-t 60` counts the stream's timestamps, which begin where the burst does in its track
      // (granule positions), so up to a burst's worth less PCM comes out.
      expect(decoded.map(({ code, stderr, seconds }) => ({ code, stderr, enough: seconds > 57.5 }))).toEqual(
        MOUNTS.map(() => ({ code: 0, stderr: '', enough: true })),
      )
      for (const [index, path] of MOUNTS.entries()) {
        const listener = listeners[index]!
        expect(listener.broken).toBe(false)
        const bytes = listener.bytes()
        const titles = oggTitles(bytes)
        const live = titles.indexOf(`${path.slice(1)} live`)
        expect([path, live]).not.toEqual([path, -1])
        expect(titles.slice(0, live).length).toBeGreaterThanOrEqual(2)
        expect(titles.slice(live + 1).some((title) => /^\w+ \d+$/.test(title))).toBe(true)
        if (path === '/opus') expect(titles.slice(live)).toContain('Opus Retitled')
        const pages = oggTimeline({ reads: [{ at: 0, bytes: bytes.length }], data: Buffer.from(bytes) })
        for (let i = 1; i < pages.length; i++) {
          // A new link only ever starts with its header pages, under a serial the one before did not have.
          if (pages[i]!.serial !== pages[i - 1]!.serial) expect(pages[i]!.header).toBe(true)
        }
        await listener.stop()
      }
    },
    150_000,
  )
})
