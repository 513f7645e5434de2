import { afterAll, describe, expect, test } from 'bun:test'
import { fixtures } from '../helpers/fixtures.ts'
import { record } from '../helpers/listen-client.ts'
import { decodeOgg, oggTimeline, pacedRate } from '../helpers/ogg.ts'
import { run } from '../helpers/process.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import { LEGS } from './runtimes.ts'

const dir = tempDir('airwave-ogg-matrix-')
afterAll(() => dir.remove())

/** Two Ogg mounts, three 4-second tracks each: a chain link every 4 s. */
const config = () =>
  dir.write(
    'station.json',
    JSON.stringify({
      mounts: [
        {
          path: '/opus',
          playlist: [330, 440, 550].map((hz) => fixtures.opus(4, hz, { title: `Opus ${hz}`, artist: 'Matrix' })),
        },
        {
          path: '/vorbis',
          playlist: [330, 440, 550].map((hz) => fixtures.vorbis(4, hz, { title: `Vorbis ${hz}`, artist: 'Matrix' })),
        },
      ],
    }),
  )

const SECONDS = 24

describe.each(LEGS)('Ogg mounts on $name', (leg) => {
  test(
    'an Opus and a Vorbis mount are paced at real time (within 0.5 %, from granule positions), each title in its link’s comment header, and ffmpeg decodes them across track changes without an error',
    async () => {
      leg.setup()
      const [command, ...args] = leg.cli()
      const station = run(command!, [...args, '--config', config(), '--host', '127.0.0.1', '--port', '0'])
      try {
        const [, port] = await station.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
        await station.waitFor(/\[\/vorbis\] on air: /)
        const base = `http://127.0.0.1:${port}`
        const [opus, vorbis, decodedOpus, decodedVorbis] = await Promise.all([
          record(`${base}/opus`, SECONDS * 1000),
          record(`${base}/vorbis`, SECONDS * 1000),
          decodeOgg(`${base}/opus`, 10),
          decodeOgg(`${base}/vorbis`, 10),
        ])
        for (const [name, recording] of [['opus', opus], ['vorbis', vorbis]] as const) {
          expect(recording.headers.get('content-type')).toBe('audio/ogg')
          expect(recording.headers.get('icy-metaint')).toBeNull()
          const pages = oggTimeline(recording)
          expect(pages.slice(0, 2).every((page) => page.header)).toBe(true)
          const rate = pacedRate(pages, (recording.reads[0]?.at ?? 0) + 500)
          console.log(`${leg.name} ${name}: ${(rate * 100).toFixed(3)} % of real time`)
          expect(Math.abs(rate - 1)).toBeLessThan(0.005)
          const titles = new Set(pages.map((page) => page.title))
          expect(titles.size).toBeGreaterThanOrEqual(3)
          for (const title of titles) expect(title).toMatch(name === 'opus' ? /^Opus \d+$/ : /^Vorbis \d+$/)
        }
        for (const decoded of [decodedOpus, decodedVorbis]) {
          expect(decoded).toMatchObject({ code: 0, stderr: '' })
          expect(Math.abs(decoded.seconds - 10)).toBeLessThan(0.2)
        }
      } finally {
        station.child.kill('SIGKILL')
      }
    },
    180_000,
  )
})
