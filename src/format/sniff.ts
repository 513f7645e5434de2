import { ascii } from './ascii.ts'

/**
 * Recognizes common containers airwave does not stream by their magic bytes, to tell an operator
 * what a refused file is.
 *
 * @example
 * sniffOtherFormat(bytes) // 'FLAC'
 */
export const sniffOtherFormat = (head: Uint8Array): string | undefined => {
  if (head.length < 4) return undefined
  if (ascii(head, 0, 4) === 'fLaC') return 'FLAC'
  if (ascii(head, 0, 4) === 'OggS') return 'Ogg'
  if (ascii(head, 0, 4) === 'RIFF') return 'WAV/RIFF'
  if (ascii(head, 0, 4) === 'FORM') return 'AIFF'
  if (head.length >= 8 && ascii(head, 4, 4) === 'ftyp') return 'MP4/M4A (AAC in MP4 must be remuxed to ADTS)'
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'Matroska/WebM'
  if (ascii(head, 0, 4) === '%PDF') return 'PDF'
  if (head[0] === 0x89 && ascii(head, 1, 3) === 'PNG') return 'PNG image'
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'JPEG image'
  return undefined
}
