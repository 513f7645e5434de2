import { describe, expect, test } from 'bun:test'
import type { SeriesJson } from '../../../src/web/client/api-types.d.ts'
import {
  chartPaths,
  chartWindow,
  countTicks,
  MIN_WINDOW_MS,
  peakSince,
  timeTicks,
} from '../../../src/web/client/chart.ts'

const MINUTE = 60_000
const identity = { x: (t: number) => t / 1000, y: (n: number) => n }

describe('the count axis', () => {
  test('runs from 0 to a round number at or above the most listeners, in steps of 1, 2 or 5 × 10ⁿ', () => {
    expect(countTicks(0)).toEqual([0, 1])
    expect(countTicks(3)).toEqual([0, 1, 2, 3])
    expect(countTicks(4)).toEqual([0, 1, 2, 3, 4])
    expect(countTicks(7)).toEqual([0, 2, 4, 6, 8])
    expect(countTicks(17)).toEqual([0, 5, 10, 15, 20])
    expect(countTicks(4321)).toEqual([0, 2000, 4000, 6000])
  })
})

describe('the time axis', () => {
  test('labels round minutes, the fewest steps that keep within the count asked for', () => {
    const from = Date.UTC(2026, 10, 25, 20, 3, 17)
    const ticks = timeTicks(from, from + 3600_000, 4)
    expect(ticks.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(['20:15', '20:30', '20:45', '21:00'])
    expect(timeTicks(from, from + 3600_000, 6).map((t) => new Date(t).toISOString().slice(11, 16))).toEqual([
      '20:10',
      '20:20',
      '20:30',
      '20:40',
      '20:50',
      '21:00',
    ])
  })

  test('round in local time: with a +05:30 offset the ticks fall on local half hours', () => {
    const offset = 330 * MINUTE
    const from = Date.UTC(2026, 10, 25, 20, 0)
    const ticks = timeTicks(from, from + 3 * 3600_000, 6, offset)
    for (const tick of ticks) expect((tick + offset) % (30 * MINUTE)).toBe(0)
    expect(ticks.length).toBeGreaterThanOrEqual(3)
  })
})

describe("the chart's window", () => {
  const hour = 3600
  const at = (start: number, now: number): SeriesJson => ({ start, now, step: 10, peak: [], low: [] })

  test('spans the range asked for once the history is that old', () => {
    expect(chartWindow(at(0, 5 * 3600_000), hour)).toBe(4 * 3600_000)
  })

  test('while the history is younger, it begins where the history does, so a station started minutes ago fills the chart', () => {
    expect(chartWindow(at(1_000_000, 1_000_000 + 20 * MINUTE), hour)).toBe(1_000_000)
  })

  test('and spans at least five minutes, however new the history', () => {
    expect(MIN_WINDOW_MS).toBe(5 * MINUTE)
    expect(chartWindow(at(1_000_000, 1_010_000), hour)).toBe(1_010_000 - 5 * MINUTE)
  })
})

describe('the listener chart', () => {
  const series: SeriesJson = { start: 0, step: 10, now: 25_000, peak: [2, 5, 3], low: [1, 2, 3] }

  test('draws a step per point at its most listeners, the last one cut at the time the series was read', () => {
    expect(chartPaths(series, 0, identity).line).toBe('M0 2H10V5H20V3H25')
  })

  test('fills under the fewest listeners (there throughout) and between fewest and most (those who came and went)', () => {
    const paths = chartPaths(series, 0, identity)
    expect(paths.floor).toBe('M0 1H10V2H20V3H25V0H20V0H10V0H0Z')
    expect(paths.band).toBe('M0 2H10V5H20V3H25V3H20V2H10V1H0Z')
  })

  test('leaves out what is before the window, and clips the point that straddles its start', () => {
    expect(chartPaths(series, 15_000, identity).line).toBe('M15 5H20V3H25')
    expect(peakSince(series, 15_000)).toBe(5)
    expect(peakSince(series, 21_000)).toBe(3)
  })

  test('an empty history draws nothing and peaks at 0', () => {
    const empty: SeriesJson = { start: 0, step: 10, now: 0, peak: [], low: [] }
    expect(chartPaths(empty, 0, identity)).toEqual({ line: '', floor: '', band: '' })
    expect(peakSince(empty, 0)).toBe(0)
  })
})
