import CodecParser from 'codec-parser'
import type { AACHeader, CodecFrame, MPEGHeader } from 'codec-parser'
import type { AudioFormat } from './format.ts'
import { MIME_TYPES } from './format.ts'
import type { Frame } from './frame.ts'
import { isInfoFrame } from './mp3.ts'

/**
 * Splits a byte stream of one format into whole codec frames, using codec-parser (which only
 * trusts a frame once the next one follows it). Xing/Info/VBRI header frames are dropped, and for
 * MP3 so are MPEG Layer I/II frames, which are counted in `otherLayers` instead.
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
  #parser: CodecParser<CodecFrame>

  constructor(format: AudioFormat) {
    this.format = format
    this.#parser = new CodecParser<CodecFrame>(MIME_TYPES[format] as 'audio/mpeg', {
      enableLogging: false,
      enableFrameCRC32: false,
    })
  }

  /** Feeds bytes in; yields the frames completed by them. */
  *push(bytes: Uint8Array): Generator<Frame> {
    yield* this.#convert(this.#parser.parseChunk(bytes))
  }

  /** Yields what is still buffered at the end of the stream, and resets the parser. */
  *flush(): Generator<Frame> {
    yield* this.#convert(this.#parser.flush())
  }

  *#convert(frames: Iterator<CodecFrame>): Generator<Frame> {
    for (let step = frames.next(); !step.done; step = frames.next()) {
      const frame = step.value
      const header = frame.header as MPEGHeader | AACHeader
      if (this.format === 'mp3') {
        if ((header as MPEGHeader).layer !== 'Layer III') {
          this.otherLayers++
          continue
        }
        if (isInfoFrame(frame.data)) {
          this.infoFrames++
          continue
        }
      }
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
