import type { Chunk } from '../pipeline/chunk.ts'
import type { Track } from '../input/track.ts'
import { EMPTY_BLOCK, icyBlock } from './icy-metadata.ts'
import type { ListenerOptions } from './listener.ts'
import { Listener } from './listener.ts'

export interface IcyOptions {
  /** Audio bytes between metadata blocks. */
  readonly metaint: number
  /** Sent as `StreamUrl` when set. */
  readonly streamUrl?: string
}

/**
 * A listener that asked for in-band metadata (`Icy-MetaData: 1`): after every `metaint` bytes of
 * audio, counted from its own first byte, it receives a metadata block. The title in a block is the
 * title of the audio already sent to this listener: a new title arrives in the first block after
 * the new track's first whole frame has reached it (after its burst), never before, so the title
 * changes with the music. An unchanged title is a one-byte empty block. Chunks without a block
 * boundary are sent as the shared chunk itself; a chunk with one goes out as the chunk's own bytes
 * around the block where the connection takes pieces (a socket), else joined into one copy.
 *
 * @example
 * station.addListener(mount, info, (options) => new IcyListener(options, { metaint: 16000 }))
 */
export class IcyListener extends Listener {
  readonly metaint: number
  readonly #streamUrl: string | undefined
  #sinceBlock = 0
  #onAir: Track | undefined
  #lastSent: string | undefined

  constructor(options: ListenerOptions, icy: IcyOptions) {
    super(options)
    this.metaint = icy.metaint
    this.#streamUrl = icy.streamUrl
  }

  protected override write(chunk: Chunk): void {
    const data = chunk.data
    const room = this.metaint - this.#sinceBlock
    if (data.length < room) {
      this.#onAir = chunk.track
      this.#sinceBlock += data.length
      this.enqueue(data)
      return
    }
    const parts: Uint8Array[] = []
    let length = 0
    for (let offset = 0; offset < data.length;) {
      const take = Math.min(this.metaint - this.#sinceBlock, data.length - offset)
      parts.push(data.subarray(offset, offset + take))
      length += take
      offset += take
      this.#sinceBlock += take
      if (offset >= chunk.firstFrameLength) this.#onAir = chunk.track
      if (this.#sinceBlock === this.metaint) {
        const block = this.#block()
        parts.push(block)
        length += block.length
        this.#sinceBlock = 0
      }
    }
    this.enqueueParts(parts, length)
  }

  #block(): Uint8Array {
    const title = this.#onAir?.title ?? ''
    if (title === this.#lastSent) return EMPTY_BLOCK
    this.#lastSent = title
    return icyBlock(title, this.#streamUrl)
  }
}
