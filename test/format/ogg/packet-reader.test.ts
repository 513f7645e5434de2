import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { OggPacketReader } from '../../../src/format/ogg/packet-reader.ts'
import { writePages } from '../../../src/format/ogg/page-writer.ts'
import { concatBytes } from '../../../src/util/bytes.ts'
import { fixtures } from '../../helpers/fixtures.ts'

const bytes = (length: number, fill: number) => new Uint8Array(length).fill(fill)
const options = (serial: number) => ({ serial, sequence: 0, granule: 0n, first: false })

describe('OggPacketReader', () => {
  test('reads every packet of a file, however its pages are cut into runs', () => {
    const file = new Uint8Array(readFileSync(fixtures.opus(2)))
    const whole = new OggPacketReader().push(file)
    expect(new TextDecoder().decode(whole[0]!.subarray(0, 8))).toBe('OpusHead')
    expect(new TextDecoder().decode(whole[1]!.subarray(0, 8))).toBe('OpusTags')
    expect(whole.length).toBeGreaterThan(100)
    // The same file a page at a time.
    const reader = new OggPacketReader()
    const paged: Uint8Array[] = []
    for (let at = 0; at < file.length;) {
      const segments = file[at + 26]!
      const length = 27 + segments + file.subarray(at + 27, at + 27 + segments).reduce((sum, l) => sum + l, 0)
      paged.push(...reader.push(file.subarray(at, at + length)))
      at += length
    }
    expect(paged.map((p) => Buffer.from(p).toString('hex'))).toEqual(whole.map((p) => Buffer.from(p).toString('hex')))
  })

  test('a packet that goes on to the next run is given once it ends there', () => {
    // Over 255 lacing values of 255 bytes: the packet spans two pages.
    const long = bytes(70_000, 7)
    const pages = writePages([bytes(10, 1), long, bytes(20, 2)], options(1))
    expect(pages).toHaveLength(2)
    const reader = new OggPacketReader()
    expect(reader.push(pages[0]!).map((p) => p.length)).toEqual([10])
    const rest = reader.push(pages[1]!)
    expect(rest.map((p) => p.length)).toEqual([70_000, 20])
    expect(rest[0]!.every((b) => b === 7)).toBe(true)
  })

  test('pages that go on and on without ending a packet hold no more than 1 MiB: the packet is dropped', () => {
    const page = writePages([bytes(70_000, 5)], options(1))[0]! // ends on a lacing value of 255: goes on
    const continued = page.slice()
    continued[5] = 0x01 // continues the packet before
    const reader = new OggPacketReader()
    reader.push(page)
    for (let i = 0; i < 20; i++) expect(reader.push(continued)).toEqual([])
    // 1.4 MB of pages went by: a page that ends the "packet" gives no 1.4 MB packet.
    const ending = writePages([bytes(100, 6)], options(1))[0]!.slice()
    ending[5] = 0x01
    expect(reader.push(ending)).toEqual([])
    const [fresh] = writePages([bytes(5, 4)], options(2))
    expect(reader.push(fresh!).map((p) => p.length)).toEqual([5])
  })

  test('a page that does not continue a packet drops an unfinished one (a stream cut midway)', () => {
    const [first] = writePages([bytes(70_000, 3)], options(1))
    const [fresh] = writePages([bytes(5, 4)], options(2))
    expect(new OggPacketReader().push(concatBytes([first!, fresh!])).map((p) => p.length)).toEqual([5])
  })
})
