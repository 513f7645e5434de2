import { describe, expect, test } from 'bun:test'
import { Backoff, backoffDelay } from '../../src/util/backoff.ts'

describe('Backoff', () => {
  test('delays double from the first up to the ceiling, and start again after a reset', () => {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 30_000 })
    expect(Array.from({ length: 7 }, () => backoff.next())).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
    expect(backoff.attempts).toBe(7)
    backoff.reset()
    expect(backoff.next()).toBe(1000)
  })

  test('jitter spreads each delay within ±jitter', () => {
    expect(new Backoff({ initialMs: 1000, maxMs: 30_000, jitter: 0.2, random: () => 0 }).next()).toBe(800)
    expect(new Backoff({ initialMs: 1000, maxMs: 30_000, jitter: 0.2, random: () => 1 }).next()).toBe(1200)
  })

  test('options given as undefined take the defaults (no jitter, Math.random)', () => {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 30_000, jitter: 0.2, random: undefined })
    const delay = backoff.next()
    expect(delay).toBeGreaterThanOrEqual(800)
    expect(delay).toBeLessThanOrEqual(1200)
  })

  test('backoffDelay is the delay after the nth failure in a row', () => {
    expect([1, 2, 3, 10].map((n) => backoffDelay(n, { initialMs: 500, maxMs: 60_000 }))).toEqual([
      500,
      1000,
      2000,
      60_000,
    ])
  })
})
