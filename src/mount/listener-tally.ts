import type { BroadcastEvent } from '../broadcast/broadcaster.ts'
import type { Listener } from '../broadcast/listener.ts'
import type { Clock } from '../clock.ts'

/** Listener counts: connections now, the most at once, and distinct address + user agent pairs now. */
export interface ListenerCounts {
  readonly current: number
  readonly peak: number
  readonly unique: number
}

/** How long joins and leaves settle before one change of counts is announced. */
export const COUNTS_SETTLE_MS = 500

const visitor = (listener: Listener): string => `${listener.info.address}\0${listener.info.userAgent}`

/**
 * Keeps a mount's listener counts up to date as listeners join and leave, in constant time per
 * join, and announces a change at most once per settle interval: a flood of joins costs each
 * observer (every open event stream, say) one announcement, not one per listener.
 *
 * @example
 * const tally = new ListenerTally(clock, (counts) => events.notify({ type: 'listeners', listeners: counts }))
 * broadcaster.observe((event) => tally.record(event, broadcaster.size, broadcaster.stats.peak))
 */
export class ListenerTally {
  readonly #visitors = new Map<string, number>()
  readonly #clock: Clock
  readonly #announce: (counts: ListenerCounts) => void
  #current = 0
  #peak = 0
  #settling = false

  constructor(clock: Clock, announce: (counts: ListenerCounts) => void) {
    this.#clock = clock
    this.#announce = announce
  }

  /** The counts now. */
  get counts(): ListenerCounts {
    return { current: this.#current, peak: this.#peak, unique: this.#visitors.size }
  }

  /** Takes in a join or leave; `current` and `peak` are the broadcaster's after it. */
  record(event: BroadcastEvent, current: number, peak: number): void {
    const key = visitor(event.listener)
    const n = (this.#visitors.get(key) ?? 0) + (event.type === 'join' ? 1 : -1)
    if (n > 0) this.#visitors.set(key, n)
    else this.#visitors.delete(key)
    this.#current = current
    this.#peak = peak
    if (this.#settling) return
    this.#settling = true
    void this.#clock.sleep(COUNTS_SETTLE_MS).then(() => {
      this.#settling = false
      this.#announce(this.counts)
    })
  }
}
