import type { CodecFrame } from 'codec-parser'
import type { AudioFormat } from './params.ts'

/** Why a frame the parser found is not broadcast. */
export type FrameRejection = 'other-layer' | 'info-frame'

/**
 * What airwave knows of one stream format: how sources name it, how files of it are found, how it
 * is split into frames and what listeners are told it is. One module per format (`mp3.ts`, `aac.ts`,
 * and the Ogg codecs in `ogg/ogg-formats.ts`), as Icecast keeps one `format_*.c` per format. An Ogg
 * format's "frames" are whole Ogg pages.
 */
export interface FormatSpec {
  readonly name: AudioFormat
  /** The `Content-Type` listeners receive. */
  readonly contentType: string
  /** The `Content-Type`s source clients and upstream servers send it as (lower case, no parameters). */
  readonly mimeTypes: readonly string[]
  /** File name extensions picked up when a folder is scanned (lower case, with the dot). */
  readonly extensions: readonly string[]
  /** The codec-parser MIME type that splits it into frames. */
  readonly parserMime: 'audio/mpeg' | 'audio/aac' | 'audio/ogg'
  /** Why a frame found by the parser must never be broadcast, if it must not. */
  reject(frame: CodecFrame): FrameRejection | undefined
  /** How many bytes the frame's header says it has: a frame cut short (a source that stopped mid-frame) has fewer. */
  frameLength(frame: CodecFrame): number
}
