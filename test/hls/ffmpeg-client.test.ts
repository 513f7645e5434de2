import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixtures } from '../helpers/fixtures.ts'
import { runFfmpeg } from '../helpers/listen-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { systemFfmpeg } from '../helpers/ogg.ts'
import { ffmpegSource } from '../helpers/source-client.ts'
import { startStation } from '../helpers/station.ts'

/** What a live DJ's encoder sends to each mount: the mount's own codec. */
const ENCODERS = {
  '/stream': { codec: ['-c:a', 'libmp3lame', '-b:a', '128k'] },
  '/aac': { codec: ['-c:a', 'aac', '-b:a', '128k'], format: 'adts', contentType: 'audio/aac' },
  '/opus': { codec: ['-c:a', 'libopus', '-b:a', '64k'], format: 'ogg', contentType: 'audio/ogg', sampleRate: 48_000 },
} as const
type HlsMount = keyof typeof ENCODERS
const MOUNTS = Object.keys(ENCODERS) as HlsMount[]

let station: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  station = await startStation(
    [
      {
        path: '/stream',
        playlist: [200, 400, 600].map((hz) => fixtures.chirp(9, hz, { title: `Chirp ${hz}`, artist: 'HLS Tests' })),
      },
      { path: '/aac', playlist: [330, 440, 550].map((hz) => fixtures.aac(9, hz)) },
      { path: '/opus', playlist: [330, 440, 550].map((hz) => fixtures.opus(9, hz, { title: `Opus ${hz}` })) },
    ],
    { station: { sourcePassword: 's3cret' } },
  )
  const segmented = () => MOUNTS.every((path) => station.station.mount(path)!.hls!.segmenter.window.last)
  await waitFor(segmented, 60_000, 'a first segment on each mount')
}, 90_000)
afterAll(() => station.stop())

/** One decoded audio frame as ffmpeg's framecrc muxer lists it (times in samples). */
interface DecodedFrame {
  pts: number
  duration: number
}

/**
 * ffmpeg (Debian's 5.1) as an HLS client: it reads the live playlist as players do (starting three
 * segments from its end, reloading it), decodes `seconds` of audio, and lists every decoded frame.
 */
const playHls = async (url: string, seconds: number) => {
  const list = join(mkdtempSync(join(tmpdir(), 'airwave-hls-ffmpeg-')), 'frames.crc')
  const run = await runFfmpeg(
    ['-v', 'error', '-i', url, '-t', String(seconds), '-f', 'framecrc', list],
    200_000,
    systemFfmpeg(),
  )
  const text = existsSync(list) ? readFileSync(list, 'utf8') : ''
  const rate = Number(/^#tb 0: 1\/(\d+)$/m.exec(text)?.[1] ?? NaN)
  const frames: DecodedFrame[] = text
    .split('\n')
    .filter((line) => /^0,/.test(line))
    .map((line) => line.split(',').map((field) => field.trim()))
    .map(([, , pts, duration]) => ({ pts: Number(pts), duration: Number(duration) }))
  return { code: run.code, stderr: run.stderr, frames, rate }
}

describe('HLS with ffmpeg as the client', () => {
  test(
    'for 90 s across track changes, a live takeover and the hand-back, ffmpeg decodes the MP3 (MPEG-TS), AAC (packed audio) and Opus (fragmented MP4) playlists without an error, and every timestamp follows on from the last',
    async () => {
      const started = performance.now()
      const playing = MOUNTS.map((path) => playHls(`${station.url}/hls${path}/live.m3u8`, 90))
      const mount = (path: HlsMount) => station.station.mount(path)!

      // 30 s in: a DJ goes live on both mounts for 20 s, then the playlists take over again.
      await Bun.sleep(30_000)
      const djs = MOUNTS.map((path) =>
        ffmpegSource(station.sourcePort!, path, {
          ...ENCODERS[path],
          codec: [...ENCODERS[path].codec],
          seconds: 20,
          frequency: 990,
        })
      )
      await waitFor(() => MOUNTS.every((path) => mount(path).input === 'live'), 15_000, 'both DJs on air')
      for (const dj of djs) expect(await dj.exited).toBe(0)
      await waitFor(() => MOUNTS.every((path) => mount(path).input === 'playlist'), 15_000, 'back to the playlists')

      const played = await Promise.all(playing)
      expect(performance.now() - started).toBeGreaterThan(60_000)
      for (const [index, path] of MOUNTS.entries()) {
        const { code, stderr, frames, rate } = played[index]!
        expect({ path, code, stderr }).toEqual({ path, code: 0, stderr: '' })
        const seconds = frames.reduce((sum, frame) => sum + frame.duration, 0) / rate
        expect(seconds).toBeGreaterThan(89)
        // Continuous: each frame starts where the one before it ended (to a sample, for rounding).
        const jumps = frames.slice(1).filter((frame, i) =>
          Math.abs(frame.pts - frames[i]!.pts - frames[i]!.duration) > 1
        )
        expect({ path, jumps }).toEqual({ path, jumps: [] })
      }
      // What was cut into segments meanwhile: playlist tracks, the live show, the playlist again.
      for (const path of MOUNTS) {
        const origins = mount(path).history.map((onAir) => onAir.track.origin)
        expect(origins.filter((origin, i) => origin !== origins[i - 1]).length).toBeGreaterThanOrEqual(3)
      }
    },
    200_000,
  )
})
