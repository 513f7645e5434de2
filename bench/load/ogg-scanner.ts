const CAPTURE = [0x4f, 0x67, 0x67, 0x53] // "OggS"
const OPUS_HEAD = [0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64] // "OpusHead"
const HEADER_LENGTH = 27
const BOS = 0x02

type State = 'header' | 'segments' | 'body'

/**
 * Follows the Ogg page framing of a stream as its bytes arrive, keeping no payload: every page must
 * begin with "OggS" (stream structure version 0) exactly where the previous one ended, and the
 * first page must begin a logical stream (BOS) with an Opus identification header ("OpusHead"), as
 * a player joining needs. Only page headers and segment tables are read byte by byte; bodies are
 * skipped by their length. Stops at the first problem (`error`).
 *
 * @example
 * const scanner = new OggPageScanner()
 * scanner.push(bytes, 0, bytes.length)
 * scanner.error // undefined while the stream is well framed
 * scanner.pages // whole pages so far
 */
export class OggPageScanner {
  /** Whole pages received. */
  pages = 0
  /** Pages that begin a logical stream (BOS): one per link of a chained stream. */
  streamsBegun = 0
  /** Set at the first framing problem; nothing more is read after it. */
  error: string | undefined
  #state: State = 'header'
  /** Bytes of the current page's header (or segment table) read so far. */
  #at = 0
  #flags = 0
  #segments = 0
  #bodyLength = 0
  /** Body bytes of the current page still to come. */
  #remaining = 0
  /** Stream offset of the current page, for error messages. */
  #pageOffset = 0
  #offset = 0

  /** Reads `bytes[start, end)`, the next bytes of the stream. */
  push(bytes: Uint8Array, start: number, end: number): void {
    let i = start
    while (i < end && this.error === undefined) {
      switch (this.#state) {
        case 'body': {
          const first = this.pages === 0 ? this.#bodyLength - this.#remaining : OPUS_HEAD.length
          // The first page's body: its first bytes must be "OpusHead".
          let take = Math.min(this.#remaining, end - i)
          if (first < OPUS_HEAD.length) {
            take = Math.min(take, OPUS_HEAD.length - first)
            for (let k = 0; k < take; k++) {
              if (bytes[i + k] !== OPUS_HEAD[first + k]) {
                this.error = 'the first Ogg page is not an Opus identification header (OpusHead)'
                return
              }
            }
          }
          i += take
          this.#offset += take
          this.#remaining -= take
          if (this.#remaining === 0) this.#endPage()
          break
        }
        case 'header': {
          const c = bytes[i++]!
          const at = this.#at++
          this.#offset++
          if (at < 4 && c !== CAPTURE[at]) {
            this.error = `no Ogg page ("OggS") at byte ${this.#pageOffset} of the stream`
            return
          }
          if (at === 4 && c !== 0) this.error = `Ogg page at byte ${this.#pageOffset}: stream structure version ${c}`
          else if (at === 5) this.#flags = c
          else if (at === HEADER_LENGTH - 1) {
            if (this.pages === 0 && (this.#flags & BOS) === 0) {
              this.error = 'the first Ogg page does not begin a logical stream (no BOS flag)'
              return
            }
            if (this.#flags & BOS) this.streamsBegun++
            this.#segments = c
            this.#bodyLength = 0
            this.#at = 0
            this.#state = 'segments'
            if (c === 0) this.#startBody()
          }
          break
        }
        case 'segments':
          this.#bodyLength += bytes[i++]!
          this.#offset++
          if (++this.#at === this.#segments) this.#startBody()
          break
      }
    }
  }

  #startBody(): void {
    this.#remaining = this.#bodyLength
    this.#state = 'body'
    if (this.pages === 0 && this.#bodyLength < OPUS_HEAD.length) {
      this.error = 'the first Ogg page is too short for an Opus identification header (OpusHead)'
    } else if (this.#remaining === 0) this.#endPage()
  }

  #endPage(): void {
    this.pages++
    this.#state = 'header'
    this.#at = 0
    this.#pageOffset = this.#offset
  }
}
