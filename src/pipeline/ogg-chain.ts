import type { Frame } from '../format/frame.ts'
import type { ChainLink, OggStream, PageInfo } from '../format/ogg/ogg-pages.ts'
import { retitledHeaders, rewritePage } from '../format/ogg/page-writer.ts'
import type { SourceFrame, Track } from '../input/track.ts'
import { concatBytes } from '../util/bytes.ts'

/** The link pages go out in now, and how they are rewritten for it. */
interface Placing {
  readonly link: ChainLink
  readonly source: OggStream
  readonly track: Track
  /** The serial the link's pages carry (signed 32-bit); set when it is not the source stream's own. */
  readonly serial: number | undefined
  sequence: number
}

let lastLinkId = 0

/**
 * Header pages larger than this (cover art in the comment header: tens or hundreds of KB, sent to
 * every listener who joins) are sent again without their bulky fields (see `retitledHeaders`).
 */
const HEADER_BUDGET = 24 * 1024
/** The longest comment field kept when header pages are slimmed. */
const FIELD_LIMIT = 2048

/**
 * Lays a mount's Ogg pages out as one chained Ogg stream, as players expect it: every logical
 * stream starts with its header pages, two links in a row never share a serial number, and every
 * page knows its link (`page.link`: the header pages a listener who joins now must get first).
 * Frames of other formats pass through untouched.
 *
 * A new link begins:
 * - with each logical stream that arrives from its start (a file, a DJ's song): its pages pass as
 *   they are, unless its serial is the previous link's (the same file twice: rewritten to a new one);
 * - where a stream goes on midway (the playlist back after a DJ, a relay held on standby): its
 *   header pages are sent again, under a new serial;
 * - where the title changes within a stream (`/admin/metadata` on a live source): new header pages
 *   whose comment header carries the new title, the audio going on under a new serial without a gap.
 *
 * Header pages sent again (and those of a stream whose own are over `HEADER_BUDGET`: cover art)
 * leave out comment fields over `FIELD_LIMIT` bytes and Ogg FLAC's PICTURE and PADDING blocks.
 *
 * @example
 * const chunker = new Chunker(new OggChain(sourceSwitch), 0.25)
 */
export class OggChain implements AsyncIterator<SourceFrame> {
  /** Audio pages dropped: of a stream whose header pages were never seen or cannot be read, so no player could decode them. */
  undecodable = 0
  readonly #frames: AsyncIterator<SourceFrame>
  readonly #out: SourceFrame[] = []
  #held: SourceFrame[] = []
  #placing: Placing | undefined
  #nextSerial: number

  constructor(frames: AsyncIterable<SourceFrame> | AsyncIterator<SourceFrame>, firstSerial = 0x61697277) {
    this.#frames = Symbol.asyncIterator in frames ? frames[Symbol.asyncIterator]() : frames
    this.#nextSerial = firstSerial
  }

  [Symbol.asyncIterator](): AsyncIterator<SourceFrame> {
    return this
  }

  async next(): Promise<IteratorResult<SourceFrame>> {
    while (this.#out.length === 0) {
      const step = await this.#frames.next()
      if (step.done) return step
      this.#place(step.value)
    }
    return { done: false, value: this.#out.shift()! }
  }

  async return(): Promise<IteratorResult<SourceFrame>> {
    await this.#frames.return?.()
    return { done: true, value: undefined }
  }

  #place(item: SourceFrame): void {
    const page = item.frame.page
    if (!page) {
      this.#placing = undefined
      this.#held = []
      this.#out.push(item)
      return
    }
    if (page.header) {
      if (this.#held[0] && this.#held[0].frame.page!.stream !== page.stream) this.#held = []
      this.#held.push(item)
      return
    }
    const placing = this.#placing
    const held = this.#held[0]?.frame.page?.stream === page.stream
    if (held && this.#held.reduce((sum, { frame }) => sum + frame.data.length, 0) > HEADER_BUDGET) {
      this.#held = []
      if (!this.#openMidway(item)) return
    } else if (held) this.#openFromStart(item)
    else if (!placing || placing.source !== page.stream || placing.track !== item.track) {
      if (page.stream.headerPages.length === 0) {
        this.undecodable++
        return
      }
      if (!this.#openMidway(item)) return
    }
    this.#out.push(this.#emit(item.frame, item.track))
  }

  /** A logical stream from its first page: its own header pages open the link. */
  #openFromStart(item: SourceFrame): void {
    const held = this.#held
    this.#held = []
    const stream = item.frame.page!.stream
    const serial = this.#placing && stream.serial === this.#onWire(this.#placing)
      ? this.#freshSerial(stream)
      : undefined
    const headers = held.map(({ frame }, sequence) =>
      serial === undefined ? frame.data : rewritePage(frame.data, serial, sequence)
    )
    this.#open(item, headers, serial)
    held.forEach(({ frame, track }, index) => this.#out.push(this.#headerItem(frame, headers[index]!, track)))
  }

  /**
   * A stream joined midway, or retitled: its header pages again, under a new serial, the comments
   * carrying the track's title. False when its header pages cannot be read (the page is dropped, as
   * no player could decode it).
   */
  #openMidway(item: SourceFrame): boolean {
    const stream = item.frame.page!.stream
    const serial = this.#freshSerial(stream)
    const { artist, song, title } = item.track
    let headers: Uint8Array[]
    try {
      headers = retitledHeaders(stream.headerPages, stream.codec, { title: song ?? title, artist }, serial, FIELD_LIMIT)
    } catch {
      this.undecodable++
      return false
    }
    this.#open(item, headers, serial)
    for (const data of headers) this.#out.push(this.#headerItem(item.frame, data, item.track))
    return true
  }

  #open(item: SourceFrame, headers: readonly Uint8Array[], serial: number | undefined): void {
    this.#placing = {
      link: { id: ++lastLinkId, headers: concatBytes(headers) },
      source: item.frame.page!.stream,
      track: item.track,
      serial,
      sequence: headers.length,
    }
  }

  #headerItem(like: Frame, data: Uint8Array, track: Track): SourceFrame {
    const page: PageInfo = { stream: like.page!.stream, header: true, continued: false, last: false }
    return this.#emit({ ...like, data, samples: 0, bitrate: 0, page }, track, false)
  }

  /** The frame as it goes out in the current link: marked with it, and rewritten when the link has its own serial. */
  #emit(frame: Frame, track: Track, rewrite = true): SourceFrame {
    const placing = this.#placing!
    const data = rewrite && placing.serial !== undefined
      ? rewritePage(frame.data, placing.serial, placing.sequence++)
      : frame.data
    return { frame: { ...frame, data, page: { ...frame.page!, link: placing.link } }, track }
  }

  /** The serial a link's pages carry (signed, as codec-parser reads serials). */
  #onWire(placing: Placing): number {
    return placing.serial ?? placing.source.serial
  }

  #freshSerial(stream: OggStream): number {
    let serial: number
    do serial = this.#nextSerial = (this.#nextSerial + 0x9e3779b9) | 0
    while (serial === stream.serial || (this.#placing && serial === this.#onWire(this.#placing)))
    return serial
  }
}
