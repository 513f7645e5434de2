import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { commentValue } from '../../../src/format/ogg/comments.ts'
import type { OggPage } from '../../../src/format/ogg/ogg-pages.ts'
import { OggPageParser } from '../../../src/format/ogg/ogg-pages.ts'
import { fixtures } from '../../helpers/fixtures.ts'

/** Every page of `bytes`, fed in pieces of `piece` bytes. */
const pagesOf = (bytes: Uint8Array, piece = bytes.length): OggPage[] => {
  const parser = new OggPageParser()
  const pages: OggPage[] = []
  for (let at = 0; at < bytes.length; at += piece) pages.push(...parser.push(bytes.subarray(at, at + piece)))
  pages.push(...parser.flush())
  return pages
}

const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
  let at = 0
  for (const part of parts) (out.set(part, at), (at += part.length))
  return out
}

const samplesOf = (pages: OggPage[]) => pages.reduce((n, page) => n + page.samples, 0)

describe('Ogg pages', () => {
  for (
    const [name, file, codec, sampleRate, headers] of [
      ['Opus', () => fixtures.opus(2, 440, { artist: 'Ogg Artist', title: 'Opus Tone' }), 'opus', 48_000, 2],
      ['Vorbis', () => fixtures.vorbis(2, 440, { artist: 'Ogg Artist', title: 'Vorbis Tone' }), 'vorbis', 44_100, 2],
      ['FLAC', () => fixtures.oggFlac(2, 440, { artist: 'Ogg Artist', title: 'FLAC Tone' }), 'flac', 44_100, 2],
    ] as const
  ) {
    test(`an Ogg ${name} file is its pages, whole and in order, headers first`, () => {
      const bytes = new Uint8Array(readFileSync(file()))
      const pages = pagesOf(bytes)
      expect(concat(pages.map((page) => page.data))).toEqual(bytes)
      expect(pages.map((page) => page.header)).toEqual(pages.map((_, i) => i < headers))
      const stream = pages[0]!.stream
      expect({ codec: stream.codec, sampleRate: stream.sampleRate, channels: stream.channels }).toEqual({
        codec,
        sampleRate,
        channels: 2,
      })
      expect(pages.every((page) => page.stream === stream)).toBe(true)
      expect(pages.map((page) => page.last)).toEqual(pages.map((_, i) => i === pages.length - 1))
    })

    test(`an Ogg ${name} file's pages add up to its duration, from granule positions`, () => {
      const pages = pagesOf(new Uint8Array(readFileSync(file())))
      expect(pages.filter((page) => page.header).every((page) => page.samples === 0)).toBe(true)
      expect(samplesOf(pages)).toBe(2 * sampleRate)
    })

    test(`an Ogg ${name} file's comment header gives its title and artist`, () => {
      const { comments } = pagesOf(new Uint8Array(readFileSync(file())))[0]!.stream
      expect(commentValue(comments, 'title')).toBe(`${name} Tone`)
      expect(commentValue(comments, 'ARTIST')).toBe('Ogg Artist')
    })
  }

  test('bytes fed in any pieces give the same pages', () => {
    const bytes = new Uint8Array(readFileSync(fixtures.vorbis(2, 440, { title: 'Vorbis Tone' })))
    const whole = pagesOf(bytes)
    for (const piece of [1, 7, 100, 4096]) {
      const pages = pagesOf(bytes, piece)
      expect(pages.map((page) => [page.data.length, page.header, page.samples])).toEqual(
        whole.map((page) => [page.data.length, page.header, page.samples]),
      )
    }
  })

  test('a chained stream (one logical stream per track) starts each track with its own headers and titles', () => {
    const one = new Uint8Array(readFileSync(fixtures.opus(2, 440, { title: 'One' })))
    const two = new Uint8Array(readFileSync(fixtures.opus(2, 660, { title: 'Two' })))
    const pages = pagesOf(concat([one, two]))
    const streams = [...new Set(pages.map((page) => page.stream))]
    expect(streams.map((stream) => commentValue(stream.comments, 'TITLE'))).toEqual(['One', 'Two'])
    expect(streams[0]!.serial).not.toBe(streams[1]!.serial)
    const second = pages.findIndex((page) => page.stream === streams[1])
    expect(pages.slice(second, second + 3).map((page) => page.header)).toEqual([true, true, false])
    expect(pages[second - 1]!.last).toBe(true)
    expect(samplesOf(pages)).toBe(4 * 48_000)
  })

  test('a page cut short at the end is never yielded', () => {
    const bytes = new Uint8Array(readFileSync(fixtures.opus(2, 440)))
    const whole = pagesOf(bytes)
    const parser = new OggPageParser()
    const cut = [...parser.push(bytes.subarray(0, bytes.length - 10)), ...parser.flush()]
    expect(parser.truncated).toBe(1)
    expect(cut.length).toBe(whole.length - 1)
    expect(cut.map((page) => page.data)).toEqual(whole.slice(0, -1).map((page) => page.data))
  })
})
