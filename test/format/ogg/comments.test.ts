import { describe, expect, test } from 'bun:test'
import { commentValue, readOggComments } from '../../../src/format/ogg/comments.ts'

/** A comment structure as Vorbis comments lay it out: vendor, count, then each field, lengths little-endian. */
const structure = (vendor: string, fields: string[]): Uint8Array => {
  const parts = [vendor, ...fields].map((text) => new TextEncoder().encode(text))
  const out = new Uint8Array(4 + parts.reduce((n, part) => n + 4 + part.length, 0))
  const view = new DataView(out.buffer)
  let at = 0
  parts.forEach((part, i) => {
    view.setUint32(at, part.length, true)
    out.set(part, at + 4)
    at += 4 + part.length
    if (i === 0) (view.setUint32(at, fields.length, true), (at += 4))
  })
  return out
}

const withMagic = (magic: number[], body: Uint8Array) => new Uint8Array([...magic, ...body])
const OPUS_TAGS = [...'OpusTags'].map((c) => c.charCodeAt(0))
const VORBIS_COMMENT = [3, ...'vorbis'].map((c) => (typeof c === 'number' ? c : c.charCodeAt(0)))

describe('Ogg comment headers', () => {
  const fields = ['TITLE=Déjà Vu', 'artist=Some Artist', 'ARTIST=Second', 'no equals sign']

  test("Opus's OpusTags, Vorbis's comment header and FLAC's VORBIS_COMMENT block read alike", () => {
    for (
      const packet of [
        withMagic(OPUS_TAGS, structure('libopus', fields)),
        withMagic(VORBIS_COMMENT, structure('Xiph', fields)),
        withMagic([0x84, 0, 0, 0], structure('reference libFLAC', fields)),
      ]
    ) {
      const comments = readOggComments(packet)
      expect(comments?.fields).toEqual([['TITLE', 'Déjà Vu'], ['ARTIST', 'Some Artist'], ['ARTIST', 'Second']])
      expect(commentValue(comments, 'title')).toBe('Déjà Vu')
      expect(commentValue(comments, 'Artist')).toBe('Some Artist')
      expect(commentValue(comments, 'album')).toBeUndefined()
    }
  })

  test('what follows the comments on the same page (Vorbis setup) is ignored', () => {
    const packet = new Uint8Array([...withMagic(VORBIS_COMMENT, structure('Xiph', ['TITLE=x'])), 5, ...'vorbis'].map(
      (c) => (typeof c === 'number' ? c : c.charCodeAt(0)),
    ))
    expect(commentValue(readOggComments(packet), 'TITLE')).toBe('x')
  })

  test('a packet cut short, or of another kind, has no comments', () => {
    const packet = withMagic(OPUS_TAGS, structure('libopus', fields))
    for (const cut of [8, 11, 20, packet.length - 1]) expect(readOggComments(packet.subarray(0, cut))).toBeUndefined()
    expect(readOggComments(new TextEncoder().encode('OpusHead\x01\x02'))).toBeUndefined()
    expect(readOggComments(new Uint8Array(0))).toBeUndefined()
  })
})
