import type { HlsSegment } from './segment.ts'

/** What a segment name asks for: the segment, or why it cannot be had. */
export type SegmentLookup =
  | { found: true; segment: HlsSegment }
  | { found: false; status: 404 | 410 }

/**
 * The segments a live playlist lists (the newest `size`), and as many before them still served to
 * players whose playlist is a little old (RFC 8216 6.2.2); older ones are gone (410), so memory is
 * bounded by twice the window.
 *
 * @example
 * const window = new SegmentWindow(6)
 * window.push(segment)
 * window.listed // the newest 6
 */
export class SegmentWindow {
  readonly size: number
  readonly #segments: HlsSegment[] = []
  /** Discontinuities among the segments no longer listed (`EXT-X-DISCONTINUITY-SEQUENCE`). */
  #discontinuitiesBefore = 0

  constructor(size: number) {
    this.size = size
  }

  push(segment: HlsSegment): void {
    this.#segments.push(segment)
    const unlisted = this.#segments.length - this.size
    if (unlisted > 0 && this.#segments[unlisted - 1]!.discontinuity) this.#discontinuitiesBefore++
    if (this.#segments.length > 2 * this.size) this.#segments.shift()
  }

  /** The segments the playlist lists, oldest first. */
  get listed(): readonly HlsSegment[] {
    return this.#segments.slice(-this.size)
  }

  get discontinuitySequence(): number {
    return this.#discontinuitiesBefore
  }

  /** The newest segment, if any. */
  get last(): HlsSegment | undefined {
    return this.#segments.at(-1)
  }

  /** Finds segment `sequence`: 410 once it has been dropped, 404 if it never was (or is not yet). */
  find(sequence: number): SegmentLookup {
    const first = this.#segments[0]
    if (!first || sequence > this.#segments.at(-1)!.sequence) return { found: false, status: 404 }
    if (sequence < first.sequence) return { found: false, status: 410 }
    return { found: true, segment: this.#segments[sequence - first.sequence]! }
  }

  /** The init segment of that name, while a segment held needs it. */
  initNamed(name: string): Uint8Array<ArrayBuffer> | undefined {
    return this.#segments.findLast((segment) => segment.init?.name === name)?.init!.data
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#segments.reduce((sum, s) => sum + s.data.length, 0)
  }
}
