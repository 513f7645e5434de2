/**
 * The dashboard's listener chart in the page: the geometry of `chart.ts` drawn as SVG, redrawn to
 * the element's size, with a caption saying what it shows.
 */
import type { SeriesJson } from './api-types.d.ts'
import { chartPaths, chartWindow, countTicks, peakSince, timeTicks } from './chart.ts'
import { element, setText } from './dom.ts'
import { formatDuration } from './timeline.ts'

const SVG = 'http://www.w3.org/2000/svg'

const svg = <K extends keyof SVGElementTagNameMap>(
  name: K,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] => {
  const node = document.createElementNS(SVG, name)
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value))
  if (text !== undefined) node.textContent = text
  return node
}

const clockTime = (time: number): string =>
  new Date(time).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })

const rangeName = (seconds: number): string => (seconds === 3600 ? 'the last hour' : `the last ${seconds / 3600} hours`)

/** The listener chart of one mount, redrawn to the element's size. */
export class ChartView {
  readonly #svg: SVGSVGElement
  readonly #caption: Element
  readonly #path: string
  #last: { series: SeriesJson; range: number; current: number } | undefined

  constructor(figure: Element, path: string) {
    this.#svg = element<SVGSVGElement>(figure, 'svg')
    this.#caption = element(figure, 'figcaption')
    this.#path = path
    new ResizeObserver(() => this.#draw()).observe(this.#svg)
  }

  show(series: SeriesJson, range: number, current: number): void {
    this.#last = { series, range, current }
    this.#draw()
  }

  #draw(): void {
    if (!this.#last) return
    const { series, range, current } = this.#last
    const width = Math.max(200, this.#svg.clientWidth)
    const height = Math.max(80, this.#svg.clientHeight)
    const margin = { left: 40, right: 12, top: 10, bottom: 22 }
    const to = series.now
    const from = chartWindow(series, range)
    const most = peakSince(series, from)
    const ticks = countTicks(most)
    const top = ticks.at(-1)!
    const scale = {
      x: (t: number) => margin.left + ((t - from) / (to - from)) * (width - margin.left - margin.right),
      y: (n: number) => height - margin.bottom - (n / top) * (height - margin.top - margin.bottom),
    }
    const paths = chartPaths(series, from, scale)
    const nodes: SVGElement[] = []
    for (const tick of ticks) {
      const y = Math.round(scale.y(tick)) + 0.5
      nodes.push(
        svg('line', {
          class: tick === 0 ? 'axis' : 'grid',
          x1: margin.left,
          x2: width - margin.right,
          y1: y,
          y2: y,
          'data-count': tick,
        }),
      )
      nodes.push(svg('text', { class: 'tick', x: margin.left - 6, y: y + 4, 'text-anchor': 'end' }, String(tick)))
    }
    for (
      const time of timeTicks(from, to, Math.max(2, Math.floor(width / 90)), -new Date(to).getTimezoneOffset() * 60_000)
    ) {
      const x = Math.round(scale.x(time)) + 0.5
      nodes.push(
        svg('line', { class: 'axis', x1: x, x2: x, y1: height - margin.bottom, y2: height - margin.bottom + 4 }),
      )
      // A label near an edge is aligned to it rather than centred, so it is not cut off.
      const anchor = x > width - 36 ? 'end' : x < margin.left + 4 ? 'start' : 'middle'
      nodes.push(
        svg(
          'text',
          { class: 'tick', x: anchor === 'end' ? width - 2 : x, y: height - 6, 'text-anchor': anchor },
          clockTime(time),
        ),
      )
    }
    nodes.push(
      svg('path', { class: 'floor', d: paths.floor }),
      svg('path', { class: 'band', d: paths.band }),
      svg('path', { class: 'line', d: paths.line }),
    )
    this.#svg.setAttribute('viewBox', `0 0 ${width} ${height}`)
    this.#svg.replaceChildren(...nodes)
    const span = from > to - range * 1000
      ? `since ${clockTime(series.start)}, when the station started`
      : rangeName(range)
    const label = `Listeners on ${this.#path} ${
      span.startsWith('since') ? span : `over ${span}`
    }: ${current} now, at most ${most}`
    this.#svg.setAttribute('aria-label', label)
    setText(
      this.#caption,
      `${label}. Each step: the most listeners at once within ${
        formatDuration(series.step)
      } (the darker area: the fewest).`,
    )
  }
}
