import { Buffer } from 'node:buffer'
import { decodeText, oneLine } from '../../util/text.ts'

/** A piece of an ICY stream: audio bytes, or the title announced by a metadata block. */
export type IcyPart = { type: 'audio'; bytes: Uint8Array } | { type: 'title'; title: string }

/**
 * Reads the `StreamTitle` out of an ICY metadata block's text. A `'` inside the title does not end
 * it early: the title ends at the `';` followed by the next field or the end of the block.
 *
 * @example
 * parseStreamTitle("StreamTitle='Rock 'n' Roll';StreamUrl='';") // "Rock 'n' Roll"
 */
export const parseStreamTitle = (text: string): string | undefined => {
  const match = /StreamTitle='(.*?)';(?=\s*(?:[A-Za-z][A-Za-z0-9_]*=|$))/s.exec(
    text.replace(/\0+$/, '').replace(/\0/g, ''),
  )
  return match ? match[1] : undefined
}

/**
 * Splits a stream received with `Icy-MetaData: 1` into its audio and its titles: after every
 * `metaint` audio bytes comes one length byte L and L×16 bytes of metadata (`StreamTitle='…';`,
 * NUL-padded). Titles are read as UTF-8, or Latin-1 when they are not valid UTF-8.
 *
 * @example
 * const demux = new IcyDemuxer(16000)
 * for (const part of demux.push(bytes)) part.type === 'audio' ? input.write(part.bytes) : feed.setTitle(part.title)
 */
export class IcyDemuxer {
  readonly metaint: number
  #untilMeta: number
  #metaLeft = 0
  #meta: Uint8Array[] = []
  #state: 'audio' | 'length' | 'meta' = 'audio'

  constructor(metaint: number) {
    this.metaint = metaint
    this.#untilMeta = metaint
  }

  *push(bytes: Uint8Array): Generator<IcyPart> {
    let i = 0
    while (i < bytes.length) {
      if (this.#state === 'audio') {
        const n = Math.min(this.#untilMeta, bytes.length - i)
        yield { type: 'audio', bytes: bytes.subarray(i, i + n) }
        i += n
        this.#untilMeta -= n
        if (this.#untilMeta === 0) this.#state = 'length'
      } else if (this.#state === 'length') {
        const length = bytes[i++]! * 16
        if (length === 0) this.#resume()
        else {
          this.#metaLeft = length
          this.#meta = []
          this.#state = 'meta'
        }
      } else {
        const n = Math.min(this.#metaLeft, bytes.length - i)
        this.#meta.push(bytes.subarray(i, i + n))
        i += n
        this.#metaLeft -= n
        if (this.#metaLeft === 0) {
          const title = parseStreamTitle(decodeText(Buffer.concat(this.#meta)))
          this.#resume()
          if (title !== undefined) yield { type: 'title', title: oneLine(title) }
        }
      }
    }
  }

  #resume(): void {
    this.#state = 'audio'
    this.#untilMeta = this.metaint
  }
}
