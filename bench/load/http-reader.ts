/** What the response head said, once it has arrived. */
export interface ResponseHead {
  readonly status: number
  readonly statusLine: string
  readonly headers: ReadonlyMap<string, string>
  readonly chunked: boolean
}

const CR = 13
const LF = 10
const MAX_HEAD = 16 * 1024

type ChunkState = 'size' | 'ext' | 'sizeLF' | 'data' | 'dataCR' | 'dataLF' | 'trailer'

/** Given each run of payload bytes, `bytes[start, end)`, as it is read (the buffer is the caller's). */
export type PayloadSink = (bytes: Uint8Array, start: number, end: number) => void

/**
 * Reads one HTTP response as its bytes arrive and counts payload bytes only: the head is parsed
 * once, and with `Transfer-Encoding: chunked` the chunk framing is skipped without copying the
 * data. Buffers handed to `push` may be reused by the caller as soon as it returns. With a
 * `PayloadSink`, the payload bytes themselves are handed on too (e.g. to an Ogg page scanner).
 *
 * @example
 * const reader = new HttpResponseReader()
 * const payload = reader.push(buffer, 0, nread) // payload bytes in this read (0 while the head arrives)
 * reader.head?.status // 200
 */
export class HttpResponseReader {
  head: ResponseHead | undefined
  /** Set when the response could not be parsed. */
  error: string | undefined
  #headText = ''
  #headMatch = 0
  #state: ChunkState = 'size'
  #remaining = 0
  #sizeDigits = 0
  readonly #sink: PayloadSink | undefined

  constructor(sink?: PayloadSink) {
    this.#sink = sink
  }

  /** Feeds `length` bytes from `bytes[offset]`; returns how many of them were payload. */
  push(bytes: Uint8Array, offset: number, length: number): number {
    if (this.error) return 0
    let start = offset
    const end = offset + length
    if (!this.head) {
      start = this.#readHead(bytes, offset, end)
      if (!this.head) return 0
    }
    if (start >= end) return 0
    if ((this.head as ResponseHead).chunked) return this.#dechunk(bytes, start, end)
    this.#sink?.(bytes, start, end)
    return end - start
  }

  /** Returns the index just past the head, or `end` if the head is not complete yet. */
  #readHead(bytes: Uint8Array, offset: number, end: number): number {
    // Scan for CRLF CRLF (it may straddle reads); the head is Latin-1, one character per byte.
    let i = offset
    while (i < end && this.#headMatch < 4) {
      const c = bytes[i++]!
      this.#headMatch = c === (this.#headMatch % 2 === 0 ? CR : LF) ? this.#headMatch + 1 : c === CR ? 1 : 0
    }
    for (let j = offset; j < i; j += 4096) {
      this.#headText += String.fromCharCode(...bytes.subarray(j, Math.min(i, j + 4096)))
    }
    if (this.#headMatch < 4) {
      if (this.#headText.length > MAX_HEAD) this.error = 'response head too large'
      return end
    }
    const lines = this.#headText.slice(0, -4).split('\r\n')
    const statusLine = lines[0] ?? ''
    const match = /^(?:HTTP|ICY)(?:\/\d\.\d)? (\d{3})/.exec(statusLine)
    if (!match) {
      this.error = `not an HTTP response: ${JSON.stringify(statusLine.slice(0, 80))}`
      return end
    }
    const headers = new Map<string, string>()
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':')
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
    }
    const chunked = /\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')
    this.head = { status: Number(match[1]), statusLine, headers, chunked }
    this.#headText = ''
    return i
  }

  #dechunk(bytes: Uint8Array, start: number, end: number): number {
    let payload = 0
    let i = start
    while (i < end) {
      switch (this.#state) {
        case 'data': {
          const take = Math.min(this.#remaining, end - i)
          this.#sink?.(bytes, i, i + take)
          payload += take
          i += take
          this.#remaining -= take
          if (this.#remaining === 0) this.#state = 'dataCR'
          break
        }
        case 'size': {
          const c = bytes[i++]!
          const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1
          if (digit >= 0) {
            this.#remaining = this.#remaining * 16 + digit
            this.#sizeDigits++
          } else if (c === CR || c === 59 /* ; */ || c === 32 || c === 9) this.#state = c === CR ? 'sizeLF' : 'ext'
          else return this.#fail(payload, 'bad chunk size')
          break
        }
        case 'ext':
          if (bytes[i++] === CR) this.#state = 'sizeLF'
          break
        case 'sizeLF':
          if (bytes[i++] !== LF || this.#sizeDigits === 0) return this.#fail(payload, 'bad chunk size line')
          this.#sizeDigits = 0
          this.#state = this.#remaining === 0 ? 'trailer' : 'data'
          break
        case 'dataCR':
          if (bytes[i++] !== CR) return this.#fail(payload, 'chunk not followed by CRLF')
          this.#state = 'dataLF'
          break
        case 'dataLF':
          if (bytes[i++] !== LF) return this.#fail(payload, 'chunk not followed by CRLF')
          this.#state = 'size'
          break
        case 'trailer':
          // The last chunk: the response is over; anything after it is ignored.
          return payload
      }
    }
    return payload
  }

  /** True once a chunked response has sent its last (zero-length) chunk. */
  get ended(): boolean {
    return this.#state === 'trailer'
  }

  #fail(payload: number, message: string): number {
    this.error = message
    return payload
  }
}
