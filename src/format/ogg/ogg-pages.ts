import CodecParser from 'codec-parser'
import type { OggPage as ParsedPage } from 'codec-parser'
import { ascii } from '../ascii.ts'
import type { OggCodec } from '../params.ts'
import type { OggComments } from './comments.ts'
import { readOggComments } from './comments.ts'
import { packetSamples } from './packet-samples.ts'
import { splitPage } from './page-split.ts'
import { packetsOf, rewritePage } from './page-writer.ts'

export type { OggCodec }

/** One logical stream of an Ogg stream (a track, in a chained stream): its codec and shape, from its first page. */
export interface OggStream {
  readonly serial: number
  readonly codec: OggCodec
  /** The rate its granule positions count in (always 48,000 for Opus). */
  readonly sampleRate: number
  readonly channels: number
  /** Its comment header, once read (the header page after the first). */
  comments: OggComments | undefined
  /** Its header pages as they were read (every page with `header` set), for a new chain link to replay. */
  readonly headerPages: Uint8Array[]
}

/** One link of the chain a mount sends: a logical stream with the header pages every listener must have first. */
export interface ChainLink {
  /** Unique per station run: tells one link from the next (and a worker which links it has). */
  readonly id: number
  /** The link's header pages, as sent: replayed to a listener who joins or skipped them. */
  readonly headers: Uint8Array
}

/** What an Ogg page is, besides its bytes: what pacing, joining and chaining need. */
export interface PageInfo {
  readonly stream: OggStream
  /** A page of header packets (identification, comments, setup). */
  readonly header: boolean
  /** Its first packet began on the page before: no decoder can start here. */
  readonly continued: boolean
  /** The logical stream's last page (end of stream). */
  readonly last: boolean
  /** The chain link it goes out in, once the mount's pipeline has placed it (`pipeline/ogg-chain.ts`). */
  readonly link?: ChainLink
}

/** One whole Ogg page, as it goes on the wire, and what it holds. */
export interface OggPage extends PageInfo {
  /** The page, header and payload, as it was read. */
  readonly data: Uint8Array
  /**
   * Audio samples the page completes, per channel at `stream.sampleRate`: from granule positions (0
   * for a header page), or from its packets' own durations on the first page after a stream was
   * joined midway (a relay's upstream sends the headers, then its live pages).
   */
  readonly samples: number
}

const oggParser = () => new CodecParser<ParsedPage>('audio/ogg', { enableLogging: false, enableFrameCRC32: false })

/** Whether `raw` holds the whole page its header announces (27 bytes, the segment table, the segments). */
const whole = (raw: Uint8Array): boolean => {
  if (raw.length < 27 || raw.length < 27 + raw[26]!) return false
  let length = 27 + raw[26]!
  for (let i = 27; i < 27 + raw[26]!; i++) length += raw[i]!
  return raw.length >= length
}

/** What an identification header tells: the codec, its shape, and how many header packets the stream begins with. */
type Identity = Omit<OggStream, 'serial' | 'comments' | 'headerPages'> & { headerPackets: number; preSkip: number }

/** The codec and shape an identification header tells, or undefined for one airwave does not carry. */
const identify = (payload: Uint8Array): Identity | undefined => {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  if (ascii(payload, 0, 8) === 'OpusHead' && payload.length >= 19) {
    return {
      codec: 'opus',
      sampleRate: 48_000,
      channels: payload[9]!,
      headerPackets: 2,
      preSkip: view.getUint16(10, true),
    }
  }
  if (ascii(payload, 0, 7) === '\x01vorbis' && payload.length >= 30) {
    return {
      codec: 'vorbis',
      sampleRate: view.getUint32(12, true),
      channels: payload[11]!,
      headerPackets: 3,
      preSkip: 0,
    }
  }
  // Ogg FLAC's mapping header, then `fLaC`, then the STREAMINFO block (its header 4 bytes).
  if (ascii(payload, 0, 5) === '\x7fFLAC' && ascii(payload, 9, 4) === 'fLaC' && payload.length >= 51) {
    const info = 17
    const sampleRate = (payload[info + 10]! << 12) | (payload[info + 11]! << 4) | (payload[info + 12]! >> 4)
    // The mapping header counts the header packets after it (0: unknown).
    const headerPackets = view.getUint16(7) === 0 ? Infinity : 1 + view.getUint16(7)
    return { codec: 'flac', sampleRate, channels: ((payload[info + 12]! >> 1) & 0x07) + 1, headerPackets, preSkip: 0 }
  }
  return undefined
}

interface ParsedStream extends OggStream {
  /** Where the parser is in the stream: kept apart, so a page's `stream` tells only what a stream is. */
  readonly state: { headersLeft: number; added: number; preSkip: number; granule?: bigint }
}

/** The comment header among a stream's header packets, once it is whole (it may span pages: cover art). */
const commentsOf = (headerPages: readonly Uint8Array[]): OggComments | undefined => {
  for (const packet of packetsOf(headerPages).slice(1)) {
    const comments = readOggComments(packet)
    if (comments) return comments
  }
  return undefined
}

/** How many packets end on a raw page (lacing values under 255). */
const packetEnds = (raw: Uint8Array): number => {
  let ends = 0
  for (let i = 27; i < 27 + raw[26]!; i++) if (raw[i]! < 255) ends++
  return ends
}

/**
 * The samples a page completes, from granule positions: the step from the stream's last audio page
 * (none for a page where no packet ends, granule -1); on its first audio page, its granule position
 * less Opus's pre-skip, or, when that is more than its packets hold (the stream was joined midway:
 * its granule positions count from before), its packets' own durations.
 */
const samplesOf = (page: ParsedPage, stream: ParsedStream, own: number): number => {
  const granule = BigInt(page.absoluteGranulePosition)
  if (granule < 0n) return 0
  const { state } = stream
  const last = state.granule
  state.granule = granule
  if (last !== undefined) return Number(granule - last)
  const counted = Number(granule) - state.preSkip
  return counted > own + 0.05 * stream.sampleRate ? own : Math.max(0, counted)
}

/**
 * Splits an Ogg stream (a file, a source's body, a relay) into whole pages with codec-parser, and
 * tells for each its logical stream (codec, sample rate, channels, comments), whether it carries
 * header packets, and how many samples of audio it completes: what pacing and joining need. A
 * chained stream (one logical stream per track) starts a new `OggStream` at each first page.
 * Pages of a codec airwave does not carry, or before any first page, are counted in `unknown`
 * and not yielded.
 *
 * @example
 * const parser = new OggPageParser()
 * for (const page of parser.push(bytes)) send(page)
 * for (const page of parser.flush()) send(page)
 */
export class OggPageParser {
  /** Pages dropped: of a logical stream whose codec airwave does not carry, or whose first page was never seen. */
  unknown = 0
  /** Pages cut short at the end of the stream, dropped. */
  truncated = 0
  #parser = oggParser()
  readonly #streams = new Map<number, ParsedStream>()
  readonly #maxPageSeconds: number

  /**
   * Audio pages longer than `maxPageSeconds` are split into pages that are not (see `splitPage`),
   * every page after them renumbered; `Infinity` keeps every page as it was read.
   */
  constructor(options: { maxPageSeconds?: number } = {}) {
    this.#maxPageSeconds = options.maxPageSeconds ?? 0.25
  }

  /** Feeds bytes in; yields the pages completed by them. */
  *push(bytes: Uint8Array): Generator<OggPage> {
    yield* this.#convert(this.#parser.parseChunk(bytes))
  }

  /** Yields the pages still buffered at the end of the stream (a page cut short is dropped), and resets the parser. */
  *flush(): Generator<OggPage> {
    yield* this.#convert(this.#parser.flush())
    this.#parser = oggParser()
    this.#streams.clear()
  }

  *#convert(pages: Iterator<ParsedPage>): Generator<OggPage> {
    for (let step = pages.next(); !step.done; step = pages.next()) {
      const parsed = step.value
      if (!whole(parsed.rawData)) {
        this.truncated++
        continue
      }
      const serial = parsed.streamSerialNumber
      if (parsed.isFirstPage) {
        // A new link of a chain: the streams before it, their audio begun, are over (with or without
        // their last page: a link cut short has none).
        for (const [key, other] of this.#streams) if (other.state.granule !== undefined) this.#streams.delete(key)
        const identity = identify(parsed.data)
        if (identity) {
          const { headerPackets, preSkip, ...shape } = identity
          this.#streams.set(serial, {
            serial,
            ...shape,
            comments: undefined,
            headerPages: [],
            state: { headersLeft: headerPackets, added: 0, preSkip },
          })
        } else this.#streams.delete(serial)
      }
      const stream = this.#streams.get(serial)
      if (!stream) {
        this.unknown++
        continue
      }
      const { state } = stream
      // A page is a header page while the stream's header packets are not all read (codec-parser
      // takes the end of a comment header spanning pages for audio); an Ogg FLAC stream that does
      // not count its header packets ends them where codec-parser finds a frame.
      const header = state.headersLeft === Infinity
        ? parsed.isFirstPage || parsed.codecFrames.length === 0
        : state.headersLeft > 0
      if (header) {
        stream.headerPages.push(parsed.rawData)
        if (!parsed.isFirstPage) stream.comments ??= commentsOf(stream.headerPages)
        state.headersLeft -= packetEnds(parsed.rawData)
      } else state.headersLeft = 0
      const first = !header && state.granule === undefined
      const durations = header ? undefined : packetSamples(parsed, stream.codec)
      const own = durations?.reduce((sum, n) => sum + n, 0) ??
        parsed.codecFrames.reduce((sum, frame) => sum + frame.samples, 0)
      const samples = header ? 0 : samplesOf(parsed, stream, own)
      const page = { stream, header, continued: parsed.isContinuedPacket, last: parsed.isLastPage }
      const sequence = parsed.pageSequenceNumber + state.added
      // A page whose packets do not add up to its granule step (one that counts from before its
      // audio, a last one trimmed) stays whole; Opus's pre-skip comes off a first page's first piece.
      const skip = first ? state.preSkip : 0
      const split = durations && own - skip === samples
        ? splitPage(parsed.rawData, durations, this.#maxPageSeconds * stream.sampleRate, sequence)
        : undefined
      if (split && split.samples[0]! >= skip) {
        split.samples[0]! -= skip
        const end = split.pages.length - 1
        for (const [i, data] of split.pages.entries()) {
          const last = page.last && i === end
          yield {
            ...page,
            last,
            data: last ? rewritePage(data, serial, sequence + i, { eos: true }) : data,
            samples: split.samples[i]!,
          }
        }
        state.added += end
      } else {
        const data = state.added > 0 ? rewritePage(parsed.rawData, serial, sequence) : parsed.rawData
        yield { ...page, data, samples }
      }
      if (parsed.isLastPage) this.#streams.delete(serial)
    }
  }
}
