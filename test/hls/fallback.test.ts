import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { fixtures } from '../helpers/fixtures.ts'
import { runFfmpeg } from '../helpers/listen-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { systemFfmpeg } from '../helpers/ogg.ts'
import { ffmpegSource } from '../helpers/source-client.ts'
import { startStation } from '../helpers/station.ts'

// A live-only mount with a fallback: while no DJ is on, its listeners hear the fallback (as
// Icecast's do), and so do its HLS players; a DJ takes over and leaves, and HLS goes on.

let station: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  station = await startStation(
    [
      { path: '/stream', playlist: [300, 600].map((hz) => fixtures.chirp(5, hz, { title: `Chirp ${hz}` })) },
      { path: '/live', fallbackMount: '/stream', hls: { segmentSeconds: 2, segments: 20 } },
    ],
    { station: { sourcePassword: 's3cret' } },
  )
  await waitFor(() => station.station.mount('/live')!.hls!.segmenter.window.listed.length >= 3, 30_000, 'segments')
}, 60_000)
afterAll(() => station.stop())

describe('HLS of a mount with a fallback', () => {
  test(
    'while it is off air its HLS carries the fallback; a DJ takes over and hands back; ffmpeg plays it all without an error, timestamps running on',
    async () => {
      const hls = station.station.mount('/live')!.hls!.segmenter.window
      expect(hls.listed.every((segment) => segment.track.title.startsWith('Chirp'))).toBe(true)
      const playing = runFfmpeg(
        ['-v', 'error', '-i', `${station.url}/hls/live/live.m3u8`, '-t', '24', '-f', 'null', '-'],
        90_000,
        systemFfmpeg(),
      )
      await Bun.sleep(4000)
      const dj = ffmpegSource(station.sourcePort!, '/live', { bitrate: '128k', seconds: 8 })
      expect(await dj.exited).toBe(0)
      const played = await playing
      expect({ code: played.code, stderr: played.stderr }).toEqual({ code: 0, stderr: '' })
      const segments = station.station.mount('/live')!.hls!.segmenter.window.listed
      const titles = segments.map((segment) => segment.track.title)
      const live = titles.findIndex((title) => !title.startsWith('Chirp'))
      expect(live).toBeGreaterThan(0)
      expect(titles.slice(live).some((title) => title.startsWith('Chirp'))).toBe(true)
      // One timeline: each segment starts where the one before it ended; no discontinuity (same stream).
      for (let i = 1; i < segments.length; i++) {
        expect(segments[i]!.position).toBeCloseTo(segments[i - 1]!.position + segments[i - 1]!.duration, 6)
      }
      expect(segments.some((segment) => segment.discontinuity)).toBe(false)
    },
    120_000,
  )
})
