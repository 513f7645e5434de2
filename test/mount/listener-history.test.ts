import { describe, expect, test } from 'bun:test'
import { ListenerHistory } from '../../src/mount/listener-history.ts'

/** A history on a wall clock that moves only when told, starting on an interval boundary. */
const historyAt = (start = 1_800_000_000_000, options: { resolutionMs?: number; retentionMs?: number } = {}) => {
  let now = start
  const history = new ListenerHistory({ ...options, now: () => now })
  return {
    history,
    at: (ms: number) => (now = start + ms),
  }
}

describe('ListenerHistory', () => {
  test('keeps, per 10 s interval, the most and fewest listeners at once, however briefly', () => {
    const { history, at } = historyAt()
    history.record(1)
    at(2_000)
    history.record(3)
    at(2_100)
    history.record(2) // a peak of 3 for 100 ms still shows
    at(12_000)
    history.record(0)
    at(25_000)
    const series = history.series(3600_000)
    expect(series.step).toBe(10)
    expect(series.start).toBe(1_800_000_000_000)
    expect(series.now).toBe(1_800_000_025_000)
    expect(series.peak).toEqual([3, 2, 0])
    expect(series.low).toEqual([0, 0, 0])
  })

  test('intervals without a change hold the count that was current, with no timer running', () => {
    const { history, at } = historyAt()
    history.record(4)
    at(60_000)
    const series = history.series(3600_000)
    expect(series.peak).toEqual([4, 4, 4, 4, 4, 4, 4])
    expect(series.low).toEqual([0, 4, 4, 4, 4, 4, 4])
    expect(history.current).toBe(4)
  })

  test('intervals are aligned to the wall clock', () => {
    const { history, at } = historyAt(1_800_000_004_000)
    history.record(1)
    at(7_000) // 11 s past the boundary
    const series = history.series(3600_000)
    expect(series.start).toBe(1_800_000_000_000)
    expect(series.peak).toEqual([1, 1])
  })

  test('memory is bounded: past the retention the oldest intervals are forgotten', () => {
    const { history, at } = historyAt(1_800_000_000_000, { retentionMs: 3600_000 })
    for (let s = 0; s < 2 * 3600; s += 7) {
      at(s * 1000)
      history.record(s % 5)
    }
    const series = history.series(24 * 3600_000, 10_000)
    expect(series.peak.length).toBe(360)
    // The last record was at 1:59:56: the hour kept begins at 1:00:00.
    expect(series.start).toBe(1_800_000_000_000 + 3600_000)
    // A jump of days fills at most the retention.
    at(5 * 24 * 3600_000)
    expect(history.series(3600_000).peak.length).toBe(360)
  })

  test('long ranges merge whole intervals into at most maxPoints points, aligned so they do not shift', () => {
    const { history, at } = historyAt()
    for (let s = 0; s < 6 * 3600; s += 10) {
      at(s * 1000)
      history.record(s === 3600 ? 50 : 1)
      history.record(1)
    }
    const series = history.series(6 * 3600_000)
    expect(series.step).toBe(60)
    expect(series.peak.length).toBeLessThanOrEqual(361)
    // The brief peak of 50 is in the point covering 1:00:00-1:01:00.
    expect(series.peak[(3600 - (series.start - 1_800_000_000_000) / 1000) / 60]).toBe(50)
    expect(series.peak.filter((p) => p === 50)).toHaveLength(1)
    expect(series.start % 60_000).toBe(0)
    at(6 * 3600_000 + 25_000)
    expect(history.series(6 * 3600_000).start % 60_000).toBe(0)
  })

  test('a wall clock set back keeps counting into the current interval', () => {
    const { history, at } = historyAt()
    at(30_000)
    history.record(2)
    at(5_000)
    history.record(7)
    at(30_000)
    expect(history.series(3600_000).peak).toEqual([0, 0, 0, 7])
  })
})
