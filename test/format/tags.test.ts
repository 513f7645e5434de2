import { describe, expect, test } from 'bun:test'
import { findAudioRange, id3v2Size } from '../../src/format/tags.ts'
import { apev2, concat, id3v1, id3v2, lyrics3 } from '../helpers/tags.ts'

const audio = new Uint8Array(1000).fill(0xaa)
const rangeOf = (file: Uint8Array) =>
  findAudioRange((offset, length) => Promise.resolve(file.subarray(offset, offset + length)), file.length)

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

  test('a truncated ID3v2 tag claiming more than the file is not trusted', async () => {
    expect(await rangeOf(concat(id3v2(5000).subarray(0, 100), audio))).toEqual({ start: 0, end: 1100 })
  })
})
