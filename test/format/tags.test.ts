import { describe, expect, test } from 'bun:test'
import { findAudioRange, id3v2Size } from '../../src/format/tags.ts'
import { noise } from '../helpers/fixtures.ts'
import { apev2, ascii, concat, id3v1, id3v2, lyrics3 } from '../helpers/tags.ts'

const audio = new Uint8Array(1000).fill(0xaa)
const rangeOf = (file: Uint8Array) =>
  findAudioRange((offset, length) => Promise.resolve(file.subarray(offset, offset + length)), file.length)

/** An ID3v2.4 header whose size field claims `claimed` bytes, whatever follows it. */
const forgedId3v2 = (claimed: number): Uint8Array => {
  const head = id3v2(0)
  head.set([(claimed >> 21) & 0x7f, (claimed >> 14) & 0x7f, (claimed >> 7) & 0x7f, claimed & 0x7f], 6)
  return head
}

/** `count` MPEG-1 Layer III frames of 128 kbit/s at 44.1 kHz (417 bytes each), silent. */
const mp3Frames = (count: number): Uint8Array =>
  concat(...Array.from({ length: count }, () => concat(new Uint8Array([0xff, 0xfb, 0x90, 0x64]), new Uint8Array(413))))

describe('tags', () => {
  test('reads the syncsafe size of an ID3v2 tag, with its footer', () => {
    expect(id3v2Size(id3v2(300))).toBe(310)
    expect(id3v2Size(id3v2(300, true))).toBe(320)
    expect(id3v2Size(audio)).toBe(0)
  })

  test('a plain file is all audio', async () => {
    expect(await rangeOf(audio)).toEqual({ start: 0, end: 1000 })
  })

  test('skips repeated ID3v2 tags at the start', async () => {
    expect(await rangeOf(concat(id3v2(100), id3v2(50, true), audio))).toEqual({ start: 110 + 70, end: 180 + 1000 })
  })

  test('removes ID3v1, APEv2 and Lyrics3v2 tags at the end, in any stacking', async () => {
    const file = concat(id3v2(20), audio, apev2('Title\u0000Tagged'), lyrics3('[00:01]la la'), id3v1())
    expect(await rangeOf(file)).toEqual({ start: 30, end: 1030 })
    expect(await rangeOf(concat(audio, id3v1(), id3v1()))).toEqual({ start: 0, end: 1000 })
  })

  test('a file of tags only has an empty audio range', async () => {
    const range = await rangeOf(concat(id3v2(40), id3v1()))
    expect(range.end - range.start).toBe(0)
  })

  test('a truncated ID3v2 tag claiming more than the file is not trusted: only its 10-byte header is dropped', async () => {
    // No MP3 frames follow: the frame parser is left to find whatever audio there is after the header.
    expect(await rangeOf(concat(id3v2(5000).subarray(0, 100), audio))).toEqual({ start: 10, end: 1100 })
  })

  test('an ID3v2 header claiming 200 MB in a small file: the audio starts at the first run of MP3 frames after it', async () => {
    const header = forgedId3v2(200 * 1024 * 1024)
    expect(id3v2Size(header)).toBe(10 + 200 * 1024 * 1024)
    // What a tagger left of the real tag: a title frame, padding, and a stray frame header amid junk.
    const junk = concat(
      ascii('TIT2\u0000\u0000\u0000\u0006\u0000\u0000\u0003Title'),
      new Uint8Array(300),
      mp3Frames(1).subarray(0, 40),
    )
    const frames = mp3Frames(20)
    const file = concat(header, junk, frames, id3v1())
    expect(await rangeOf(file)).toEqual({ start: header.length + junk.length, end: file.length - 128 })
  })

  test('a forged ID3v2 size is not believed however far its audio lies (past the first 64 KiB), nor when noise follows', async () => {
    const header = forgedId3v2(0x0fffffff)
    const far = concat(header, noise(150_000, 3), mp3Frames(5))
    expect((await rangeOf(far)).start).toBe(10 + 150_000)
    const none = concat(header, noise(5000, 4))
    expect(await rangeOf(none)).toEqual({ start: 10, end: none.length })
  })
})
