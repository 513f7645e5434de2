/** An HTTP message head: its start line's three parts and its headers (names lower-cased). */
export interface HttpHead {
  /** Request: method; response: protocol (`HTTP/1.1`, `ICY`). */
  readonly first: string
  /** Request: target; response: status code. */
  readonly second: string
  /** Request: protocol; response: reason phrase. */
  readonly third: string
  readonly headers: ReadonlyMap<string, string>
}

/** Longest head accepted, in bytes (Icecast reads 4 KiB; encoders send a few hundred bytes). */
export const MAX_HEAD_BYTES = 16 * 1024

/**
 * Finds the end of an HTTP head in `buffer`: the offset just past the blank line (`\r\n\r\n`, or a
 * bare `\n\n` as some old clients send), or -1 if it has not arrived yet. The search starts at `from`.
 *
 * @example
 * headEnd(Buffer.from('PUT /live HTTP/1.1\r\n\r\nbody')) // 22
 */
export const headEnd = (buffer: Uint8Array, from = 0): number => {
  for (let i = from; i + 1 < buffer.length; i++) {
    if (buffer[i] !== 0x0a) continue
    if (buffer[i + 1] === 0x0a) return i + 2
    if (buffer[i + 1] === 0x0d && buffer[i + 2] === 0x0a) return i + 3
  }
  return -1
}

/** A head read off a connection: its bytes, and those that came after it (the start of the body). */
export interface ReadHead {
  head: Uint8Array
  rest: Uint8Array
}

/**
 * Collects an HTTP head as it arrives, in pieces of any size: each byte is copied and looked at about
 * once, so a head that trickles in a byte at a time costs no more than one that arrives whole. A
 * head over `MAX_HEAD_BYTES` is `too large`, however it arrives.
 *
 * @example
 * const reader = new HeadReader()
 * socket.on('data', (data) => {
 *   const read = reader.push(data)
 *   if (read === 'too large') refuse(431)
 *   else if (read) onHead(parseHead(read.head), read.rest)
 * })
 */
export class HeadReader {
  #bytes = new Uint8Array(0)
  #length = 0

  /** Adds bytes that arrived: the head and what followed it once the blank line is in, else undefined. */
  push(data: Uint8Array): ReadHead | 'too large' | undefined {
    const from = Math.max(0, this.#length - 3)
    if (this.#length + data.length > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + data.length, 1024))
      grown.set(this.#bytes.subarray(0, this.#length))
      this.#bytes = grown
    }
    this.#bytes.set(data, this.#length)
    this.#length += data.length
    const bytes = this.#bytes.subarray(0, this.#length)
    const end = headEnd(bytes, from)
    if (end > MAX_HEAD_BYTES || (end < 0 && this.#length > MAX_HEAD_BYTES)) return 'too large'
    return end < 0 ? undefined : { head: bytes.subarray(0, end), rest: bytes.subarray(end) }
  }
}

/**
 * Parses an HTTP head (request or response; ICY's `ICY 200 OK` too). Header bytes are kept as
 * Latin-1 characters, as on the wire; repeated headers are joined with `, `. Undefined when the
 * start line is not three parts.
 *
 * @example
 * parseHead(Buffer.from('SOURCE /live ICE/1.0\r\ncontent-type: audio/mpeg\r\n\r\n'))
 * // { first: 'SOURCE', second: '/live', third: 'ICE/1.0', headers: Map { 'content-type' => 'audio/mpeg' } }
 */
export const parseHead = (bytes: Uint8Array): HttpHead | undefined => {
  const lines = Buffer.from(bytes).toString('latin1').split(/\r?\n/)
  const match = /^(\S+) (\S+)(?: (.*))?$/.exec(lines[0] ?? '')
  if (!match) return undefined
  const headers = new Map<string, string>()
  for (const line of lines.slice(1)) {
    if (line === '') continue
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value)
  }
  return { first: match[1]!, second: match[2]!, third: match[3] ?? '', headers }
}
