import { afterAll, describe, expect, test } from 'bun:test'
import { rmSync } from 'node:fs'
import { fixtures } from '../helpers/fixtures.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { startStation } from '../helpers/station.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const dir = tempDir()
afterAll(() => dir.remove())

describe('the Bun adapter', () => {
  test('lifts Bun.serve’s 10 s idle timeout for listeners: one stays connected through 12 s of silence and hears the music return', async () => {
    expect('Bun' in globalThis).toBe(true)
    const file = dir.copy(fixtures.mp3(1, 440), 'only/tone.mp3')
    const station = await startStation([{ path: '/stream', playlist: [dir.path('only')], burst: 0 }])
    try {
      const response = await fetch(`${station.url}/stream`)
      const reader = response.body!.getReader()
      let lastData = performance.now()
      let longestSilence = 0
      let received = 0
      let ended = false
      const reading = (async () => {
        for (let r = await reader.read(); !r.done; r = await reader.read()) {
          longestSilence = Math.max(longestSilence, performance.now() - lastData)
          lastData = performance.now()
          received += r.value.length
        }
        ended = true
      })().catch(() => (ended = true))
      rmSync(file)
      await waitFor(() => station.logs.some((l) => l.includes('nothing in the playlist is playable')), 5000, 'silence')
      await Bun.sleep(12_000)
      expect(ended).toBe(false)
      const before = received
      dir.copy(fixtures.mp3(1, 440), 'only/tone.mp3')
      await waitFor(() => received > before, 20_000, 'the music to return')
      expect(longestSilence).toBeGreaterThan(10_000)
      expect(ended).toBe(false)
      await reader.cancel()
      await reading
    } finally {
      await station.stop()
    }
  }, 45_000)
})
