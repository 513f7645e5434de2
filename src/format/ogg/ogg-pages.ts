import CodecParser from 'codec-parser'
import type { OggPage as ParsedPage } from 'codec-parser'
import { ascii } from '../ascii.ts'
import type { OggComments } from './comments.ts'
import { readOggComments } from './comments.ts'
import { splitPage } from './page-split.ts'
import { rewritePage } from './page-writer.ts'

/** The codecs airwave carries in Ogg. */
export type OggCodec = 'opus' | 'vorbis' | 'flac'

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

/** The codec and shape an identification header tells, or undefined for one airwave does not carry. */
const identify = (payload: Uint8Array): Omit<OggStream, 'serial' | 'comments' | 'headerPages'> | undefined => {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  if (ascii(payload, 0, 8) === 'OpusHead' && payload.length >= 19) {
    return { codec: 'opus', sampleRate: 48_000, channels: payload[9]! }
  }
  if (ascii(payload, 0, 7) === '\x01vorbis' && payload.length >= 30) {
    return { codec: 'vorbis', sampleRate: view.getUint32(12, true), channels: payload[11]! }
  }
  // Ogg FLAC's mapping header, then `fLaC`, then the STREAMINFO block (its header 4 bytes).
  if (ascii(payload, 0, 5) === '\x7fFLAC' && ascii(payload, 9, 4) === 'fLaC' && payload.length >= 51) {
    const info = 17
    const sampleRate = (payload[info + 10]! << 12) | (payload[info + 11]! << 4) | (payload[info + 12]! >> 4)
    return { codec: 'flac', sampleRate, channels: ((payload[info + 12]! >> 1) & 0x07) + 1 }
  }
  return undefined
}

interface ParsedStream extends OggStream {
  /** Where the parser is in the stream: kept apart, so a page's `stream` tells only what a stream is. */
  readonly state: { inHeaders: boolean; audioPages: number; added: number }
}

const frameSamples = (page: ParsedPage): number[] => page.codecFrames.map((frame) => frame.samples)

/**
 * The samples a page completes: the step of its granule position, except on a stream's first audio
 * page when that step is far more than its packets hold (the stream was joined midway, its granule
 * counts from long before).
 */
const samplesOf = (page: ParsedPage, first: boolean): number => {
  const own = page.codecFrames.reduce((sum, frame) => sum + frame.samples, 0)
  if (page.samples < 0) return 0
  return first && page.samples > 2 * own + 48_000 ? own : page.samples
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
        const shape = identify(parsed.data)
        if (shape) {
          this.#streams.set(serial, {
            serial,
            ...shape,
            comments: undefined,
            headerPages: [],
            state: { inHeaders: true, audioPages: 0, added: 0 },
          })
        } else this.#streams.delete(serial)
      }
      const stream = this.#streams.get(serial)
      if (!stream) {
        this.unknown++
        continue
      }
      const { state } = stream
      if (state.inHeaders && parsed.codecFrames.length > 0) state.inHeaders = false
      if (state.inHeaders && !parsed.isFirstPage) stream.comments ??= readOggComments(parsed.data)
      if (state.inHeaders) stream.headerPages.push(parsed.rawData)
      const first = !state.inHeaders && state.audioPages++ === 0
      const samples = state.inHeaders ? 0 : samplesOf(parsed, first)
      const page = { stream, header: state.inHeaders, continued: parsed.isContinuedPacket, last: parsed.isLastPage }
      const sequence = parsed.pageSequenceNumber + state.added
      // A page whose packets do not add up to its granule step (a first page that counts from before
      // its audio, a last one trimmed) stays whole.
      const split = page.header
        ? undefined
        : splitPage(parsed.rawData, frameSamples(parsed), this.#maxPageSeconds * stream.sampleRate, sequence)
      if (split && split.samples.reduce((sum, n) => sum + n, 0) === samples) {
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
