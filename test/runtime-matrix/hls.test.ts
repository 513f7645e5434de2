import { afterAll, describe, expect, test } from 'bun:test'
import { fixtures } from '../helpers/fixtures.ts'
import { runFfmpeg } from '../helpers/listen-client.ts'
import { systemFfmpeg } from '../helpers/ogg.ts'
import { run } from '../helpers/process.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import { LEGS } from './runtimes.ts'

const dir = tempDir('airwave-hls-matrix-')
afterAll(() => dir.remove())

const HLS = { segmentSeconds: 2, segments: 6 }
const MOUNTS = ['/mp3', '/aac', '/opus'] as const

/** An MP3, an AAC and an Opus mount, three 4-second tracks each, cut into 2-second HLS segments. */
const config = () =>
  dir.write(
    'station.json',
    JSON.stringify({
      mounts: [
        {
          path: '/mp3',
          hls: HLS,
          playlist: [330, 440, 550].map((hz) => fixtures.chirp(4, hz, { title: `MP3 ${hz}` })),
        },
        { path: '/aac', hls: HLS, playlist: [330, 440, 550].map((hz) => fixtures.aac(4, hz)) },
        {
          path: '/opus',
          hls: HLS,
          playlist: [330, 440, 550].map((hz) => fixtures.opus(4, hz, { title: `Opus ${hz}` })),
        },
      ],
    }),
  )

describe.each(LEGS)('HLS on $name', (leg) => {
  test(
    'each mount answers its live playlist, cacheably, and ffmpeg plays 12 s of MP3 (MPEG-TS), AAC (packed) and Opus (fMP4) HLS across track changes without an error',
    async () => {
      leg.setup()
      const [command, ...args] = leg.cli()
      const station = run(command!, [...args, '--config', config(), '--host', '127.0.0.1', '--port', '0'])
      try {
        const [, port] = await station.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
        const base = `http://127.0.0.1:${port}`
        // Until a mount's first segment is complete its playlist is a 503.
        for (const path of MOUNTS) {
          const deadline = performance.now() + 30_000
          while (
            (await fetch(`${base}/hls${path}/live.m3u8`).then((r) => r.arrayBuffer().then(() => r.status))) !== 200
          ) {
            if (performance.now() > deadline) throw new Error(`no HLS playlist for ${path} after 30 s`)
            await Bun.sleep(200)
          }
        }
        const playing = MOUNTS.map((path) =>
          runFfmpeg(
            ['-v', 'error', '-i', `${base}/hls${path}/live.m3u8`, '-t', '12', '-f', 'null', '-'],
            90_000,
            systemFfmpeg(),
          )
        )
        const response = await fetch(`${base}/hls/mp3/live.m3u8`)
        expect(response.headers.get('content-type')).toBe('application/vnd.apple.mpegurl')
        const etag = response.headers.get('etag')!
        const segment = (await response.text()).trim().split('\n').at(-1)!
        const again = await fetch(`${base}/hls/mp3/live.m3u8`, { headers: { 'If-None-Match': etag } })
        await again.arrayBuffer()
        expect([200, 304]).toContain(again.status)
        const media = await fetch(`${base}/hls/mp3/${segment}`)
        expect(media.headers.get('cache-control')).toBe('public, max-age=3600, immutable')
        expect(new Uint8Array(await media.arrayBuffer())[0]).toBe(0x47)
        for (const [index, played] of (await Promise.all(playing)).entries()) {
          expect({ path: MOUNTS[index], code: played.code, stderr: played.stderr }).toEqual({
            path: MOUNTS[index],
            code: 0,
            stderr: '',
          })
        }
      } finally {
        station.child.kill('SIGKILL')
      }
    },
    180_000,
  )
})
