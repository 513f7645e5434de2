import { ascii } from '../ascii.ts'

/** The titles a logical Ogg stream's comment header carries (Vorbis comments: `ARTIST`, `TITLE`, …). */
export interface OggComments {
  readonly vendor: string
  /** Every `KEY=value` field, keys upper-cased, in order; a key may repeat. */
  readonly fields: readonly (readonly [key: string, value: string])[]
}

/** What Opus's and Vorbis's comment packets start with; the comment structure follows. */
const MAGIC = ['OpusTags', '\x03vorbis']

/**
 * Reads the comment packet at the start of `packet`: Opus's `OpusTags`, Vorbis's comment header, or
 * FLAC's `VORBIS_COMMENT` metadata block (as Ogg FLAC carries it). Undefined when `packet` is none
 * of them or is cut short; what follows the comments (Vorbis's setup header on the same page) is
 * ignored.
 *
 * @example
 * const comments = readOggComments(page.payload)
 * commentValue(comments, 'TITLE') // 'Some Title'
 */
export const readOggComments = (packet: Uint8Array): OggComments | undefined => {
  let at: number | undefined = MAGIC.find((magic) => ascii(packet, 0, magic.length) === magic)?.length
  // A FLAC metadata block of type 4 (VORBIS_COMMENT), the last-block flag either way.
  if (at === undefined && (packet[0]! & 0x7f) === 4 && packet.length >= 4) at = 4
  if (at === undefined) return undefined
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength)
  const decoder = new TextDecoder('utf-8')
  const string = (): string | undefined => {
    if (at! + 4 > packet.length) return undefined
    const length = view.getUint32(at!, true)
    if (at! + 4 + length > packet.length) return undefined
    const text = decoder.decode(packet.subarray(at! + 4, at! + 4 + length))
    at! += 4 + length
    return text
  }
  const vendor = string()
  if (vendor === undefined || at + 4 > packet.length) return undefined
  const count = view.getUint32(at, true)
  at += 4
  const fields: [string, string][] = []
  for (let i = 0; i < count; i++) {
    const field = string()
    if (field === undefined) return undefined
    const equals = field.indexOf('=')
    if (equals > 0) fields.push([field.slice(0, equals).toUpperCase(), field.slice(equals + 1)])
  }
  return { vendor, fields }
}

/**
 * The first value of a comment field, by key (any case).
 *
 * @example
 * commentValue(comments, 'artist') // 'Some Artist'
 */
export const commentValue = (comments: OggComments | undefined, key: string): string | undefined =>
  comments?.fields.find(([k]) => k === key.toUpperCase())?.[1]
