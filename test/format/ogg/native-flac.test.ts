import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { FrameParser } from '../../../src/format/frame-parser.ts'
import { commentValue } from '../../../src/format/ogg/comments.ts'
import { NativeFlacReader } from '../../../src/format/ogg/native-flac.ts'
import type { OggPage } from '../../../src/format/ogg/ogg-pages.ts'
import { OggPageParser } from '../../../src/format/ogg/ogg-pages.ts'
import { fixtures } from '../../helpers/fixtures.ts'
import { systemFfmpeg } from '../../helpers/ogg.ts'

const read = (bytes: Uint8Array, piece = bytes.length): OggPage[] => {
  const reader = new NativeFlacReader()
  const pages: OggPage[] = []
  for (let at = 0; at < bytes.length; at += piece) pages.push(...reader.push(bytes.subarray(at, at + piece)))
  return [...pages, ...reader.flush()]
}

const pcm = (input: Uint8Array) =>
  spawnSync(systemFfmpeg(), ['-v', 'error', '-i', 'pipe:0', '-f', 's16le', '-'], { input, maxBuffer: 1 << 26 })

describe('a native FLAC file read as Ogg FLAC', () => {
  const file = () => new Uint8Array(readFileSync(fixtures.flac(3, 440, { title: 'Lossless', artist: 'Native' })))

  test('is Ogg FLAC that decodes to the very same samples, its tags in the comment header', () => {
    const pages = read(file())
    const ogg = Buffer.concat(pages.map((page) => page.data))
    const [original, converted] = [pcm(file()), pcm(ogg)]
    expect(converted.stderr.toString()).toBe('')
    expect(converted.stdout.length).toBe(3 * 44100 * 4)
    expect(converted.stdout.equals(original.stdout)).toBe(true)
    // What an Ogg reader sees: FLAC 44.1 kHz stereo, titled, header pages first.
    const parser = new OggPageParser({ maxPageSeconds: Infinity })
    const reread = [...parser.push(ogg), ...parser.flush()]
    const stream = reread[0]!.stream
    expect({ codec: stream.codec, sampleRate: stream.sampleRate, channels: stream.channels }).toEqual({
      codec: 'flac',
      sampleRate: 44100,
      channels: 2,
    })
    expect([commentValue(stream.comments, 'TITLE'), commentValue(stream.comments, 'ARTIST')]).toEqual([
      'Lossless',
      'Native',
    ])
    expect(reread.map((page) => page.header)).toEqual(reread.map((_, i) => i < 2))
    expect(reread.map((page) => page.samples)).toEqual(pages.map((page) => page.samples))
  })

  test('header pages hold STREAMINFO and the comments only (no seek table, no padding); audio pages are at most 250 ms, the last ends the stream', () => {
    const bytes = file()
    const pages = read(bytes)
    const headers = pages.filter((page) => page.header)
    expect(headers.reduce((sum, page) => sum + page.data.length, 0)).toBeLessThan(400)
    const audio = pages.filter((page) => !page.header)
    expect(audio.every((page) => page.samples <= 0.25 * 44100)).toBe(true)
    expect(audio.reduce((sum, page) => sum + page.samples, 0)).toBe(3 * 44100)
    expect(pages.map((page) => page.last)).toEqual(pages.map((_, i) => i === pages.length - 1))
    expect(pages.at(-1)!.data[5]! & 0x04).toBe(0x04)
  })

  test('bytes fed in any pieces give the same pages', () => {
    const whole = read(file()).map((page) => [page.data.length, page.samples])
    for (const piece of [3, 1000, 65536]) {
      expect(read(file(), piece).map((page) => [page.data.length, page.samples])).toEqual(whole)
    }
  })

  test('read through FrameParser, a byte at a time: the first bytes tell native FLAC from Ogg FLAC', () => {
    const bytes = file()
    const parser = new FrameParser('flac')
    const frames = []
    for (let at = 0; at < 20; at++) frames.push(...parser.push(bytes.subarray(at, at + 1)))
    frames.push(...parser.push(bytes.subarray(20)), ...parser.flush())
    expect(frames.map((frame) => frame.samples)).toEqual(read(bytes).map((page) => page.samples))
  })

  test('a stream that is not FLAC gives no page, its bytes counted', () => {
    const reader = new NativeFlacReader()
    expect([...reader.push(new Uint8Array(readFileSync(fixtures.mp3(1)))), ...reader.flush()]).toEqual([])
    expect(reader.unknown).toBeGreaterThan(0)
  })
})
