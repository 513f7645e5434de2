import type { OggCodec } from '../params.ts'
import { concatBytes } from '../../util/bytes.ts'
import { crc32 } from '../../util/crc32.ts'
import { readOggComments } from './comments.ts'

/**
 * Ogg's CRC32 of `bytes` (polynomial 0x04c11db7, not reflected, initial value 0, no final xor): what
 * a page's checksum field holds, computed over the page with that field zeroed.
 *
 * @example
 * const copy = page.slice()
 * copy.fill(0, 22, 26)
 * oggCrc(copy) === new DataView(page.buffer, page.byteOffset).getUint32(22, true)
 */
export const oggCrc = (bytes: Uint8Array): number => crc32(bytes)

/** Header type flags: the page continues a packet, begins a logical stream, ends it. */
const CONTINUED = 0x01
const BOS = 0x02
const EOS = 0x04

const littleEndian32 = (value: number): Uint8Array => {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, value, true)
  return out
}

/** Sets the page's checksum field to the CRC of the page (which must have it zeroed). */
const seal = (page: Uint8Array): Uint8Array => {
  new DataView(page.buffer, page.byteOffset, page.byteLength).setUint32(22, oggCrc(page), true)
  return page
}

/**
 * The packets laced across whole raw pages, in order, joined across page boundaries. Only complete
 * packets: the start of one the pages cut short at the end, or the tail of one begun before the
 * first page, is left out.
 *
 * @example
 * const [identification, comments, setup] = packetsOf(headerPages.map((page) => page.data))
 */
export const packetsOf = (pages: readonly Uint8Array[]): Uint8Array[] => {
  const packets: Uint8Array[] = []
  let parts: Uint8Array[] | undefined
  for (const page of pages) {
    const segments = page[26]!
    if (!(page[5]! & CONTINUED)) parts = []
    let at = 27 + segments
    let start = at
    for (let i = 0; i < segments; i++) {
      at += page[27 + i]!
      if (page[27 + i]! === 255) continue
      parts?.push(page.subarray(start, at))
      if (parts) packets.push(concatBytes(parts))
      parts = []
      start = at
    }
    parts?.push(page.subarray(start, at))
  }
  return packets
}

/** Options for `writePages`: the logical stream's serial, the first page's sequence number, the granule position of pages where a packet ends, and whether the first page begins the logical stream. */
export interface PageOptions {
  readonly serial: number
  readonly sequence: number
  readonly granule: bigint
  readonly first: boolean
}

/** One page of `lacing.length` (at most 255) lacing values and its payload, sealed. */
const page = (
  flags: number,
  granule: bigint,
  serial: number,
  sequence: number,
  lacing: readonly number[],
  payload: Uint8Array,
): Uint8Array => {
  const out = new Uint8Array(27 + lacing.length + payload.length)
  const view = new DataView(out.buffer)
  out.set([0x4f, 0x67, 0x67, 0x53, 0, flags])
  view.setBigInt64(6, granule, true)
  view.setUint32(14, serial, true)
  view.setUint32(18, sequence, true)
  out[26] = lacing.length
  out.set(lacing, 27)
  out.set(payload, 27 + lacing.length)
  return seal(out)
}

/**
 * Lays `packets` out in pages the way libogg does for header packets: with `first`, the first packet
 * alone on a page that begins the logical stream; the rest flushed together onto as few pages as 255
 * lacing values a page allow, a packet that spans pages marking the next one continued. Pages where a
 * packet ends carry `granule` (0 for headers), others -1; sequence numbers count from `sequence`.
 *
 * @example
 * const pages = writePages([identification, comments, setup], { serial, sequence: 0, granule: 0n, first: true })
 */
export const writePages = (packets: readonly Uint8Array[], options: PageOptions): Uint8Array[] => {
  const groups = options.first && packets.length > 1 ? [packets.slice(0, 1), packets.slice(1)] : [packets]
  const pages: Uint8Array[] = []
  for (const group of groups) {
    const lacing: number[] = []
    for (const packet of group) {
      for (let left = packet.length;; left -= 255) {
        lacing.push(Math.min(left, 255))
        if (left < 255) break
      }
    }
    const payload = concatBytes(group)
    for (let from = 0, at = 0; from < lacing.length; from += 255) {
      const values = lacing.slice(from, from + 255)
      const size = values.reduce((n, value) => n + value, 0)
      const flags = (from > 0 && lacing[from - 1] === 255 ? CONTINUED : 0) |
        (options.first && pages.length === 0 ? BOS : 0)
      const granule = values.some((value) => value < 255) ? options.granule : -1n
      const sequence = options.sequence + pages.length
      pages.push(page(flags, granule, options.serial, sequence, values, payload.subarray(at, at + size)))
      at += size
    }
  }
  return pages
}

/**
 * A copy of a whole raw page moved to logical stream `serial` as page number `sequence`, its
 * begin-of-stream and end-of-stream flags set or cleared as `flags` say (kept when not said), its
 * checksum recomputed.
 *
 * @example
 * const moved = pages.map((page, i) => rewritePage(page.data, serial, headers.length + i))
 */
export const rewritePage = (
  page: Uint8Array,
  serial: number,
  sequence: number,
  flags: { bos?: boolean; eos?: boolean } = {},
): Uint8Array => {
  const out = page.slice()
  const view = new DataView(out.buffer)
  view.setUint32(14, serial, true)
  view.setUint32(18, sequence, true)
  view.setUint32(22, 0, true)
  if (flags.bos !== undefined) out[5] = flags.bos ? out[5]! | BOS : out[5]! & ~BOS
  if (flags.eos !== undefined) out[5] = flags.eos ? out[5]! | EOS : out[5]! & ~EOS
  return seal(out)
}

/**
 * A comment packet: Opus's `OpusTags`, Vorbis's comment header (with its framing bit), or FLAC's
 * `VORBIS_COMMENT` metadata block (the last metadata block when `last`), holding `vendor` and
 * `KEY=value` fields.
 *
 * @example
 * commentPacket('opus', 'Lavf58.20.100', [['TITLE', 'Some Title'], ['ARTIST', 'Some Artist']])
 */
export const commentPacket = (
  codec: OggCodec,
  vendor: string,
  fields: readonly (readonly [string, string])[],
  last = false,
): Uint8Array => {
  const encoder = new TextEncoder()
  const string = (text: string) => {
    const bytes = encoder.encode(text)
    return concatBytes([littleEndian32(bytes.length), bytes])
  }
  const body = concatBytes([
    string(vendor),
    littleEndian32(fields.length),
    ...fields.map(([key, value]) => string(`${key}=${value}`)),
  ])
  if (codec === 'opus') return concatBytes([encoder.encode('OpusTags'), body])
  if (codec === 'vorbis') return concatBytes([encoder.encode('\x03vorbis'), body, new Uint8Array([1])])
  const header = new Uint8Array([
    (last ? 0x80 : 0) | 4,
    body.length >> 16,
    (body.length >> 8) & 0xff,
    body.length & 0xff,
  ])
  return concatBytes([header, body])
}

/** A copy of Ogg FLAC's mapping header counting `count` header packets after it. */
const withHeaderCount = (mapping: Uint8Array, count: number): Uint8Array => {
  const copy = mapping.slice()
  new DataView(copy.buffer).setUint16(7, count)
  return copy
}

/** FLAC blocks a player does without: PADDING (1) and PICTURE (6). */
const BULKY_BLOCKS = [1, 6]

/**
 * Ogg FLAC's header packets without PADDING and PICTURE blocks: the mapping header's count of
 * header packets and the last block's last-block flag follow.
 */
const withoutBulkyBlocks = (packets: Uint8Array[]): Uint8Array[] => {
  const kept = packets.filter((packet, i) => i === 0 || !BULKY_BLOCKS.includes(packet[0]! & 0x7f))
  if (kept.length === packets.length) return packets
  const mapping = withHeaderCount(kept[0]!, kept.length - 1)
  const blocks = kept.slice(1).map((packet, i, all) => {
    const copy = packet.slice()
    copy[0] = (copy[0]! & 0x7f) | (i === all.length - 1 ? 0x80 : 0)
    return copy
  })
  return [mapping, ...blocks]
}

/**
 * New header pages for one logical stream's header pages (as `OggPageParser` yields them), to start
 * a new link of a chained stream as logical stream `serial`: the same identification packet on a
 * first page, the comment packet rebuilt with `TITLE` and `ARTIST` set to `titles` (left out when
 * undefined; the vendor and other fields kept, FLAC's last-metadata-block flag kept), the other
 * header packets as they were. With `maxField`, comment fields longer than that (cover art as
 * `METADATA_BLOCK_PICTURE`) are left out, and so are Ogg FLAC's PICTURE and PADDING blocks: header
 * pages go to every listener who joins. Sequence numbers count from 0, so the stream's first audio
 * page follows as page number `pages.length`.
 *
 * @example
 * const headers = retitledHeaders(headerPages.map((page) => page.data), 'opus', { title, artist }, serial)
 * const audio = audioPages.map((page, i) => rewritePage(page.data, serial, headers.length + i))
 */
export const retitledHeaders = (
  headerPages: readonly Uint8Array[],
  codec: OggCodec,
  titles: { title?: string; artist?: string },
  serial: number,
  maxField = Infinity,
): Uint8Array[] => {
  const packets = maxField < Infinity && codec === 'flac'
    ? withoutBulkyBlocks(packetsOf(headerPages))
    : packetsOf(headerPages)
  // Ogg FLAC's header packets are metadata blocks after the first; the comment block is of type 4,
  // made (empty) where a stream has none.
  if (codec === 'flac' && !packets.some((packet, i) => i > 0 && (packet[0]! & 0x7f) === 4)) {
    packets.splice(1, 0, commentPacket('flac', '', [], packets.length === 1))
    packets[0] = withHeaderCount(packets[0]!, packets.length - 1)
  }
  const at = codec === 'flac' ? packets.findIndex((packet, i) => i > 0 && (packet[0]! & 0x7f) === 4) : 1
  const old = packets[at]
  if (at < 1 || !old) throw new Error(`no ${codec} comment header among the header pages`)
  const comments = readOggComments(old)
  const fields = (comments?.fields ?? []).filter(([key, value]) =>
    key !== 'TITLE' && key !== 'ARTIST' && key.length + 1 + value.length <= maxField
  )
  if (titles.title !== undefined) fields.push(['TITLE', titles.title])
  if (titles.artist !== undefined) fields.push(['ARTIST', titles.artist])
  packets[at] = commentPacket(codec, comments?.vendor ?? '', fields, codec === 'flac' && (old[0]! & 0x80) !== 0)
  return writePages(packets, { serial, sequence: 0, granule: 0n, first: true })
}
