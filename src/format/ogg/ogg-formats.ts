import type { FormatSpec } from '../format-spec.ts'

/** The `Content-Type`s an Ogg stream of any codec arrives as (its first page tells the codec). */
export const OGG_MIME_TYPES: readonly string[] = [
  'audio/ogg',
  'application/ogg',
  'audio/x-ogg',
  'application/x-ogg',
  'audio/opus',
  'audio/vorbis',
  'audio/flac+ogg',
]

const oggSpec = (name: 'opus' | 'vorbis' | 'flac', extensions: string[]): FormatSpec => ({
  name,
  contentType: 'audio/ogg',
  mimeTypes: OGG_MIME_TYPES,
  extensions,
  parserMime: 'audio/ogg',
  reject: () => undefined,
  frameLength: ({ data }) => data.length,
})

/** Opus in Ogg (RFC 7845): pages of 48 kHz granules, `OpusHead` and `OpusTags` first. */
export const opus: FormatSpec = oggSpec('opus', ['.opus'])

/** Vorbis in Ogg: identification, comment and setup headers first. */
export const vorbis: FormatSpec = oggSpec('vorbis', ['.ogg', '.oga'])

/**
 * FLAC in Ogg (the `\x7fFLAC` mapping): the mapping header with STREAMINFO, then the other metadata
 * blocks. Native `.flac` files are read as Ogg FLAC (`native-flac.ts`).
 */
export const flac: FormatSpec = oggSpec('flac', ['.oga', '.ogg', '.flac'])
