// deno-lint-ignore no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]+/g

/**
 * Text fit for one line of a title, a header or a log: runs of control characters (line breaks,
 * tabs, NULs) become one space, and the ends are trimmed.
 *
 * @example
 * oneLine('Artist\n - Title\t') // 'Artist - Title'
 */
export const oneLine = (text: string): string => text.replace(CONTROL, ' ').trim()

/**
 * Decodes bytes as UTF-8, or as Latin-1 when they are not valid UTF-8 (old encoders, playlists
 * and ICY titles often are). A UTF-8 byte-order mark is dropped.
 *
 * @example
 * decodeText(new Uint8Array([0x63, 0x61, 0x66, 0xe9])) // 'café' (Latin-1)
 */
export const decodeText = (bytes: Uint8Array): string => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return new TextDecoder('latin1').decode(bytes)
  }
}

/**
 * Reads a string of raw bytes (one character per byte, as HTTP header values arrive) as UTF-8
 * when it is valid UTF-8, else as the Latin-1 it already is.
 *
 * @example
 * bytesToText('caf\u00c3\u00a9') // 'café'
 */
export const bytesToText = (value: string): string => {
  const codes = Array.from(value, (c) => c.codePointAt(0)!)
  if (codes.every((code) => code < 0x80) || codes.some((code) => code > 0xff)) return value
  return decodeText(Uint8Array.from(codes))
}

/**
 * Cuts `text` to at most `length` code points, never inside a character (an emoji stays whole).
 *
 * @example
 * truncate('🎵🎶', 1) // '🎵'
 */
export const truncate = (text: string, length: number): string => {
  if (text.length <= length) return text
  return Array.from(text).slice(0, length).join('')
}
