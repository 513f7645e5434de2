import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { findFrameSync } from '../../src/format/mp3.ts'
import { findAudioRange } from '../../src/format/tags.ts'
import { fixtures, noise } from '../helpers/fixtures.ts'
import { concat } from '../helpers/tags.ts'

/** A Layer III frame of `length` bytes whose header is `header`, silent after it. */
const frame = (header: number[], length: number) => concat(new Uint8Array(header), new Uint8Array(length - 4))
/** 128 kbit/s, 44.1 kHz, MPEG-1: 417 bytes. */
const FRAME_128K = [0xff, 0xfb, 0x90, 0x64]
/** 64 kbit/s, 22.05 kHz, MPEG-2: 208 bytes. */
const FRAME_MPEG2 = [0xff, 0xf3, 0x80, 0xc4]

describe('findFrameSync', () => {
  test('finds where three Layer III frames follow each other, past junk', () => {
    const run = concat(frame(FRAME_128K, 417), frame(FRAME_128K, 417), frame(FRAME_128K, 417))
    expect(findFrameSync(run)).toBe(0)
    expect(findFrameSync(concat(noise(777, 5), run))).toBe(777)
    expect(findFrameSync(concat(frame(FRAME_MPEG2, 208), frame(FRAME_MPEG2, 208), frame(FRAME_MPEG2, 208)))).toBe(0)
  })

  test('a lone header, a run broken by junk, or frames of another sample rate in between are not a sync', () => {
    const one = frame(FRAME_128K, 417)
    expect(findFrameSync(concat(one, noise(417, 6)))).toBeUndefined()
    expect(findFrameSync(concat(one, one, noise(50, 7), one))).toBeUndefined()
    expect(findFrameSync(concat(one, frame(FRAME_MPEG2, 208), one))).toBeUndefined()
    // Layer II (an MP2 frame) is not MP3.
    expect(findFrameSync(concat(...Array(3).fill(frame([0xff, 0xfd, 0x90, 0x64], 417))))).toBeUndefined()
    expect(findFrameSync(noise(200_000, 8))).toBeUndefined()
  })

  test('in a real encoded file, it lands on the first frame, where the audio range starts', async () => {
    const file = new Uint8Array(readFileSync(fixtures.mp3(1)))
    const { start } = await findAudioRange((at, length) => Promise.resolve(file.subarray(at, at + length)), file.length)
    expect(findFrameSync(file.subarray(10))! + 10).toBe(start)
  })
})
