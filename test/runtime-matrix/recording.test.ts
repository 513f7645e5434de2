import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readdirSync } from 'node:fs'
import { fixtures } from '../helpers/fixtures.ts'
import { runFfmpeg } from '../helpers/listen-client.ts'
import { systemFfmpeg } from '../helpers/ogg.ts'
import { run } from '../helpers/process.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import type { RuntimeLeg } from './runtimes.ts'
import { LEGS } from './runtimes.ts'

const dirs: ReturnType<typeof tempDir>[] = []
afterAll(() => dirs.forEach((dir) => dir.remove()))

/** The leg's command line, with Deno's `--allow-write` when `write`. */
const command = (leg: RuntimeLeg, write: boolean): string[] => {
  const cli = leg.cli()
  return leg.name === 'deno' && write ? [cli[0]!, 'run', '--allow-write', ...cli.slice(2)] : cli
}

/** A config file recording its one mount to `rec/` beside it (a relative path: the config's folder). */
const stationIn = () => {
  const dir = tempDir('airwave-kill-')
  dirs.push(dir)
  const config = dir.write(
    'station.json',
    JSON.stringify({
      host: '127.0.0.1',
      port: 0,
      mounts: [{
        path: '/stream',
        playlist: [fixtures.mp3(3, 440), fixtures.mp3(3, 660)],
        record: { path: 'rec/{mount}' },
      }],
    }),
  )
  return { dir, config }
}

const seconds = async (path: string) => {
  const { code, stderr, stdoutBytes } = await runFfmpeg(
    ['-v', 'error', '-i', path, '-f', 's16le', '-ac', '2', '-ar', '44100', '-'],
    30_000,
    systemFfmpeg(),
  )
  return { code, stderr, seconds: stdoutBytes / (44_100 * 4) }
}

describe.each(LEGS)('on $name', (leg) => {
  beforeAll(() => leg.setup(), 120_000)

  test(
    'killed with kill -9 while recording, the file decodes without an error and holds the seconds that were on air',
    async () => {
      const { dir, config } = stationIn()
      const [bin, ...args] = command(leg, true)
      const station = run(bin!, [...args, '--config', config])
      let onAir = 0
      try {
        await station.waitFor(/recording to .*rec\/stream\.mp3/, 20_000)
        const started = performance.now()
        await Bun.sleep(4000)
        station.child.kill('SIGKILL')
        onAir = (performance.now() - started) / 1000
        expect(await station.exited).toBe('SIGKILL')
      } finally {
        station.child.kill('SIGKILL')
      }
      expect(readdirSync(dir.path('rec'))).toEqual(['stream.mp3'])
      const decoded = await seconds(dir.path('rec/stream.mp3'))
      console.log(`${leg.name}: ${decoded.seconds.toFixed(2)} s recorded, ${onAir.toFixed(2)} s on air before kill -9`)
      expect(decoded).toMatchObject({ code: 0, stderr: '' })
      expect(Math.abs(decoded.seconds - onAir)).toBeLessThan(0.75)
    },
    60_000,
  )

  if (leg.name === 'deno') {
    test('without --allow-write, the log says recording needs it, and the station plays on', async () => {
      const { config } = stationIn()
      const [bin, ...args] = command(leg, false)
      const station = run(bin!, [...args, '--config', config])
      try {
        const [, port] = await station.waitFor(/listening on 127\.0\.0\.1:(\d+)/, 20_000)
        const [line] = await station.waitFor(/recording failed: .*/, 20_000)
        expect(line).toMatch(/cannot make the folder .*rec: recording needs Deno's --allow-write permission/)
        const response = await fetch(`http://127.0.0.1:${port}/stream`)
        const reader = response.body!.getReader()
        let bytes = 0
        while (bytes < 32_000) bytes += (await reader.read()).value!.length
        await reader.cancel()
        expect(response.status).toBe(200)
      } finally {
        station.child.kill('SIGKILL')
      }
    }, 60_000)
  }
})
