import { afterAll, describe, expect, test } from 'bun:test'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { InputKind } from '../../src/input/track.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { runFfmpeg } from '../helpers/listen-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { systemFfmpeg } from '../helpers/ogg.ts'
import { ffmpegSource } from '../helpers/source-client.ts'
import { parseStationConfig } from '../../src/config/schema.ts'
import { startStation } from '../helpers/station.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const dir = tempDir('airwave-recording-')
afterAll(() => dir.remove())

/** What a DJ's encoder sends each mount: the playlist's own codec, rate and channels. */
const DJS = {
  '/mp3': { codec: ['-c:a', 'libmp3lame', '-b:a', '128k'], sampleRate: 44_100 },
  '/opus': { codec: ['-c:a', 'libopus', '-b:a', '64k'], sampleRate: 48_000, format: 'ogg', contentType: 'audio/ogg' },
} as const
const MOUNTS = Object.keys(DJS) as (keyof typeof DJS)[]

/** Every error Debian's ffmpeg reports decoding a whole file, and the seconds it decodes to. */
const decode = async (path: string) => {
  const { code, stderr, stdoutBytes } = await runFfmpeg(
    ['-v', 'error', '-i', path, '-f', 's16le', '-ac', '2', '-ar', '48000', '-'],
    60_000,
    systemFfmpeg(),
  )
  return { code, stderr, seconds: stdoutBytes / (48_000 * 4) }
}

const filesOf = (mount: string) =>
  readdirSync(dir.path(mount.slice(1)))
    .sort()
    .map((name) => join(dir.path(mount.slice(1)), name))

describe('recording a station', () => {
  test(
    'an MP3 and an Opus mount record across a track change and a live takeover: a file before, one for the live show, one after, each decoding without an error',
    async () => {
      const station = await startStation(
        [
          { path: '/mp3', playlist: [fixtures.mp3(3, 440), fixtures.mp3(3, 660)] },
          { path: '/opus', playlist: [fixtures.opus(3, 440), fixtures.opus(3, 660)] },
        ].map((mount) => ({ ...mount, record: { path: `${dir.root}/{mount}/%H%M%S-{mount}`, rotateMinutes: 0 } })),
        { station: { sourcePassword: 's3cret' } },
      )
      try {
        await station.onAir()
        const mount = (path: string) => station.station.mount(path)!
        const origins = new Map<string, InputKind[]>(MOUNTS.map((path) => [path, []]))
        for (const path of MOUNTS) {
          mount(path).observe((event) => {
            if (event.type === 'track') origins.get(path)!.push(event.track.origin)
          })
        }
        // A track change on the playlist (3 s tracks), then the DJs.
        await waitFor(() => MOUNTS.every((path) => origins.get(path)!.length >= 1), 15_000, 'a track change')
        const api = await (await fetch(`${station.url}/api/mounts/mp3`)).json()
        expect(api.recording).toMatchObject({
          file: expect.stringMatching(/^\d{6}-mp3\.mp3$/),
          bytes: expect.any(Number),
          problem: null,
        })
        const djs = MOUNTS.map((path) =>
          ffmpegSource(station.sourcePort!, path, { ...DJS[path], codec: [...DJS[path].codec], seconds: 5 })
        )
        await waitFor(() => MOUNTS.every((path) => mount(path).input === 'live'), 20_000, 'the DJs on air')
        await Promise.all(djs.map((dj) => dj.exited))
        await waitFor(
          () => MOUNTS.every((path) => origins.get(path)!.at(-1) === 'playlist' && mount(path).input === 'playlist'),
          20_000,
          'the playlists back',
        )
        await Bun.sleep(2000)
      } finally {
        await station.stop()
      }
      for (const path of MOUNTS) {
        const files = filesOf(path)
        expect(files.map((file) => file.split('/').pop())).toHaveLength(3)
        const decoded = await Promise.all(files.map(decode))
        for (const [i, result] of decoded.entries()) {
          expect({ file: files[i], code: result.code, stderr: result.stderr }).toEqual({
            file: files[i],
            code: 0,
            stderr: '',
          })
          expect(result.seconds).toBeGreaterThan(1)
        }
        // The live show is its own file: about the DJ's 5 s.
        expect(Math.abs(decoded[1]!.seconds - 5)).toBeLessThan(1)
        for (const file of files) expect(statSync(file).size).toBeGreaterThan(0)
      }
      const closed = station.logs.filter((line) => line.includes('recording closed'))
      expect(closed.filter((line) => line.includes('; a live show)'))).toHaveLength(2)
      expect(closed.filter((line) => line.includes('; the live show ended)'))).toHaveLength(2)
      expect(station.logs.filter((line) => line.includes('recording failed'))).toEqual([])
    },
    90_000,
  )

  test(
    'a reload that changes record applies at once: the file closes, the next goes where the new settings say; record: false stops',
    async () => {
      const mounts = (record: unknown) =>
        parseStationConfig({
          host: '127.0.0.1',
          port: 0,
          mounts: [{ path: '/reload', playlist: [fixtures.mp3(3)], record }],
        }, 'test')
      const station = await startStation([{ path: '/reload', playlist: [fixtures.mp3(3)] }])
      try {
        await station.onAir()
        const mount = station.station.mount('/reload')!
        expect(mount.recording.enabled).toBe(false)
        expect((await (await fetch(`${station.url}/api/mounts/reload`)).json()).recording).toBeNull()
        const report = await station.station.reload(mounts({ path: `${dir.root}/reload-a/{mount}` }))
        expect(report.kept).toEqual([])
        await waitFor(() => (mount.recording.status?.bytes ?? 0) > 0, 10_000, 'recording to a/')
        await station.station.reload(mounts({ path: `${dir.root}/reload-b/{mount}` }))
        await waitFor(() => (mount.recording.status?.bytes ?? 0) > 0, 10_000, 'recording to b/')
        await station.station.reload(mounts(false))
        expect(mount.recording.status).toBeUndefined()
      } finally {
        await station.stop()
      }
      expect(readdirSync(dir.path('reload-a'))).toEqual(['reload.mp3'])
      expect(readdirSync(dir.path('reload-b'))).toEqual(['reload.mp3'])
      for (const folder of ['reload-a', 'reload-b']) {
        expect(await decode(dir.path(folder, 'reload.mp3'))).toMatchObject({ code: 0, stderr: '' })
      }
    },
    60_000,
  )
})
