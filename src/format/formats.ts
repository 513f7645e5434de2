import { aac } from './aac.ts'
import type { FormatSpec } from './format-spec.ts'
import { mp3 } from './mp3.ts'
import type { AudioFormat } from './params.ts'

/** Every format airwave streams, by name, in the order probing tries them. */
export const FORMATS: Readonly<Record<AudioFormat, FormatSpec>> = { mp3, aac }

/** File name extensions picked up when a folder is scanned, every format's. */
export const AUDIO_EXTENSIONS: readonly string[] = Object.values(FORMATS).flatMap((spec) => spec.extensions)

/**
 * Maps a `Content-Type` (as sent by source clients and upstream servers) to a format.
 *
 * @example
 * formatFromMime('audio/mpeg; charset=x') // 'mp3'
 * formatFromMime('audio/ogg')             // undefined
 */
export const formatFromMime = (mime: string): AudioFormat | undefined => {
  const base = mime.split(';')[0]!.trim().toLowerCase()
  return Object.values(FORMATS).find((spec) => spec.mimeTypes.includes(base))?.name
}

/**
 * The `Content-Type` listeners of a format receive.
 *
 * @example
 * contentTypeOf('aac') // 'audio/aac'
 */
export const contentTypeOf = (format: AudioFormat): string => FORMATS[format].contentType
