import { oneLine } from '../util/text.ts'

/** The longest metadata block: a length byte of 255 means 255 × 16 bytes. */
export const MAX_BLOCK = 255 * 16

const encoder = new TextEncoder()

/** The "no change" block: a single zero length byte. */
export const EMPTY_BLOCK: Uint8Array = new Uint8Array(1)

/**
 * Makes text safe inside `Key='…';`: control characters become spaces, and a quote directly before
 * a semicolon (which parsers take for the end of the value) becomes a typographic apostrophe.
 * Everything else, other quotes, semicolons and any script, is kept as is.
 *
 * @example
 * icyValue("Rock 'n' Roll';\nPart 2") // "Rock 'n' Roll’; Part 2"
 */
export const icyValue = (text: string): string => oneLine(text).replace(/'(?=;)/g, '’')

const utf8Length = (text: string) => encoder.encode(text).length

/** Cuts `text` to at most `bytes` UTF-8 bytes, on a character boundary, marking the cut with "…". */
const trimTo = (text: string, bytes: number): string => {
  if (utf8Length(text) <= bytes) return text
  const chars = Array.from(text)
  let low = 0
  let high = chars.length
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (utf8Length(`${chars.slice(0, mid).join('')}…`) <= bytes) low = mid
    else high = mid - 1
  }
  return `${chars.slice(0, low).join('')}…`
}

/**
 * Builds an ICY metadata block: the length byte L, then `StreamTitle='…';` (and `StreamUrl='…';`)
 * in UTF-8, NUL-padded to L × 16 bytes. Values are made safe with `icyValue` and a title too long
 * for the largest block (4,080 bytes) is cut on a character boundary, so the block is never broken.
 *
 * @example
 * icyBlock('Artist - Title') // [2, ...'StreamTitle=\'Artist - Title\';', 0, 0, …]
 */
export const icyBlock = (title: string, url?: string): Uint8Array => {
  const urlPart = url ? `StreamUrl='${trimTo(icyValue(url), 1024)}';` : ''
  const room = MAX_BLOCK - utf8Length(`StreamTitle='';${urlPart}`)
  const text = `StreamTitle='${trimTo(icyValue(title), room)}';${urlPart}`
  const bytes = encoder.encode(text)
  const length = Math.ceil(bytes.length / 16)
  const block = new Uint8Array(1 + length * 16)
  block[0] = length
  block.set(bytes, 1)
  return block
}
