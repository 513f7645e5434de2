/**
 * The dashboard's listener chart, as geometry: axis ticks and SVG path data from a listener
 * history. No DOM here, so the rules are unit-tested (`test/web/client/chart.test.ts`); the
 * dashboard module turns them into SVG elements.
 */
import type { SeriesJson } from './api-types.d.ts'

/** The shortest stretch of time (ms) the chart spans, however recent its history. */
export const MIN_WINDOW_MS = 5 * 60_000

/**
 * Where the chart's window begins (ms): `range` seconds before the series was read, or, while the
 * history is younger than that, where it begins (so a station started minutes ago fills the chart),
 * but never less than `MIN_WINDOW_MS` before the end.
 */
export const chartWindow = (series: SeriesJson, range: number): number =>
  Math.max(series.now - range * 1000, Math.min(series.start, series.now - MIN_WINDOW_MS))

/** The count axis: 0 up to a round number at or above `max` (at least 1), in at most `intervals` steps of 1, 2 or 5 × 10ⁿ. */
export const countTicks = (max: number, intervals = 4): number[] => {
  const top = Math.max(1, Math.ceil(max))
  let step = 1
  for (let magnitude = 1;; magnitude *= 10) {
    const found = [1, 2, 5].map((m) => m * magnitude).find((s) => Math.ceil(top / s) <= intervals)
    if (found !== undefined) {
      step = found
      break
    }
  }
  return Array.from({ length: Math.ceil(top / step) + 1 }, (_, i) => i * step)
}

/** Intervals between time labels (minutes), the smallest that fits being used. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720]

/**
 * Round times (ms) between `from` and `to` for labels, at most about `count` of them, on round
 * local times: `offsetMs` is the local time zone's offset from UTC (`-getTimezoneOffset()` minutes).
 */
export const timeTicks = (from: number, to: number, count = 6, offsetMs = 0): number[] => {
  const minutes = TIME_STEPS.find((m) => (to - from) / (m * 60_000) <= count) ?? TIME_STEPS.at(-1)!
  const step = minutes * 60_000
  const ticks: number[] = []
  for (let t = Math.ceil((from + offsetMs) / step) * step - offsetMs; t <= to; t += step) ticks.push(t)
  return ticks
}

/** Maps a time (ms) and a count to the chart's x and y. */
export interface Scale {
  x(time: number): number
  y(count: number): number
}

/** One point's interval, clipped to the chart's window, and its values. */
interface Step {
  from: number
  to: number
  peak: number
  low: number
}

const steps = (series: SeriesJson, from: number): Step[] => {
  const out: Step[] = []
  series.peak.forEach((peak, i) => {
    const begin = series.start + i * series.step * 1000
    const end = Math.min(begin + series.step * 1000, series.now)
    if (end <= from || begin >= end) return
    out.push({ from: Math.max(begin, from), to: end, peak, low: series.low[i] ?? peak })
  })
  return out
}

const round = (n: number): number => Math.round(n * 10) / 10

/** A step line through `value` of each step: `M x y H x V y H x …`. */
const stepLine = (list: readonly Step[], scale: Scale, value: (s: Step) => number): string =>
  list.map((s, i) =>
    `${i === 0 ? `M${round(scale.x(s.from))} ` : 'V'}${round(scale.y(value(s)))}H${round(scale.x(s.to))}`
  ).join('')

/** The area between two step lines (the second traced backwards). */
const band = (list: readonly Step[], scale: Scale, top: (s: Step) => number, bottom: (s: Step) => number): string => {
  if (list.length === 0) return ''
  const back = [...list].reverse().map((s) => `V${round(scale.y(bottom(s)))}H${round(scale.x(s.from))}`).join('')
  return `${stepLine(list, scale, top)}${back}Z`
}

/** SVG path data of a history in the window from `from` on: the peak's line, the area under the fewest listeners, the band up to the most. */
export interface ChartPaths {
  line: string
  floor: string
  band: string
}

/**
 * The chart's paths: each point a flat step over its interval, at the most listeners at once
 * (`line`); the area up to the fewest (`floor`: listeners there the whole time) and from there to
 * the most (`band`: listeners who came and went).
 *
 * @example
 * const paths = chartPaths(series, series.now - 3600_000, { x, y })
 * linePath.setAttribute('d', paths.line)
 */
export const chartPaths = (series: SeriesJson, from: number, scale: Scale): ChartPaths => {
  const list = steps(series, from)
  return {
    line: stepLine(list, scale, (s) => s.peak),
    floor: band(list, scale, (s) => s.low, () => 0),
    band: band(list, scale, (s) => s.peak, (s) => s.low),
  }
}

/** The most listeners at once in the window from `from` on. */
export const peakSince = (series: SeriesJson, from: number): number =>
  Math.max(0, ...steps(series, from).map((s) => s.peak))
