import { describe, expect, test } from 'bun:test'
import { Watchdog } from '../../../src/input/stream/watchdog.ts'
import { ManualClock } from '../../helpers/manual-clock.ts'

describe('Watchdog', () => {
  test('fires once after the timeout without data, on the injected clock; data and paused time do not count', async () => {
    const clock = new ManualClock()
    let stalls = 0
    const watchdog = new Watchdog(clock, 10_000, () => stalls++)
    await clock.advance(9_000)
    watchdog.kick()
    await clock.advance(9_000)
    expect(stalls).toBe(0)
    // Paused on purpose (the source is ahead): a minute of silence is fine.
    watchdog.pause()
    await clock.advance(60_000)
    expect(stalls).toBe(0)
    watchdog.resume()
    await clock.advance(9_999)
    expect(stalls).toBe(0)
    await clock.advance(1)
    expect(stalls).toBe(1)
    await clock.advance(60_000)
    expect(stalls).toBe(1)
    expect(clock.pending).toBe(0)
  })

  test('stop() ends it without firing', async () => {
    const clock = new ManualClock()
    let stalls = 0
    const watchdog = new Watchdog(clock, 1000, () => stalls++)
    watchdog.stop()
    await clock.advance(5000)
    expect(stalls).toBe(0)
  })
})
