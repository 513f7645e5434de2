import CodecParser from 'codec-parser'
import type { AACHeader, CodecFrame, MPEGHeader } from 'codec-parser'
import type { FormatSpec } from './format-spec.ts'
import { FORMATS } from './formats.ts'
import type { Frame } from './frame.ts'
import type { OggPage } from './ogg/ogg-pages.ts'
import { OggPageParser } from './ogg/ogg-pages.ts'
import type { SourceFormat } from './params.ts'
import { concatBytes } from '../util/bytes.ts'
import { ascii } from './ascii.ts'
import { NativeFlacReader } from './ogg/native-flac.ts'

/** Where an Ogg format's pages come from: an Ogg stream, or a native FLAC one read as Ogg FLAC. */
type PageSource = OggPageParser | NativeFlacReader

/** A page as a frame: its bitrate its own average (0 for a header page, which holds no audio). */
const pageFrame = (page: OggPage): Frame => ({
  data: page.data,
  samples: page.samples,
  sampleRate: page.stream.sampleRate,
  channels: page.stream.channels,
  bitrate: page.samples > 0 ? Math.round((page.data.length * 8 * page.stream.sampleRate) / page.samples / 1000) : 0,
  format: page.stream.codec,
  page,
})

/**
 * Splits a byte stream of one format into whole codec frames, using codec-parser (which only
 * trusts a frame once the next one follows it). Frames the format says are never broadcast are
 * dropped and counted: MPEG Layer I/II frames in `otherLayers`, Xing/Info/VBRI headers in `infoFrames`.
 * An Ogg format's frames are whole pages (`OggPageParser`); pages of another codec are dropped and
 * counted in `otherCodecs`, and `ogg` takes any codec airwave carries.
 *
 * @example
 * const parser = new FrameParser('mp3')
 * for (const frame of parser.push(bytes)) send(frame)
 * for (const frame of parser.flush()) send(frame)
 */
export class FrameParser {
  readonly format: SourceFormat
  /** MPEG frames of another layer than III seen by an MP3 parser (an MP2 file, say). */
  otherLayers = 0
  /** Info frames skipped. */
  infoFrames = 0
  /** Ogg pages of another codec than the parser's, or of none airwave carries. */
  otherCodecs = 0
  /** Frames cut short at the end of the stream, dropped. */
  truncated = 0
  readonly #spec: FormatSpec | undefined
  #parser: CodecParser<CodecFrame> | undefined
  #pages: PageSource | undefined
  /** A FLAC stream's first bytes, until there are four to tell native FLAC from Ogg. */
  #start: Uint8Array = new Uint8Array(0)

  constructor(format: SourceFormat) {
    this.format = format
    this.#spec = format === 'ogg' ? undefined : FORMATS[format]
    if (format !== 'flac' && (!this.#spec || this.#spec.parserMime === 'audio/ogg')) this.#pages = new OggPageParser()
    else if (format !== 'flac') this.#parser = this.#mpegParser(this.#spec!)
  }

  /** Feeds bytes in; yields the frames completed by them. */
  *push(bytes: Uint8Array): Generator<Frame> {
    // FLAC comes in Ogg, or native (a .flac file), read as Ogg FLAC: its first bytes tell which.
    if (this.#parser) return yield* this.#convert(this.#parser.parseChunk(bytes))
    if (!this.#pages) {
      const start = concatBytes([this.#start, bytes])
      if (this.format === 'flac' && start.length < 4) return void (this.#start = start)
      this.#start = new Uint8Array(0)
      this.#pages = ascii(start, 0, 4) === 'fLaC' ? new NativeFlacReader() : new OggPageParser()
      bytes = start
    }
    yield* this.#fromPages(this.#pages.push(bytes))
  }

  /**
   * Yields the whole frames still buffered at the end of the stream, and resets the parser. A last
   * frame cut short (the source stopped mid-frame) is dropped: a listener never gets a partial frame.
   */
  *flush(): Generator<Frame> {
    if (this.#parser) return yield* this.#convert(this.#parser.flush(), true)
    if (!this.#pages) return
    yield* this.#fromPages(this.#pages.flush())
    this.truncated = this.#pages.truncated
  }

  *#fromPages(pages: Iterable<OggPage>): Generator<Frame> {
    for (const page of pages) {
      if (this.format === 'ogg' || page.stream.codec === this.format) yield pageFrame(page)
      else this.otherCodecs++
    }
    // Pages of streams not carried (a native FLAC reader's `unknown` counts bytes, not pages).
    if (this.#pages instanceof OggPageParser) {
      this.otherCodecs += this.#pages.unknown
      this.#pages.unknown = 0
    }
  }

  #mpegParser(spec: FormatSpec): CodecParser<CodecFrame> {
    return new CodecParser<CodecFrame>(spec.parserMime, { enableLogging: false, enableFrameCRC32: false })
  }

  *#convert(frames: Iterator<CodecFrame>, last = false): Generator<Frame> {
    const spec = this.#spec!
    for (let step = frames.next(); !step.done; step = frames.next()) {
      const frame = step.value
      if (last && frame.data.length < spec.frameLength(frame)) {
        this.truncated++
        continue
      }
      const rejection = spec.reject(frame)
      if (rejection === 'other-layer') this.otherLayers++
      if (rejection === 'info-frame') this.infoFrames++
      if (rejection) continue
      const header = frame.header as MPEGHeader | AACHeader
      yield {
        data: frame.data,
        samples: frame.samples,
        sampleRate: header.sampleRate,
        channels: header.channels,
        bitrate: header.bitrate,
        format: spec.name,
      }
    }
  }
}
