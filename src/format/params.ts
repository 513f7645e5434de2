/** The stream formats a mount can carry: MP3, AAC (ADTS), and Opus, Vorbis and FLAC in Ogg. */
export const AUDIO_FORMATS = ['mp3', 'aac', 'opus', 'vorbis', 'flac'] as const

/** A stream format's name. */
export type AudioFormat = (typeof AUDIO_FORMATS)[number]

/**
 * What a source or upstream says it sends (its `Content-Type`): a format, or `ogg`, whose codec only
 * its first page tells.
 */
export type SourceFormat = AudioFormat | 'ogg'

/** The codecs airwave carries in Ogg (FLAC only as Ogg FLAC). */
export type OggCodec = Extract<AudioFormat, 'opus' | 'vorbis' | 'flac'>

/** The formats carried in Ogg pages. */
export const OGG_FORMATS: readonly OggCodec[] = ['opus', 'vorbis', 'flac']

/**
 * Whether a format goes out as Ogg pages (chained logical streams, titles in comment headers) rather than frames.
 *
 * @example
 * isOgg('opus') // true
 */
export const isOgg = (format: SourceFormat): boolean =>
  format === 'ogg' || (OGG_FORMATS as readonly string[]).includes(format)

const LABELS: Readonly<Record<AudioFormat, string>> = {
  mp3: 'MP3',
  aac: 'AAC',
  opus: 'Opus',
  vorbis: 'Vorbis',
  flac: 'FLAC',
}

/**
 * A format's name as operators and players read it (Icecast's `subtype` for Ogg).
 *
 * @example
 * formatLabel('opus') // 'Opus'
 */
export const formatLabel = (format: SourceFormat): string => format === 'ogg' ? 'Ogg' : LABELS[format]

/** What a stream's frames must agree on for players to play it without a glitch. */
export interface StreamParams {
  format: AudioFormat
  sampleRate: number
  channels: number
}

/** A stream's parameters plus its bitrate (kbit/s): what a probed file or a source's first frame tells. */
export type StreamShape = StreamParams & { bitrate: number }

/**
 * Describes stream parameters the way operators read them.
 *
 * @example
 * describeParams({ format: 'mp3', sampleRate: 44100, channels: 2 }) // 'MP3 44100 Hz stereo'
 */
export const describeParams = (p: StreamParams): string =>
  `${formatLabel(p.format)} ${p.sampleRate} Hz ${
    p.channels === 1 ? 'mono' : p.channels === 2 ? 'stereo' : `${p.channels} ch`
  }`

/**
 * Explains how `actual` differs from `expected`, or returns undefined when they match.
 *
 * @example
 * paramsMismatch(mp3Stereo, { ...mp3Stereo, sampleRate: 48000 }) // '48000 Hz, mount is 44100 Hz'
 */
export const paramsMismatch = (expected: StreamParams, actual: StreamParams): string | undefined => {
  const diffs: string[] = []
  if (actual.format !== expected.format) {
    diffs.push(`format ${formatLabel(actual.format)}, mount is ${formatLabel(expected.format)}`)
  }
  if (actual.sampleRate !== expected.sampleRate) {
    diffs.push(`${actual.sampleRate} Hz, mount is ${expected.sampleRate} Hz`)
  }
  if (actual.channels !== expected.channels) diffs.push(`${actual.channels} channel(s), mount has ${expected.channels}`)
  return diffs.length > 0 ? diffs.join('; ') : undefined
}
