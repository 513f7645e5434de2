import type { Chunk } from '../pipeline/chunk.ts'

/**
 * Keeps the most recent chunks, at least `seconds` of audio when that much has been played, so a
 * new listener can start at once. It holds shared chunks (no copies), and since chunks start on
 * frame boundaries, so does every burst.
 *
 * @example
 * const burst = new BurstBuffer(3)
 * burst.push(chunk)
 * burst.chunks() // the last ≥ 3 s, oldest first
 */
export class BurstBuffer {
  readonly seconds: number
  #chunks: Chunk[] = []
  #duration = 0
  #bytes = 0

  constructor(seconds: number) {
    this.seconds = seconds
  }

  push(chunk: Chunk): void {
    if (this.seconds <= 0) return
    this.#chunks.push(chunk)
    this.#duration += chunk.duration
    this.#bytes += chunk.data.length
    while (this.#chunks.length > 1 && this.#duration - this.#chunks[0]!.duration >= this.seconds) {
      const dropped = this.#chunks.shift()!
      this.#duration -= dropped.duration
      this.#bytes -= dropped.data.length
    }
  }

  /** The buffered chunks, oldest first, from the first a player can start with (an Ogg page that starts a packet). */
  chunks(): readonly Chunk[] {
    const start = this.#chunks.findIndex((chunk) => !chunk.continued)
    return this.#chunks.slice(Math.max(0, start))
  }

  /** Seconds of audio buffered. */
  get duration(): number {
    return this.#duration
  }

  /** Bytes buffered. */
  get bytes(): number {
    return this.#bytes
  }

  clear(): void {
    this.#chunks = []
    this.#duration = 0
    this.#bytes = 0
  }
}
