import { afterAll, describe, expect, test } from 'bun:test'
import { connect } from 'node:net'
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

/** Asks for `path` twice on one kept-alive connection, `pauseMs` apart: the status of each answer. */
const reloadOnOneConnection = (port: number, path: string, pauseMs: number) =>
  new Promise<number[]>((resolve, reject) => {
    const statuses: number[] = []
    const socket = connect(port, '127.0.0.1')
    const ask = () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
    let buffer = ''
    socket.on('data', (data) => {
      buffer += data.toString('latin1')
      for (let match; (match = /^HTTP\/1\.1 (\d{3})[^]*?\r\n\r\n/.exec(buffer));) {
        const length = Number(/content-length: (\d+)/i.exec(match[0])?.[1] ?? 0)
        if (buffer.length < match[0].length + length) break
        buffer = buffer.slice(match[0].length + length)
        statuses.push(Number(match[1]))
        if (statuses.length === 1) setTimeout(ask, pauseMs)
        else (socket.end(), resolve(statuses))
      }
    })
    socket.on('close', () => resolve(statuses))
    socket.on('error', reject)
    socket.on('connect', ask)
  })

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
        const reloads = reloadOnOneConnection(Number(port), '/hls/mp3/live.m3u8', 7000)
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
        // A player reloads its playlist once a segment, on the connection it kept: still open 7 s on.
        expect(await reloads).toEqual([200, 200])
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
