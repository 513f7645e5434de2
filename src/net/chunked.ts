/**
 * Decodes an HTTP/1.1 chunked body as it arrives (some source clients, e.g. `curl -T -`, send
 * their stream chunked). `done` turns true at the last chunk; malformed input throws.
 *
 * @example
 * const decoder = new ChunkedDecoder()
 * for (const part of decoder.push(bytes)) input.write(part)
 */
export class ChunkedDecoder {
  done = false
  #state: 'size' | 'data' | 'data-end' | 'trailer' = 'size'
  #line = ''
  #left = 0

  /** Feeds bytes in; returns the body bytes they carry. */
  push(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = []
    let i = 0
    while (i < bytes.length && !this.done) {
      if (this.#state === 'data') {
        const n = Math.min(this.#left, bytes.length - i)
        out.push(bytes.subarray(i, i + n))
        i += n
        this.#left -= n
        if (this.#left === 0) this.#state = 'data-end'
        continue
      }
      const byte = bytes[i++]!
      if (byte !== 0x0a) {
        if (byte !== 0x0d) this.#line += String.fromCharCode(byte)
        if (this.#line.length > 1024) throw new Error('chunked encoding: line too long')
        continue
      }
      const line = this.#line
      this.#line = ''
      if (this.#state === 'data-end') {
        if (line !== '') throw new Error('chunked encoding: missing CRLF after a chunk')
        this.#state = 'size'
      } else if (this.#state === 'size') {
        const size = Number.parseInt(line.split(';')[0]!.trim(), 16)
        if (!/^[0-9a-f]+$/i.test(line.split(';')[0]!.trim()) || !Number.isFinite(size)) {
          throw new Error('chunked encoding: bad chunk size')
        }
        if (size === 0) this.#state = 'trailer'
        else {
          this.#left = size
          this.#state = 'data'
        }
      } else if (line === '') this.done = true
    }
    return out
  }
}
