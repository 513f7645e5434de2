import { afterAll, describe, expect, test } from 'bun:test'
import { PlaylistError, PlaylistSource } from '../../../src/input/playlist/playlist-source.ts'
import { Chunker } from '../../../src/pipeline/chunker.ts'
import { Pacer } from '../../../src/pipeline/pacer.ts'
import { createLogger } from '../../../src/log.ts'
import { fixtures } from '../../helpers/fixtures.ts'
import { advanceWithIo, ManualClock } from '../../helpers/manual-clock.ts'
import { tempDir } from '../../helpers/temp-dir.ts'

const dir = tempDir()
afterAll(() => dir.remove())

const MISSING = 100_000
const missing = (i: number) => `missing/${String(i).padStart(6, '0')}.mp3`

describe('a playlist of mostly missing files', () => {
  // 50,000 missing files, a real one, 50,000 more, the other real one: between any two tracks, 50,000 to skip.
  const first = dir.copy(fixtures.mp3(4, 440), 'first.mp3')
  const second = dir.copy(fixtures.mp3(4, 880), 'second.mp3')
  const locations = Array.from({ length: MISSING }, (_, i) => missing(i))
  locations.splice(MISSING / 2, 0, 'first.mp3')
  locations.push('second.mp3')
  const list = dir.write('list.pls', `[playlist]\n${locations.map((at, i) => `File${i + 1}=${at}`).join('\n')}\n`)

  test(
    'opens at once, tells the missing files in one line, and plays on the pacer with no gap, loop after loop',
    async () => {
      const clock = new ManualClock()
      const lines: string[] = []
      const log = createLogger({ level: 'debug', write: (line) => lines.push(line) })
      const source = new PlaylistSource({ entries: [list], log, clock })
      const opening = performance.now()
      await source.open()
      // A guard against a hang, not a measurement (about 0.3 s here; it was 5 s with a stat per entry).
      expect(performance.now() - opening).toBeLessThan(15_000)
      expect([source.size, source.playable]).toEqual([MISSING + 2, 2])
      expect(lines).toEqual([
        expect.stringContaining(
          `skipped 100,000 files in ${list}: file not found (first: ${dir.path(missing(0))})`,
        ),
      ])

      // The pacer releases each chunk when due; one that is not ready in time is late by as much.
      const chunker = new Chunker(source.frames(), 0.25)
      const late: number[] = []
      const tracks: string[] = []
      const pacer = new Pacer(() => chunker.next(), (chunk) => {
        late.push(clock.now() - pacer.dueAt(chunk.position)!)
        if (chunk.trackStart) tracks.push(chunk.track.path!)
      }, { clock, log })
      const running = pacer.run()
      // Until five tracks have started: two loops round the playlist, 200,000 missing files skipped on the way.
      while (tracks.length < 5 && clock.now() < 120_000) await advanceWithIo(clock, 500)
      pacer.stop()
      source.close()
      await clock.advance(1000)
      await running
      await chunker.close()

      expect(tracks).toEqual([first, second, first, second, first])
      expect(pacer.skippedMs).toBe(0)
      expect(Math.max(...late)).toBeLessThan(250)
      // Nothing more was said: not a line per missing file, not a line per loop, no "fell behind".
      expect(lines).toHaveLength(1)
    },
    30_000,
  )

  test('with nothing playable, the start-up error counts the missing files in one line, yet lists each', async () => {
    const none = dir.write('none.m3u', locations.filter((at) => at.startsWith('missing/')).join('\n'))
    const error = await new PlaylistSource({ entries: [none] }).open().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PlaylistError)
    expect((error as PlaylistError).message.split('\n')).toEqual([
      'nothing in the playlist is playable (100,000 files):',
      `  100,000 files: file not found (first: ${dir.path(missing(0))})`,
    ])
    expect((error as PlaylistError).failures).toHaveLength(MISSING)
  })
})
