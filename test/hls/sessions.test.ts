import { describe, expect, test } from 'bun:test'
import { HlsSessions } from '../../src/hls/sessions.ts'
import { ManualClock } from '../helpers/manual-clock.ts'

describe('HlsSessions', () => {
  test('a session counts while it asks within the window, and is let go once it stops', async () => {
    const clock = new ManualClock()
    const sessions = new HlsSessions(12_000, clock)
    sessions.seen('s:one')
    sessions.seen('s:two')
    await clock.advance(6000)
    sessions.seen('s:one') // reloads its playlist
    expect(sessions.count).toBe(2)
    await clock.advance(7000) // two stopped 13 s ago
    expect(sessions.count).toBe(1)
    await clock.advance(6000)
    expect(sessions.count).toBe(0)
    expect(sessions.peak).toBe(2)
  })

  test('what a key holds does not grow with what the client sent: 50,000 sessions with 16 KB user agents', () => {
    const sessions = new HlsSessions(12_000, new ManualClock())
    const agent = 'A'.repeat(16_000)
    Bun.gc(true)
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < 50_000; i++) sessions.seen(`a:203.0.${i >> 8}.${i & 255}|${agent}${i}`)
    expect(sessions.count).toBe(50_000)
    Bun.gc(true)
    // Keyed by hash: well under the 800 MB the keys themselves would hold.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(100 * 1024 * 1024)
  })
})
