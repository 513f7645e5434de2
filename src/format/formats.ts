import { aac } from './aac.ts'
import type { FormatSpec } from './format-spec.ts'
import { mp3 } from './mp3.ts'
import { flac, OGG_MIME_TYPES, opus, vorbis } from './ogg/ogg-formats.ts'
import type { AudioFormat, SourceFormat } from './params.ts'

/** Every format airwave streams, by name, in the order probing tries them. */
export const FORMATS: Readonly<Record<AudioFormat, FormatSpec>> = { mp3, aac, opus, vorbis, flac }

/** File name extensions picked up when a folder is scanned, every format's. */
export const AUDIO_EXTENSIONS: readonly string[] = [
  ...new Set(Object.values(FORMATS).flatMap((spec) => spec.extensions)),
]

/**
 * Maps a `Content-Type` (as sent by source clients and upstream servers) to a format; `ogg` for
 * any Ogg type, whose codec the stream's first page tells.
 *
 * @example
 * formatFromMime('audio/mpeg; charset=x') // 'mp3'
 * formatFromMime('application/ogg')       // 'ogg'
 * formatFromMime('video/mp4')             // undefined
 */
export const formatFromMime = (mime: string): SourceFormat | undefined => {
  const base = mime.split(';')[0]!.trim().toLowerCase()
  if (OGG_MIME_TYPES.includes(base)) return 'ogg'
  return Object.values(FORMATS).find((spec) => spec.mimeTypes.includes(base))?.name
}

/**
 * The `Content-Type` listeners of a format receive.
 *
 * @example
 * contentTypeOf('aac')  // 'audio/aac'
 * contentTypeOf('opus') // 'audio/ogg'
 */
export const contentTypeOf = (format: AudioFormat): string => FORMATS[format].contentType
