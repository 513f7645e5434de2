/** The audio formats a mount can carry. */
export type AudioFormat = 'mp3' | 'aac'

/** Every supported format, in the order probing tries them. */
export const AUDIO_FORMATS: readonly AudioFormat[] = ['mp3', 'aac']

/** The `Content-Type` a listener receives for each format. */
export const MIME_TYPES: Readonly<Record<AudioFormat, string>> = {
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
}

/** What a stream's frames must agree on for players to play it without a glitch. */
export interface StreamParams {
  format: AudioFormat
  sampleRate: number
  channels: number
}

/**
 * Maps a `Content-Type` (as sent by source clients and upstream servers) to a format.
 *
 * @example
 * formatFromMime('audio/mpeg; charset=x') // 'mp3'
 * formatFromMime('audio/ogg')             // undefined
 */
export const formatFromMime = (mime: string): AudioFormat | undefined => {
  const base = mime.split(';')[0]!.trim().toLowerCase()
  if (base === 'audio/mpeg' || base === 'audio/mp3' || base === 'audio/mpeg3') return 'mp3'
  if (base === 'audio/aac' || base === 'audio/aacp' || base === 'audio/x-aac') return 'aac'
  return undefined
}

/**
 * Describes stream parameters the way operators read them.
 *
 * @example
 * describeParams({ format: 'mp3', sampleRate: 44100, channels: 2 }) // 'MP3 44100 Hz stereo'
 */
export const describeParams = (p: StreamParams): string =>
  `${p.format.toUpperCase()} ${p.sampleRate} Hz ${p.channels === 1 ? 'mono' : p.channels === 2 ? 'stereo' : `${p.channels} ch`}`

/** Explains how `actual` differs from `expected`, or returns undefined when they match. */
export const paramsMismatch = (expected: StreamParams, actual: StreamParams): string | undefined => {
  const diffs: string[] = []
  if (actual.format !== expected.format) diffs.push(`format ${actual.format.toUpperCase()}, mount is ${expected.format.toUpperCase()}`)
  if (actual.sampleRate !== expected.sampleRate) diffs.push(`${actual.sampleRate} Hz, mount is ${expected.sampleRate} Hz`)
  if (actual.channels !== expected.channels) diffs.push(`${actual.channels} channel(s), mount has ${expected.channels}`)
  return diffs.length > 0 ? diffs.join('; ') : undefined
}

/** Recognizes common non-MP3/AAC containers by their magic bytes, to explain why a file is refused. */
export const sniffOtherFormat = (head: Uint8Array): string | undefined => {
  const ascii = (start: number, length: number) => String.fromCharCode(...head.subarray(start, start + length))
  if (head.length < 4) return undefined
  if (ascii(0, 4) === 'fLaC') return 'FLAC'
  if (ascii(0, 4) === 'OggS') return 'Ogg'
  if (ascii(0, 4) === 'RIFF') return 'WAV/RIFF'
  if (ascii(0, 4) === 'FORM') return 'AIFF'
  if (head.length >= 8 && ascii(4, 4) === 'ftyp') return 'MP4/M4A (AAC in MP4 must be remuxed to ADTS)'
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'Matroska/WebM'
  if (ascii(0, 4) === '%PDF') return 'PDF'
  if (head[0] === 0x89 && ascii(1, 3) === 'PNG') return 'PNG image'
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'JPEG image'
  return undefined
}
