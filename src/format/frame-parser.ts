import CodecParser from 'codec-parser'
import type { AACHeader, CodecFrame, MPEGHeader } from 'codec-parser'
import type { FormatSpec } from './format-spec.ts'
import { FORMATS } from './formats.ts'
import type { Frame } from './frame.ts'
import type { AudioFormat } from './params.ts'

/**
 * Splits a byte stream of one format into whole codec frames, using codec-parser (which only
 * trusts a frame once the next one follows it). Frames the format says are never broadcast are
 * dropped and counted: MPEG Layer I/II frames in `otherLayers`, Xing/Info/VBRI headers in `infoFrames`.
 *
 * @example
 * const parser = new FrameParser('mp3')
 * for (const frame of parser.push(bytes)) send(frame)
 * for (const frame of parser.flush()) send(frame)
 */
export class FrameParser {
  readonly format: AudioFormat
  /** MPEG frames of another layer than III seen by an MP3 parser (an MP2 file, say). */
  otherLayers = 0
  /** Info frames skipped. */
  infoFrames = 0
  /** Frames cut short at the end of the stream, dropped. */
  truncated = 0
  readonly #spec: FormatSpec
  #parser: CodecParser<CodecFrame>

  constructor(format: AudioFormat) {
    this.format = format
    this.#spec = FORMATS[format]
    this.#parser = new CodecParser<CodecFrame>(this.#spec.parserMime, { enableLogging: false, enableFrameCRC32: false })
  }

  /** Feeds bytes in; yields the frames completed by them. */
  *push(bytes: Uint8Array): Generator<Frame> {
    yield* this.#convert(this.#parser.parseChunk(bytes))
  }

  /**
   * Yields the whole frames still buffered at the end of the stream, and resets the parser. A last
   * frame cut short (the source stopped mid-frame) is dropped: a listener never gets a partial frame.
   */
  *flush(): Generator<Frame> {
    yield* this.#convert(this.#parser.flush(), true)
  }

  *#convert(frames: Iterator<CodecFrame>, last = false): Generator<Frame> {
    for (let step = frames.next(); !step.done; step = frames.next()) {
      const frame = step.value
      if (last && frame.data.length < this.#spec.frameLength(frame)) {
        this.truncated++
        continue
      }
      const rejection = this.#spec.reject(frame)
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
        format: this.format,
      }
    }
  }
}
