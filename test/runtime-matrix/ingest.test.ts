import { beforeAll, describe, expect, test } from 'bun:test'
import { openListener } from '../helpers/listen-client.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { run } from '../helpers/process.ts'
import { bitrateRuns, decodeMp3, ffmpegSource } from '../helpers/source-client.ts'
import { LEGS, onLoopback } from './runtimes.ts'

describe.each(LEGS)('on $name', (leg) => {
  beforeAll(() => leg.setup(), 120_000)

  test(
    'a DJ (ffmpeg, PUT) takes over from the playlist and hands back, on one listener connection that decodes cleanly',
    async () => {
      const [command, ...args] = leg.cli()
      // The password comes from the environment, as the README recommends.
      const station = run(command!, [
        ...args,
        ...onLoopback(1),
        fixtures.mp3(4, 440),
        fixtures.mp3(4, 550),
      ], {
        env: { ...process.env, AIRWAVE_SOURCE_PASSWORD: 'matrix-pw', AIRWAVE_ADMIN_PASSWORD: 'matrix-adm' },
      })
      let dj: ReturnType<typeof ffmpegSource> | undefined
      let listener: Awaited<ReturnType<typeof openListener>> | undefined
      try {
        const [, port] = await station.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
        const [, sourcePort] = await station.waitFor(/live sources: connect your encoder to port (\d+), user "source"/)
        await station.waitFor(/on air: /)
        listener = await openListener(`http://127.0.0.1:${port}/stream`)
        const heard = listener
        dj = ffmpegSource(Number(sourcePort), '/stream', { password: 'matrix-pw' })
        await waitFor(() => heard.frames().some((f) => f.bitrate === 64), 15_000, 'the live audio')
        const mounts = await fetch(`http://127.0.0.1:${port}/admin/listmounts.json`, {
          headers: { Authorization: `Basic ${btoa('admin:matrix-adm')}` },
        })
        expect(((await mounts.json()) as { icestats: { source: { input: string }[] } }).icestats.source[0]!.input).toBe(
          'live',
        )
        await Bun.sleep(1500)
        dj.child.kill('SIGKILL')
        const liveFrom = () => heard.frames().findIndex((f) => f.bitrate === 64)
        await waitFor(
          () => heard.frames().slice(liveFrom()).some((f) => f.bitrate === 128),
          5000,
          'the playlist to come back',
        )
        await Bun.sleep(500)
        expect(heard.broken).toBe(false)
        await heard.stop()
        expect(bitrateRuns(heard.frames()).map(([bitrate]) => bitrate)).toEqual([128, 64, 128])
        const decoded = await decodeMp3(heard.bytes())
        expect(decoded.errors).toEqual([])
        await station.waitFor(/\[\/stream\] live source connected from 127\.0\.0\.1 \(Lavf\//, 2000)
        await station.waitFor(/\[\/stream\] back to the playlist/, 2000)
        expect(
          [...station.stdout, ...station.stderr].some((line) =>
            line.includes('matrix-pw') || line.includes('matrix-adm')
          ),
        ).toBe(false)
        station.child.kill('SIGTERM')
        expect(await station.exited).toBe(0)
      } finally {
        dj?.child.kill('SIGKILL')
        await listener?.stop()
        station.child.kill('SIGKILL')
      }
    },
    60_000,
  )

  test('an edge relays an origin (both on this runtime) and its listener decodes the stream', async () => {
    const [command, ...args] = leg.cli()
    const origin = run(command!, [...args, ...onLoopback(1), fixtures.mp3(4, 440)])
    let edge: ReturnType<typeof run> | undefined
    try {
      const [, originPort] = await origin.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
      edge = run(command!, [
        ...args,
        ...onLoopback(1),
        '--relay',
        `http://127.0.0.1:${originPort}/stream`,
      ])
      const [, edgePort] = await edge.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
      await edge.waitFor(/\[\/stream\] relay on air \(http:\/\/127\.0\.0\.1:\d+\/stream\)/)
      const listener = await openListener(`http://127.0.0.1:${edgePort}/stream`)
      await Bun.sleep(2000)
      expect(listener.broken).toBe(false)
      await listener.stop()
      const decoded = await decodeMp3(listener.bytes())
      expect(decoded.errors).toEqual([])
      expect(decoded.samplesDecoded / 44100).toBeGreaterThan(2)
    } finally {
      edge?.child.kill('SIGKILL')
      origin.child.kill('SIGKILL')
    }
  }, 60_000)
})
