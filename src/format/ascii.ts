/**
 * The bytes at `start` as ASCII (Latin-1) text, for magic numbers and tag ids; empty when they run
 * past the end of `bytes`.
 *
 * @example
 * ascii(head, 0, 4) === 'OggS'
 */
export const ascii = (bytes: Uint8Array, start: number, length: number): string =>
  start < 0 || start + length > bytes.length ? '' : String.fromCharCode(...bytes.subarray(start, start + length))
