import { frameDuration } from '../format/frame.ts'
import type { SourceFrame } from '../input/track.ts'
import type { Chunk } from './chunk.ts'

/**
 * Groups frames into chunks of at least `chunkDuration` seconds. A chunk never spans two tracks, so
 * a track always begins at a chunk's first byte (where a title change belongs), nor two links of an
 * Ogg chain, so a chunk tells the one link whose header pages a listener needs.
 *
 * @example
 * const chunker = new Chunker(source.frames(), 0.25)
 * const chunk = await chunker.next() // about 250 ms of whole frames, or undefined at the end
 */
export class Chunker {
  readonly #frames: AsyncIterator<SourceFrame>
  readonly #chunkDuration: number
  #pending: SourceFrame | undefined
  #lastTrackId: number | undefined
  #position = 0
  #done = false

  constructor(frames: AsyncIterable<SourceFrame> | AsyncIterator<SourceFrame>, chunkDuration: number) {
    this.#frames = Symbol.asyncIterator in frames ? frames[Symbol.asyncIterator]() : frames
    this.#chunkDuration = chunkDuration
  }

  /** Stream time at which the next chunk will begin. */
  get position(): number {
    return this.#position
  }

  /** Builds the next chunk; undefined once the frames have ended. */
  async next(): Promise<Chunk | undefined> {
    const parts: Uint8Array[] = []
    let first = this.#pending
    this.#pending = undefined
    if (!first) {
      if (this.#done) return undefined
      const step = await this.#frames.next()
      if (step.done) {
        this.#done = true
        return undefined
      }
      first = step.value
    }
    const track = first.track
    let duration = frameDuration(first.frame)
    let bytes = first.frame.data.length
    parts.push(first.frame.data)
    while (duration < this.#chunkDuration - 1e-9) {
      const step = await this.#frames.next()
      if (step.done) {
        this.#done = true
        break
      }
      if (step.value.track.id !== track.id || step.value.frame.page?.link !== first.frame.page?.link) {
        this.#pending = step.value
        break
      }
      duration += frameDuration(step.value.frame)
      bytes += step.value.frame.data.length
      parts.push(step.value.frame.data)
    }
    const data = new Uint8Array(bytes)
    let offset = 0
    for (const part of parts) {
      data.set(part, offset)
      offset += part.length
    }
    const page = first.frame.page
    const chunk: Chunk = {
      data,
      duration,
      position: this.#position,
      frames: parts.length,
      firstFrameLength: parts[0]!.length,
      track,
      trackStart: track.id !== this.#lastTrackId,
      ...(page?.link && { link: page.link, opensLink: page.header, continued: page.continued }),
    }
    this.#lastTrackId = track.id
    this.#position += duration
    return chunk
  }

  /** Ends the underlying frame iterator. */
  async close(): Promise<void> {
    this.#done = true
    await this.#frames.return?.()
  }
}
