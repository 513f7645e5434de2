/**
 * ID3v2.4 tags as HLS packed audio carries them: each segment opens with one, holding the
 * timestamp of its first sample (Apple's `com.apple.streaming.transportStreamTimestamp`) and the
 * title playing (timed metadata: hls.js makes it a metadata cue, Safari a timed metadata item).
 */

const encoder = new TextEncoder()

/** A 28-bit number in four 7-bit bytes, as ID3v2.4 writes sizes. */
const synchsafe = (n: number): number[] => [(n >>> 21) & 0x7f, (n >>> 14) & 0x7f, (n >>> 7) & 0x7f, n & 0x7f]

/** One frame: its four-letter id, its size, no flags, its body. */
const frame = (id: string, body: Uint8Array): Uint8Array => {
  const out = new Uint8Array(10 + body.length)
  out.set(encoder.encode(id), 0)
  out.set(synchsafe(body.length), 4)
  out.set(body, 10)
  return out
}

/**
 * The PRIV frame that times a packed audio segment: the presentation time of its first sample on
 * the 90 kHz MPEG-2 clock, as 33 bits in 8 bytes big-endian.
 *
 * @example
 * timestampFrame(Math.round(position * 90_000))
 */
export const timestampFrame = (pts90k: number): Uint8Array => {
  const owner = encoder.encode('com.apple.streaming.transportStreamTimestamp\0')
  const body = new Uint8Array(owner.length + 8)
  body.set(owner, 0)
  const pts = pts90k % 2 ** 33
  const view = new DataView(body.buffer)
  view.setUint32(owner.length, Math.floor(pts / 2 ** 32))
  view.setUint32(owner.length + 4, pts % 2 ** 32)
  return frame('PRIV', body)
}

/**
 * A text frame (`TIT2` title, `TPE1` artist, `TALB` album) in UTF-8.
 *
 * @example
 * textFrame('TIT2', 'Sinnerman')
 */
export const textFrame = (id: string, text: string): Uint8Array => {
  const bytes = encoder.encode(text)
  const body = new Uint8Array(1 + bytes.length)
  body[0] = 0x03
  body.set(bytes, 1)
  return frame(id, body)
}

/**
 * An ID3v2.4 tag holding `frames`.
 *
 * @example
 * id3Tag([timestampFrame(0), textFrame('TIT2', 'Sinnerman')])
 */
export const id3Tag = (frames: readonly Uint8Array[]): Uint8Array => {
  const size = frames.reduce((sum, f) => sum + f.length, 0)
  const out = new Uint8Array(10 + size)
  out.set([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, ...synchsafe(size)], 0)
  let at = 10
  for (const f of frames) {
    out.set(f, at)
    at += f.length
  }
  return out
}
