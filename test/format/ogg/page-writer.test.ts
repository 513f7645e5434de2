import { afterAll, describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { commentValue, readOggComments } from '../../../src/format/ogg/comments.ts'
import type { OggPage } from '../../../src/format/ogg/ogg-pages.ts'
import { OggPageParser } from '../../../src/format/ogg/ogg-pages.ts'
import {
  commentPacket,
  oggCrc,
  packetsOf,
  retitledHeaders,
  rewritePage,
  writePages,
} from '../../../src/format/ogg/page-writer.ts'
import { FFMPEG, fixtures } from '../../helpers/fixtures.ts'
import { tempDir } from '../../helpers/temp-dir.ts'
import { concatBytes } from '../../../src/util/bytes.ts'

const dir = tempDir('airwave-page-writer-')
afterAll(() => dir.remove())

const pagesOf = (bytes: Uint8Array): OggPage[] => {
  const parser = new OggPageParser()
  return [...parser.push(bytes), ...parser.flush()]
}

const read = (path: string) => new Uint8Array(readFileSync(path))
const u32 = (page: Uint8Array, at: number) => new DataView(page.buffer, page.byteOffset).getUint32(at, true)
const granule = (page: Uint8Array) => new DataView(page.buffer, page.byteOffset).getBigInt64(6, true)

/** Whether the page's checksum field holds the CRC of the page with that field zeroed. */
const sealed = (page: Uint8Array) => {
  const copy = page.slice()
  copy.fill(0, 22, 26)
  return oggCrc(copy) === u32(page, 22)
}

let files = 0
/** ffmpeg decodes `bytes` as a file: its exit status, what it printed at level error, and the PCM it decoded. */
const decode = (bytes: Uint8Array) => {
  const path = dir.write(`stream-${files++}.ogg`, bytes)
  const run = spawnSync(FFMPEG, ['-nostdin', '-v', 'error', '-i', path, '-f', 's16le', '-'], {
    maxBuffer: 64 << 20,
  })
  return { status: run.status, errors: run.stderr.toString(), pcm: new Uint8Array(run.stdout) }
}

/** The stream of `pages`, moved to logical stream `serial` with its headers retitled. */
const retitled = (pages: OggPage[], titles: { title?: string; artist?: string }, serial: number) => {
  const headers = retitledHeaders(
    pages.filter((page) => page.header).map((page) => page.data),
    pages[0]!.stream.codec,
    titles,
    serial,
  )
  const audio = pages.filter((page) => !page.header).map((page, i) =>
    rewritePage(page.data, serial, headers.length + i)
  )
  return { headers, bytes: concatBytes([...headers, ...audio]) }
}

const codecs = [
  ['Opus', () => fixtures.opus(2, 440, { artist: 'Ogg Artist', title: 'Opus Tone' })],
  ['Vorbis', () => fixtures.vorbis(2, 440, { artist: 'Ogg Artist', title: 'Vorbis Tone' })],
  ['FLAC', () => fixtures.oggFlac(2, 440, { artist: 'Ogg Artist', title: 'FLAC Tone' })],
] as const

describe('Ogg CRC', () => {
  test('is CRC-32 with polynomial 0x04c11db7, unreflected, from 0, with no final xor', () => {
    expect(oggCrc(new Uint8Array())).toBe(0)
    expect(oggCrc(new TextEncoder().encode('123456789'))).toBe(0x89a1897f)
  })

  for (const [name, file] of codecs) {
    test(`matches the checksum of every page of an Ogg ${name} file made by ffmpeg`, () => {
      const pages = pagesOf(read(file()))
      expect(pages.length).toBeGreaterThan(3)
      expect(pages.filter((page) => !sealed(page.data)).map((page) => page.data)).toEqual([])
    })
  }
})

describe('rewriting a page', () => {
  for (const [name, file] of codecs) {
    test(`every page of an Ogg ${name} file moved to a new serial still parses and decodes with no error`, () => {
      const pages = pagesOf(read(file()))
      const serial = pages[0]!.stream.serial ^ 0x5a5a5a5a
      const moved = pages.map((page, i) => rewritePage(page.data, serial, i))
      expect(moved.every(sealed)).toBe(true)
      const again = pagesOf(concatBytes(moved))
      expect(again.map((page) => page.stream.serial)).toEqual(pages.map(() => serial))
      expect(again.map((page) => [page.header, page.samples, page.last])).toEqual(
        pages.map((page) => [page.header, page.samples, page.last]),
      )
      const original = decode(read(file()))
      const decoded = decode(concatBytes(moved))
      expect({ status: decoded.status, errors: decoded.errors }).toEqual({ status: 0, errors: '' })
      expect(decoded.pcm.length).toBeGreaterThan(0)
      expect(decoded.pcm).toEqual(original.pcm)
    })
  }

  test('renumbers the page, sets or clears its first-page and last-page flags as asked, and leaves the original alone', () => {
    const pages = pagesOf(read(fixtures.opus(2, 440))).map((page) => page.data)
    const first = pages[0]!
    const before = first.slice()
    const cleared = rewritePage(first, 7, 41, { bos: false, eos: true })
    expect([u32(cleared, 14), u32(cleared, 18), cleared[5]]).toEqual([7, 41, 0x04])
    expect(sealed(cleared)).toBe(true)
    expect(first).toEqual(before)
    expect(rewritePage(first, 7, 0)[5]).toBe(0x02)
    expect(rewritePage(pages.at(-1)!, 7, 0)[5]).toBe(0x04)
    expect(rewritePage(pages.at(-1)!, 7, 0, { eos: false })[5]).toBe(0x00)
    expect(rewritePage(pages[1]!, 7, 0, { bos: true })[5]).toBe(0x02)
    expect(cleared.subarray(26)).toEqual(first.subarray(26))
  })
})

describe('packets and pages', () => {
  test("a Vorbis file's header packets, laid out in pages again, are its header pages byte for byte", () => {
    const pages = pagesOf(read(fixtures.vorbis(2, 440, { title: 'Vorbis Tone' })))
    const headers = pages.filter((page) => page.header).map((page) => page.data)
    const packets = packetsOf(headers)
    expect(packets.map((packet) => packet[0])).toEqual([1, 3, 5])
    const paged = writePages(packets, { serial: pages[0]!.stream.serial, sequence: 0, granule: 0n, first: true })
    expect(packetsOf(paged)).toEqual(packets)
    expect(paged).toEqual(headers)
  })

  test('a packet longer than a page spans pages: the next page is continued, a page where none ends has granule -1', () => {
    const packets = [new Uint8Array(10).fill(1), new Uint8Array(255 * 300).fill(2), new Uint8Array(5).fill(3)]
    const pages = writePages(packets, { serial: 99, sequence: 5, granule: 0n, first: true })
    expect(pages.map((page) => [page[5], page[26], granule(page), u32(page, 14), u32(page, 18)])).toEqual([
      [0x02, 1, 0n, 99, 5],
      [0x00, 255, -1n, 99, 6],
      // 45 more 255s, the 0 that ends the 255 × 300-byte packet, and the last packet's 5.
      [0x01, 47, 0n, 99, 7],
    ])
    expect(pages.every(sealed)).toBe(true)
    expect(packetsOf(pages)).toEqual(packets)
    expect(packetsOf(pages.slice(0, 2))).toEqual(packets.slice(0, 1))
    expect(packetsOf(pages.slice(2))).toEqual(packets.slice(2))
  })

  test('without `first`, every packet is flushed together and no page begins the stream', () => {
    const packets = [new Uint8Array(3), new Uint8Array(0), new Uint8Array(300)]
    const pages = writePages(packets, { serial: 1, sequence: 0, granule: 960n, first: false })
    expect(pages.map((page) => [page[5], [...page.subarray(27, 27 + page[26]!)], granule(page)])).toEqual([
      [0x00, [3, 0, 255, 45], 960n],
    ])
    expect(packetsOf(pages)).toEqual(packets)
  })
})

describe('comment packets', () => {
  const fields = [['TITLE', 'Tïtle'], ['ARTIST', 'Artist']] as const
  for (const codec of ['opus', 'vorbis', 'flac'] as const) {
    test(`a ${codec} comment packet reads back as its vendor and fields`, () => {
      expect(readOggComments(commentPacket(codec, 'vendor', fields))).toEqual({ vendor: 'vendor', fields })
    })
  }

  test("Vorbis's ends with the framing bit; FLAC's is a VORBIS_COMMENT block, last as asked, its length big-endian", () => {
    expect(commentPacket('vorbis', 'v', []).at(-1)).toBe(1)
    const block = commentPacket('flac', 'v', fields, true)
    expect(block[0]).toBe(0x84)
    expect((block[1]! << 16) | (block[2]! << 8) | block[3]!).toBe(block.length - 4)
    expect(commentPacket('flac', 'v', fields)[0]).toBe(0x04)
    expect(commentPacket('opus', 'v', []).length).toBe(8 + 4 + 1 + 4)
  })
})

describe('retitled header pages', () => {
  for (const [name, file] of codecs) {
    test(`an Ogg ${name} file under retitled headers and a new serial decodes with no error, with the new titles`, () => {
      const pages = pagesOf(read(file()))
      const serial = (pages[0]!.stream.serial + 1) | 0
      const { headers, bytes } = retitled(pages, { title: 'New Title', artist: 'New Artist' }, serial)
      expect(headers.map((page) => u32(page, 18))).toEqual(headers.map((_, i) => i))
      expect(headers.map((page) => [page[5], granule(page)])).toEqual(headers.map((_, i) => [i ? 0 : 2, 0n]))

      const decoded = decode(bytes)
      expect({ status: decoded.status, errors: decoded.errors }).toEqual({ status: 0, errors: '' })
      expect(decoded.pcm).toEqual(decode(read(file())).pcm)
      const probe = spawnSync(FFMPEG, ['-nostdin', '-hide_banner', '-i', dir.write(`probe-${name}.ogg`, bytes)])
      expect(probe.stderr.toString()).toMatch(/TITLE\s*: New Title/)

      const again = pagesOf(bytes)
      const { stream } = again[0]!
      expect(again.every((page) => page.stream === stream)).toBe(true)
      expect(stream.serial).toBe(serial)
      expect(commentValue(stream.comments, 'TITLE')).toBe('New Title')
      expect(commentValue(stream.comments, 'ARTIST')).toBe('New Artist')
      expect(stream.comments!.vendor).toBe(pages[0]!.stream.comments!.vendor)
      expect(commentValue(stream.comments, 'ENCODER')).toBe(commentValue(pages[0]!.stream.comments, 'ENCODER')!)
      expect(stream.comments!.fields.filter(([key]) => key === 'TITLE')).toHaveLength(1)
      expect(again.map((page) => [page.header, page.samples])).toEqual(pages.map((page) => [page.header, page.samples]))
    })
  }

  test('the other header packets stay as they were: the identification, Vorbis setup, FLAC metadata flags', () => {
    for (const [, file] of codecs) {
      const pages = pagesOf(read(file()))
      const before = packetsOf(pages.filter((page) => page.header).map((page) => page.data))
      const after = packetsOf(retitledHeaders(
        pages.filter((page) => page.header).map((page) => page.data),
        pages[0]!.stream.codec,
        { title: 'Other' },
        1,
      ))
      expect(after.length).toBe(before.length)
      expect(after.filter((_, i) => i !== 1)).toEqual(before.filter((_, i) => i !== 1))
      expect(after[1]![0]).toBe(before[1]![0])
    }
  })

  test('an Ogg FLAC comment block followed by another keeps its not-last flag, and the block after it is kept', () => {
    const pages = pagesOf(read(fixtures.oggFlac(2, 440, { title: 'FLAC Tone' })))
    const [identification, comments] = packetsOf(pages.filter((page) => page.header).map((page) => page.data))
    const header = identification!.slice()
    header[8] = 2 // header packets after the first: the comment block and a PADDING block
    const padding = new Uint8Array([0x81, 0, 0, 16, ...new Uint8Array(16)])
    const block = comments!.slice()
    block[0] = 0x04
    const serial = pages[0]!.stream.serial
    const headers = retitledHeaders(
      writePages([header, block, padding], { serial, sequence: 0, granule: 0n, first: true }),
      'flac',
      { title: 'New Title' },
      (serial + 1) | 0,
    )
    const packets = packetsOf(headers)
    expect(packets.map((packet) => packet[0])).toEqual([0x7f, 0x04, 0x81])
    expect(packets[0]).toEqual(header)
    expect(packets[2]).toEqual(padding)
    const audio = pages.filter((page) => !page.header).map((page, i) =>
      rewritePage(page.data, (serial + 1) | 0, headers.length + i)
    )
    const decoded = decode(concatBytes([...headers, ...audio]))
    expect({ status: decoded.status, errors: decoded.errors }).toEqual({ status: 0, errors: '' })
    expect(commentValue(pagesOf(concatBytes([...headers, ...audio]))[0]!.stream.comments, 'TITLE')).toBe('New Title')
  })

  test('a title or artist not given is left out; other fields are kept', () => {
    const pages = pagesOf(read(fixtures.vorbis(2, 440, { artist: 'Ogg Artist', title: 'Vorbis Tone' })))
    const { bytes } = retitled(pages, { title: 'Only Title' }, 5)
    const { comments } = pagesOf(bytes)[0]!.stream
    expect(comments!.fields.map(([key]) => key)).toEqual(['ENCODER', 'TITLE'])
    expect(commentValue(comments, 'ARTIST')).toBeUndefined()
  })

  test('the decode check is real: a stream whose Vorbis setup header is cut short fails it', () => {
    const pages = pagesOf(read(fixtures.vorbis(2, 440)))
    const packets = packetsOf(pages.filter((page) => page.header).map((page) => page.data))
    packets[2] = packets[2]!.subarray(0, 1000)
    const headers = writePages(packets, { serial: 5, sequence: 0, granule: 0n, first: true })
    const audio = pages.filter((page) => !page.header).map((page, i) => rewritePage(page.data, 5, headers.length + i))
    expect(decode(concatBytes([...headers, ...audio])).errors).not.toBe('')
  })
})

describe('a chained stream', () => {
  for (
    const [name, make] of [['Opus', fixtures.opus], ['Vorbis', fixtures.vorbis], ['FLAC', fixtures.oggFlac]] as const
  ) {
    test(`an Ogg ${name} file, then another retitled under a new serial, decodes as the two files chained`, () => {
      const one = read(make(2, 440, { title: 'One' }))
      const two = read(make(2, 660, { title: 'Two' }))
      const serial = pagesOf(one)[0]!.stream.serial ^ 0xffff
      const chained = concatBytes([
        one,
        retitled(pagesOf(two), { title: 'Two, Retitled', artist: 'Someone' }, serial).bytes,
      ])

      const pages = pagesOf(chained)
      const streams = [...new Set(pages.map((page) => page.stream))]
      expect(streams.map((stream) => [stream.serial, commentValue(stream.comments, 'TITLE')])).toEqual([
        [pagesOf(one)[0]!.stream.serial, 'One'],
        [serial, 'Two, Retitled'],
      ])
      const decoded = decode(chained)
      const original = decode(concatBytes([one, two]))
      expect(decoded.pcm.length).toBeGreaterThan(decode(one).pcm.length)
      expect(decoded.pcm).toEqual(original.pcm)
      // ffmpeg 4.1 feeds a chained Opus stream's second headers to its decoder, even for two files merely joined.
      const errors = (run: typeof decoded) => ({
        status: run.status,
        errors: run.errors.replaceAll(/ @ 0x[0-9a-f]+/g, ''),
      })
      if (name === 'Opus') expect(errors(decoded)).toEqual(errors(original))
      else expect(errors(decoded)).toEqual({ status: 0, errors: '' })
    })
  }
})
