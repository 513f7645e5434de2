import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { commentValue } from '../../../src/format/ogg/comments.ts'
import type { OggPage } from '../../../src/format/ogg/ogg-pages.ts'
import { OggPageParser } from '../../../src/format/ogg/ogg-pages.ts'
import { oggCrc } from '../../../src/format/ogg/page-writer.ts'
import { fixtures } from '../../helpers/fixtures.ts'
import { systemFfmpeg } from '../../helpers/ogg.ts'
import { concatBytes } from '../../../src/util/bytes.ts'

/** Every page of `bytes`, fed in pieces of `piece` bytes. */
const pagesOf = (bytes: Uint8Array, piece = bytes.length, maxPageSeconds = Infinity): OggPage[] => {
  const parser = new OggPageParser({ maxPageSeconds })
  const pages: OggPage[] = []
  for (let at = 0; at < bytes.length; at += piece) pages.push(...parser.push(bytes.subarray(at, at + piece)))
  pages.push(...parser.flush())
  return pages
}

const withoutCrc = (page: Uint8Array) => {
  const copy = page.slice()
  copy.fill(0, 22, 26)
  return copy
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
      expect(concatBytes(pages.map((page) => page.data))).toEqual(bytes)
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
    const pages = pagesOf(concatBytes([one, two]))
    const streams = [...new Set(pages.map((page) => page.stream))]
    expect(streams.map((stream) => commentValue(stream.comments, 'TITLE'))).toEqual(['One', 'Two'])
    expect(streams[0]!.serial).not.toBe(streams[1]!.serial)
    const second = pages.findIndex((page) => page.stream === streams[1])
    expect(pages.slice(second, second + 3).map((page) => page.header)).toEqual([true, true, false])
    expect(pages[second - 1]!.last).toBe(true)
    expect(samplesOf(pages)).toBe(4 * 48_000)
  })

  for (
    const [name, file, sampleRate] of [
      ['Opus', () => fixtures.opus(3, 440), 48_000],
      ['Vorbis', () => fixtures.vorbis(3, 440), 44_100],
      ['FLAC', () => fixtures.oggFlac(3, 440), 44_100],
    ] as const
  ) {
    test(`an Ogg ${name} file's pages of a second are split into pages of at most 250 ms that decode to the same audio`, () => {
      const bytes = new Uint8Array(readFileSync(file()))
      const read = pagesOf(bytes)
      const split = pagesOf(bytes, bytes.length, 0.25)
      expect(Math.max(...read.map((page) => page.samples))).toBeGreaterThan(0.5 * sampleRate)
      // All but a stream's first and last audio pages, whose granules count from and to its edges.
      const middle = split.filter((page) => !page.header).slice(1, -1)
      expect(middle.length).toBeGreaterThan(read.filter((page) => !page.header).length)
      for (const page of middle) expect(page.samples).toBeLessThanOrEqual(0.25 * sampleRate)
      expect(samplesOf(split)).toBe(samplesOf(read))
      const view = (page: OggPage) => new DataView(page.data.buffer, page.data.byteOffset, page.data.byteLength)
      expect(split.map((page) => view(page).getUint32(18, true))).toEqual(split.map((_, i) => i))
      expect(view(split.at(-1)!).getBigInt64(6, true)).toBe(view(read.at(-1)!).getBigInt64(6, true))
      for (const page of split) expect(oggCrc(withoutCrc(page.data))).toBe(view(page).getUint32(22, true))
      const decode = (data: Uint8Array) =>
        spawnSync(systemFfmpeg(), ['-v', 'error', '-i', 'pipe:0', '-f', 's16le', '-'], {
          input: data,
          maxBuffer: 1 << 26,
        })
      const [original, repaged] = [decode(bytes), decode(concatBytes(split.map((page) => page.data)))]
      expect(repaged.stderr.toString()).toBe('')
      expect(repaged.stdout.equals(original.stdout)).toBe(true)
    })
  }

  test('a comment header spanning pages (cover art) is all header pages, its comments read once whole', () => {
    const bytes = new Uint8Array(
      readFileSync(fixtures.opus(2, 440, { title: 'Pictured', METADATA_BLOCK_PICTURE: 'A'.repeat(120_000) })),
    )
    const pages = pagesOf(bytes)
    const headers = pages.filter((page) => page.header)
    expect(headers.length).toBeGreaterThanOrEqual(3)
    expect(pages.slice(0, headers.length).every((page) => page.header)).toBe(true)
    expect(commentValue(pages[0]!.stream.comments, 'TITLE')).toBe('Pictured')
    expect(commentValue(pages[0]!.stream.comments, 'METADATA_BLOCK_PICTURE')?.length).toBe(120_000)
    expect(samplesOf(pages)).toBe(2 * 48_000)
  })

  test('a page cut short at the end is never yielded', () => {
    const bytes = new Uint8Array(readFileSync(fixtures.opus(2, 440)))
    const whole = pagesOf(bytes)
    const parser = new OggPageParser({ maxPageSeconds: Infinity })
    const cut = [...parser.push(bytes.subarray(0, bytes.length - 10)), ...parser.flush()]
    expect(parser.truncated).toBe(1)
    expect(cut.length).toBe(whole.length - 1)
    expect(cut.map((page) => page.data)).toEqual(whole.slice(0, -1).map((page) => page.data))
  })
})
