/**
 * Joins byte arrays into one new array (the one array itself when there is only one).
 *
 * @example
 * concatBytes([headers, page]) // headers followed by page
 */
export const concatBytes = (parts: readonly Uint8Array[]): Uint8Array => {
  if (parts.length === 1) return parts[0]!
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
