const encoder = new TextEncoder()

/** The scheme of an event message carrying an ID3 tag, as hls.js and Apple's players read it. */
export const ID3_SCHEME = 'https://aomedia.org/emsg/ID3'

/**
 * An `emsg` box (ISO/IEC 23009-1, version 1) carrying an ID3 tag at `presentationTime` (in
 * `timescale` units on the track's timeline): timed metadata in a fragmented MP4 segment, placed
 * before its `moof`. Each message of a stream needs its own `id` (players drop repeats).
 *
 * @example
 * emsgBox(id3Tag([textFrame('TIT2', 'Sinnerman')]), 48_000, 1_234_567)
 */
export const emsgBox = (id3: Uint8Array, timescale: number, presentationTime: number, id = 0): Uint8Array => {
  const scheme = encoder.encode(`${ID3_SCHEME}\0\0`) // scheme_id_uri, then an empty value
  const size = 8 + 4 + 4 + 8 + 4 + 4 + scheme.length + id3.length
  const box = new Uint8Array(size)
  const view = new DataView(box.buffer)
  view.setUint32(0, size)
  box.set(encoder.encode('emsg'), 4)
  view.setUint32(8, 0x01000000) // version 1, no flags
  view.setUint32(12, timescale)
  view.setUint32(16, Math.floor(presentationTime / 2 ** 32))
  view.setUint32(20, presentationTime % 2 ** 32)
  view.setUint32(24, 0xffffffff) // duration unknown: until the next one
  view.setUint32(28, id)
  box.set(scheme, 32)
  box.set(id3, 32 + scheme.length)
  return box
}

/**
 * Places boxes at the head of a segment, after its `styp` if it has one: before its `sidx` (whose
 * offsets count from its own end, so they stay true) and its `moof`, where a player looks for the
 * event messages that apply to it.
 *
 * @example
 * afterStyp(segment, emsgBox(tag, 48_000, start))
 */
export const afterStyp = (segment: Uint8Array, boxes: Uint8Array): Uint8Array<ArrayBuffer> => {
  const view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength)
  const styp = segment.length >= 8 && String.fromCharCode(...segment.subarray(4, 8)) === 'styp'
  const at = styp ? Math.min(view.getUint32(0), segment.length) : 0
  const out = new Uint8Array(segment.length + boxes.length)
  out.set(segment.subarray(0, at), 0)
  out.set(boxes, at)
  out.set(segment.subarray(at), at + boxes.length)
  return out
}
