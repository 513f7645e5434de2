/** Builders for tag blocks, to wrap audio the way taggers do. */
import { concatBytes } from '../../src/util/bytes.ts'

export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text)

export const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts)

/** An ID3v2.4 tag with an empty body of `bodySize` bytes (and a footer if asked). */
export const id3v2 = (bodySize: number, footer = false): Uint8Array => {
  const head = new Uint8Array(10)
  head.set(ascii('ID3'))
  head[3] = 4
  head[5] = footer ? 0x10 : 0
  head[6] = (bodySize >> 21) & 0x7f
  head[7] = (bodySize >> 14) & 0x7f
  head[8] = (bodySize >> 7) & 0x7f
  head[9] = bodySize & 0x7f
  return concat(head, new Uint8Array(bodySize + (footer ? 10 : 0)))
}

/** A 128-byte ID3v1 tag. */
export const id3v1 = (title = ''): Uint8Array => {
  const tag = new Uint8Array(128)
  tag.set(ascii('TAG'))
  tag.set(ascii(title.slice(0, 30)), 3)
  return tag
}

/** An APEv2 tag (header, items, footer) whose items hold `items` as text. */
export const apev2 = (items: string): Uint8Array => {
  const body = ascii(items)
  const block = (flags: number) => {
    const b = new Uint8Array(32)
    b.set(ascii('APETAGEX'))
    const view = new DataView(b.buffer)
    view.setUint32(8, 2000, true)
    view.setUint32(12, body.length + 32, true)
    view.setUint32(20, flags >>> 0, true)
    return b
  }
  return concat(block(0xa0000000), body, block(0x80000000))
}

/** A Lyrics3v2 block. */
export const lyrics3 = (body: string): Uint8Array =>
  concat(ascii(body), ascii(String(body.length).padStart(6, '0')), ascii('LYRICS200'))
