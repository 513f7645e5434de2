import type { HlsSegment } from './segment.ts'

/** What a segment name asks for: the segment, or why it cannot be had. */
export type SegmentLookup =
  | { found: true; segment: HlsSegment }
  | { found: false; status: 404 | 410 }

/**
 * The segments a live playlist lists, and the ones before them still served. The playlist spans at
 * least `listSeconds` of audio (the newest segments that add up to it, however short a track made
 * some); a segment that leaves it stays served for its own length and the playlist's again, for
 * players whose playlist is a little old (RFC 8216 6.2.2), then is gone (410). So memory is bounded
 * by about twice the playlist's duration.
 *
 * @example
 * const window = new SegmentWindow(36)
 * window.push(segment)
 * window.listed // the newest 36 s or so
 */
export class SegmentWindow {
  readonly listSeconds: number
  readonly #segments: HlsSegment[] = []
  /** Sequence number of the first segment listed. */
  #firstListed = 0
  /** Discontinuities among the segments no longer listed (`EXT-X-DISCONTINUITY-SEQUENCE`). */
  #discontinuitiesBefore = 0

  constructor(listSeconds: number) {
    this.listSeconds = listSeconds
  }

  push(segment: HlsSegment): void {
    const segments = this.#segments
    segments.push(segment)
    let listed = 0
    let first = segments.length
    while (first > 0 && listed < this.listSeconds && segments[first - 1]!.sequence >= this.#firstListed) {
      listed += segments[--first]!.duration
    }
    this.#unlistUpTo(segments[first]!.sequence)
    const total = () => segments.reduce((sum, s) => sum + s.duration, 0)
    while (segments[0]!.sequence < this.#firstListed && total() >= 2 * this.listSeconds + 2 * segments[0]!.duration) {
      segments.shift()
    }
  }

  /**
   * Lists only what comes next: the stream changed container (fragmented MP4 and the others cannot
   * share a playlist, whose init segment would apply to all). What was listed is still served a while.
   */
  restart(nextSequence: number): void {
    this.#unlistUpTo(nextSequence)
  }

  #unlistUpTo(sequence: number): void {
    for (const segment of this.#segments) {
      if (segment.sequence >= this.#firstListed && segment.sequence < sequence && segment.discontinuity) {
        this.#discontinuitiesBefore++
      }
    }
    this.#firstListed = Math.max(this.#firstListed, sequence)
  }

  /** The segments the playlist lists, oldest first. */
  get listed(): readonly HlsSegment[] {
    return this.#segments.filter((segment) => segment.sequence >= this.#firstListed)
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
    return this.#segments.findLast((segment) => segment.init?.name === name)?.init?.data
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#segments.reduce((sum, s) => sum + s.data.length, 0)
  }
}
