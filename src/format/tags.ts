/**
 * Finds the tag blocks around the audio in an MP3/AAC file, so they are never sent as audio:
 * ID3v2 at the start (possibly several), and ID3v1, Enhanced TAG+, Lyrics3v2 and APEv1/v2 at the end.
 */
import { ascii } from './ascii.ts'
import { findFrameSync } from './mp3.ts'

/** How far past an ID3v2 header whose size cannot be right the audio is looked for, in windows of 64 KiB. */
const SYNC_SEARCH = 16 * 1024 * 1024
const SYNC_WINDOW = 64 * 1024
/** Windows overlap by more than three of the longest MP3 frames, so a run of frames is never cut in two. */
const SYNC_OVERLAP = 8 * 1024

/**
 * Size in bytes of the ID3v2 tag at the start of `head`, or 0 if there is none.
 *
 * @example
 * id3v2Size(new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0x01, 0x00])) // 10 + 128
 */
export const id3v2Size = (head: Uint8Array, offset = 0): number => {
  if (ascii(head, offset, 3) !== 'ID3' || head.length < offset + 10) return 0
  const flags = head[offset + 5]!
  const size = ((head[offset + 6]! & 0x7f) << 21) | ((head[offset + 7]! & 0x7f) << 14) |
    ((head[offset + 8]! & 0x7f) << 7) | (head[offset + 9]! & 0x7f)
  return 10 + size + (flags & 0x10 ? 10 : 0)
}

/** Reads `length` bytes at `offset` of a file (or buffer). */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>

/**
 * Where the audio begins after an ID3v2 header whose size runs past the end of the file (a broken
 * or forged tag): at the first run of MP3 frames, else just past the header, where a frame parser
 * finds the frames itself (it would otherwise believe the size, and skip everything).
 */
const audioAfterBogusTag = async (readAt: ReadAt, from: number, size: number): Promise<number> => {
  for (let at = from; at < Math.min(size, from + SYNC_SEARCH); at += SYNC_WINDOW - SYNC_OVERLAP) {
    const window = await readAt(at, SYNC_WINDOW)
    const found = findFrameSync(window)
    if (found !== undefined) return at + found
    if (at + window.length >= size) break
  }
  return from
}

/**
 * Locates the audio inside a file: the byte range left after removing leading ID3v2 tags and
 * trailing ID3v1/TAG+/Lyrics3v2/APE tags. An ID3v2 tag claiming more bytes than the file holds is
 * not believed: the audio is found after its header by its frame sync.
 *
 * @example
 * const { start, end } = await findAudioRange(readAt, fileSize)
 */
export const findAudioRange = async (readAt: ReadAt, size: number): Promise<{ start: number; end: number }> => {
  let start = 0
  for (;;) {
    const head = await readAt(start, 10)
    const tag = id3v2Size(head)
    if (tag === 0) break
    if (start + tag > size) {
      start = await audioAfterBogusTag(readAt, start + 10, size)
      break
    }
    start += tag
  }

  let end = size
  for (;;) {
    if (end - 128 >= start && ascii(await readAt(end - 128, 3), 0, 3) === 'TAG') {
      end -= 128
      if (end - 227 >= start && ascii(await readAt(end - 227, 4), 0, 4) === 'TAG+') end -= 227
      continue
    }
    if (end - 32 >= start) {
      const footer = await readAt(end - 32, 32)
      if (ascii(footer, 0, 8) === 'APETAGEX') {
        const view = new DataView(footer.buffer, footer.byteOffset, footer.byteLength)
        const version = view.getUint32(8, true)
        const tagSize = view.getUint32(12, true)
        const hasHeader = version >= 2000 && (view.getUint32(20, true) & 0x80000000) !== 0
        const total = tagSize + (hasHeader ? 32 : 0)
        if (total >= 32 && end - total >= start) {
          end -= total
          continue
        }
      }
    }
    if (end - 15 >= start) {
      const lyrics = await readAt(end - 15, 15)
      if (ascii(lyrics, 6, 9) === 'LYRICS200') {
        const length = Number.parseInt(ascii(lyrics, 0, 6), 10)
        if (Number.isFinite(length) && end - 15 - length >= start) {
          end -= 15 + length
          continue
        }
      }
    }
    break
  }
  return { start, end: Math.max(start, end) }
}
