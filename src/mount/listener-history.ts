export interface ListenerHistoryOptions {
  /** Width of one sample (ms): the most and fewest listeners within it are kept. Default 10 s. */
  resolutionMs?: number
  /** How far back samples are kept (ms). Default 24 hours. */
  retentionMs?: number
  /** Wall-clock time (ms since the epoch): samples are aligned to it, so a chart can label them. */
  now?: () => number
}

/** A stretch of the history, oldest point first. */
export interface ListenerSeries {
  /** Wall-clock time (ms) at which the first point's interval begins. */
  start: number
  /** Seconds each point covers (the resolution, or a multiple of it for long ranges). */
  step: number
  /** Wall-clock time (ms) the series was read: the last point covers up to here. */
  now: number
  /** Most listeners at once within each point's interval. */
  peak: number[]
  /** Fewest listeners at once within each point's interval. */
  low: number[]
}

/** The default resolution (ms): 10 s. */
const HISTORY_RESOLUTION_MS = 10_000
/** The default retention (ms): 24 hours. */
const HISTORY_RETENTION_MS = 24 * 3600_000

/**
 * A mount's listener count over time, kept in memory from start: fixed intervals (10 s by default,
 * aligned to the wall clock), each holding the most and the fewest listeners connected at once
 * within it. It is told every change (`record`); intervals without a change hold the count that
 * was current, filled in when next touched, so nothing runs on a timer and no change is missed
 * however short. Memory is fixed: two ring buffers of `retention / resolution` counts (24 h at
 * 10 s: 8,640 intervals, 69 KB).
 *
 * @example
 * const history = new ListenerHistory()
 * broadcaster.observe(() => history.record(broadcaster.size))
 * history.series(3600_000) // the last hour, at most 360 points
 */
export class ListenerHistory {
  readonly resolutionMs: number
  readonly retentionMs: number
  readonly #now: () => number
  readonly #capacity: number
  readonly #peak: Uint32Array
  readonly #low: Uint32Array
  /** Absolute interval numbers (time / resolution) of the oldest kept and the current interval. */
  #first: number
  #last: number
  #count = 0

  constructor(options: ListenerHistoryOptions = {}) {
    this.resolutionMs = options.resolutionMs ?? HISTORY_RESOLUTION_MS
    this.retentionMs = options.retentionMs ?? HISTORY_RETENTION_MS
    this.#now = options.now ?? Date.now
    this.#capacity = Math.max(1, Math.ceil(this.retentionMs / this.resolutionMs))
    this.#peak = new Uint32Array(this.#capacity)
    this.#low = new Uint32Array(this.#capacity)
    this.#first = this.#last = this.#interval(this.#now())
  }

  /** The listener count is `count` from now on. */
  record(count: number): void {
    this.#advance()
    const i = this.#last % this.#capacity
    this.#peak[i] = Math.max(this.#peak[i]!, count)
    this.#low[i] = Math.min(this.#low[i]!, count)
    this.#count = count
  }

  /** The count last recorded. */
  get current(): number {
    return this.#count
  }

  /**
   * The last `rangeMs` (at most the retention), in at most `maxPoints` points (and one more when the
   * range does not fall on point boundaries): each point merges whole intervals, aligned on
   * multiples of its width, so the points of a chart redrawn later do not shift.
   */
  series(rangeMs: number, maxPoints = 360): ListenerSeries {
    this.#advance()
    const wanted = Math.max(1, Math.min(this.#capacity, Math.ceil(rangeMs / this.resolutionMs)))
    const per = Math.max(1, Math.ceil(wanted / Math.max(1, maxPoints)))
    const from = Math.max(this.#first, this.#last - wanted + 1)
    const peak: number[] = []
    const low: number[] = []
    for (let group = Math.floor(from / per); group * per <= this.#last; group++) {
      let most = 0
      let fewest = Number.POSITIVE_INFINITY
      for (let n = Math.max(group * per, this.#first); n < (group + 1) * per && n <= this.#last; n++) {
        most = Math.max(most, this.#peak[n % this.#capacity]!)
        fewest = Math.min(fewest, this.#low[n % this.#capacity]!)
      }
      peak.push(most)
      low.push(fewest)
    }
    return {
      start: Math.floor(from / per) * per * this.resolutionMs,
      step: (per * this.resolutionMs) / 1000,
      now: this.#now(),
      peak,
      low,
    }
  }

  #interval(time: number): number {
    return Math.floor(time / this.resolutionMs)
  }

  /** Opens the intervals up to now, each starting with the count current then. */
  #advance(): void {
    const now = this.#interval(this.#now())
    // A wall clock set back: keep counting into the current interval.
    if (now <= this.#last) return
    for (let n = Math.max(this.#last + 1, now - this.#capacity + 1); n <= now; n++) {
      this.#peak[n % this.#capacity] = this.#count
      this.#low[n % this.#capacity] = this.#count
    }
    this.#last = now
    this.#first = Math.max(this.#first, now - this.#capacity + 1)
  }
}
