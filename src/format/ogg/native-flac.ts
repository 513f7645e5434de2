import CodecParser from 'codec-parser'
import type { CodecFrame } from 'codec-parser'
import { concatBytes } from '../../util/bytes.ts'
import { ascii } from '../ascii.ts'
import type { OggComments } from './comments.ts'
import { readOggComments } from './comments.ts'
import type { OggPage, OggStream } from './ogg-pages.ts'
import { commentPacket, rewritePage, writePages } from './page-writer.ts'

/** Lacing values a packet takes in a page. */
const lacingOf = (packet: Uint8Array): number => Math.floor(packet.length / 255) + 1

const randomSerial = (): number => (Math.random() * 2 ** 32) | 0

/** Bytes of metadata blocks (cover art) waited for before a stream is given up on. */
const METADATA_LIMIT = 16 * 1024 * 1024

const STREAMINFO = 0
const VORBIS_COMMENT = 4

/** One metadata block of a native FLAC stream: its type and its bytes, header included. */
interface Block {
  readonly type: number
  readonly bytes: Uint8Array
}

/**
 * The metadata blocks after `fLaC` once the last of them is whole, with where the frames begin; until
 * then, how many bytes of the stream it takes to read on.
 */
const readBlocks = (head: Uint8Array): { blocks: Block[]; end: number } | { need: number } => {
  const blocks: Block[] = []
  for (let at = 4;;) {
    if (at + 4 > head.length) return { need: at + 4 }
    const length = (head[at + 1]! << 16) | (head[at + 2]! << 8) | head[at + 3]!
    if (at + 4 + length > head.length) return { need: at + 4 + length }
    blocks.push({ type: head[at]! & 0x7f, bytes: head.subarray(at, at + 4 + length) })
    at += 4 + length
    if (head[at - 4 - length]! & 0x80) return { blocks, end: at }
  }
}

/**
 * Ogg FLAC's header packets for a native stream's metadata: the mapping header (`\x7fFLAC` 1.0, one
 * header packet after it, `fLaC`, STREAMINFO), then its VORBIS_COMMENT block (an empty one if it has
 * none), marked last. The other blocks (seek table, padding, pictures, cue sheet) are left out: a
 * stream has no use for a seek table, and header pages go to every listener who joins.
 */
const headerPackets = (blocks: readonly Block[]): [Uint8Array, Uint8Array] => {
  const info = blocks.find((block) => block.type === STREAMINFO)!
  const mapping = new Uint8Array(13 + info.bytes.length)
  mapping.set([0x7f, 0x46, 0x4c, 0x41, 0x43, 1, 0, 0, 1, 0x66, 0x4c, 0x61, 0x43])
  mapping.set(info.bytes, 13)
  mapping[13] = STREAMINFO
  const found = blocks.find((block) => block.type === VORBIS_COMMENT)
  const comments = found ? found.bytes.slice() : commentPacket('flac', 'airwave', [], true)
  comments[0] = VORBIS_COMMENT | 0x80
  return [mapping, comments]
}

/**
 * Reads a native FLAC stream (a `.flac` file) as Ogg FLAC pages, as `OggPageParser` reads an Ogg
 * stream: header pages first (see `headerPackets`), then the frames, found by codec-parser, in pages
 * of at most `maxPageSeconds`, each page's granule position the samples up to its end. Every Ogg
 * player takes Ogg FLAC; few take native FLAC in a live stream, and none can join one midway.
 *
 * @example
 * const reader = new NativeFlacReader()
 * for (const page of reader.push(bytes)) send(page)
 * for (const page of reader.flush()) send(page)
 */
export class NativeFlacReader {
  /** Bytes that were not FLAC: a stream without `fLaC` and STREAMINFO first. */
  unknown = 0
  /** Frames cut short at the end: always 0, as codec-parser drops a frame whose checksum fails. */
  readonly truncated = 0
  readonly #maxPageSeconds: number
  /** What came before the frames, until the metadata is whole; undefined once the stream is known not to be FLAC. */
  #head: Uint8Array[] | undefined = []
  #headBytes = 0
  /** Bytes of the stream the metadata read so far needs before it can be read on. */
  #need = 8
  #stream: OggStream | undefined
  #frames = new CodecParser<CodecFrame>('audio/flac', { enableLogging: false, enableFrameCRC32: false })
  #pending: { data: Uint8Array; samples: number }[] = []
  #granule = 0
  #sequence = 0

  constructor(options: { maxPageSeconds?: number } = {}) {
    this.#maxPageSeconds = options.maxPageSeconds ?? 0.25
  }

  /** Feeds bytes in; yields the pages completed by them. */
  *push(bytes: Uint8Array): Generator<OggPage> {
    if (this.#head === undefined) return void (this.unknown += bytes.length)
    if (!this.#stream) {
      // Joined only once as many bytes are in as the metadata read so far needs: cover art of
      // megabytes, arriving 64 KiB at a time, is not copied again at every read.
      this.#head.push(bytes)
      this.#headBytes += bytes.length
      if (this.#headBytes < this.#need) return
      const head = concatBytes(this.#head)
      this.#head = [head]
      const read = ascii(head, 0, 4) === 'fLaC' ? readBlocks(head) : undefined
      if (read && 'need' in read && head.length <= METADATA_LIMIT) {
        this.#need = read.need
        return
      }
      if (!read || 'need' in read || read.blocks[0]?.type !== STREAMINFO) {
        this.unknown += head.length
        this.#head = undefined
        return
      }
      this.#head = []
      yield* this.#open(read.blocks)
      bytes = head.subarray(read.end)
    }
    yield* this.#take(this.#frames.parseChunk(bytes), false)
  }

  /** Yields the frames still buffered, the last page marked end of stream. */
  *flush(): Generator<OggPage> {
    if (this.#stream) yield* this.#take(this.#frames.flush(), true)
  }

  *#open(blocks: Block[]): Generator<OggPage> {
    const info = blocks[0]!.bytes.subarray(4)
    const sampleRate = (info[10]! << 12) | (info[11]! << 4) | (info[12]! >> 4)
    const packets = headerPackets(blocks)
    const pages = writePages(packets, { serial: randomSerial(), sequence: 0, granule: 0n, first: true })
    const comments: OggComments | undefined = readOggComments(packets[1])
    const serial = new DataView(pages[0]!.buffer).getInt32(14, true)
    this.#stream = {
      serial,
      codec: 'flac',
      sampleRate,
      channels: ((info[12]! >> 1) & 0x07) + 1,
      comments,
      headerPages: pages,
    }
    this.#sequence = pages.length
    for (const data of pages) {
      yield { data, stream: this.#stream, header: true, continued: false, last: false, samples: 0 }
    }
  }

  *#take(frames: Iterator<CodecFrame>, end: boolean): Generator<OggPage> {
    const stream = this.#stream!
    const most = this.#maxPageSeconds * stream.sampleRate
    for (let step = frames.next(); !step.done; step = frames.next()) {
      const frame = step.value
      const held = this.#pending.reduce((sum, f) => sum + f.samples, 0)
      const lacing = this.#pending.reduce((sum, f) => sum + lacingOf(f.data), 0)
      if (held > 0 && (held + frame.samples > most || lacing + lacingOf(frame.data) > 255)) yield this.#page(false)
      this.#pending.push({ data: frame.data, samples: frame.samples })
    }
    if (end && this.#pending.length > 0) yield this.#page(true)
  }

  #page(last: boolean): OggPage {
    const frames = this.#pending
    this.#pending = []
    const samples = frames.reduce((sum, f) => sum + f.samples, 0)
    this.#granule += samples
    const stream = this.#stream!
    const pages = writePages(frames.map((f) => f.data), {
      serial: stream.serial,
      sequence: this.#sequence,
      granule: BigInt(this.#granule),
      first: false,
    })
    // One page, but for a single frame of more than 64 KiB (never at 16 bits): the rest continue it.
    const data = concatBytes(
      last
        ? pages.map((page, i) => rewritePage(page, stream.serial, this.#sequence + i, { eos: i === pages.length - 1 }))
        : pages,
    )
    this.#sequence += pages.length
    return { data, stream, header: false, continued: false, last, samples }
  }
}
