import type { MPEGHeader } from 'codec-parser'
import type { FormatSpec } from './format-spec.ts'

/** Where encoders put the Xing/Info tag (after the side information, which depends on version and channels) and VBRI. */
const XING_OFFSETS = [13, 15, 21, 23, 36, 38]
const VBRI_OFFSET = 36

const tagAt = (frame: Uint8Array, at: number, text: string): boolean =>
  frame.length >= at + 4 && [...text].every((c, i) => frame[at + i] === c.charCodeAt(0))

const uint32 = (frame: Uint8Array, at: number): number | undefined =>
  frame.length >= at + 4 ? new DataView(frame.buffer, frame.byteOffset + at, 4).getUint32(0) : undefined

/** Layer III bitrates (kbit/s) by index: MPEG-1, and MPEG-2 and 2.5. */
const BITRATES = {
  mpeg1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  mpeg2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
}
/** Sample rates by version bits (0: MPEG-2.5, 2: MPEG-2, 3: MPEG-1) and index. */
const SAMPLE_RATES: Record<number, number[]> = {
  0: [11025, 12000, 8000],
  2: [22050, 24000, 16000],
  3: [44100, 48000, 32000],
}

/**
 * The length in bytes of the Layer III frame whose 4-byte header starts `data`, from the header
 * alone: 144 (MPEG-1) or 72 (MPEG-2 and 2.5) bytes per kbit/s per Hz, plus the padding byte.
 *
 * @example
 * frameLengthOf(new Uint8Array([0xff, 0xfb, 0x90, 0x64])) // 417 (128 kbit/s, 44.1 kHz, no padding)
 */
const frameLengthOf = (data: Uint8Array): number => {
  const version = (data[1]! >> 3) & 0b11
  const bitrate = (version === 0b11 ? BITRATES.mpeg1 : BITRATES.mpeg2)[data[2]! >> 4] ?? 0
  const sampleRate = SAMPLE_RATES[version]?.[(data[2]! >> 2) & 0b11]
  if (!sampleRate || !bitrate) return 0
  return Math.floor(((version === 0b11 ? 144 : 72) * bitrate * 1000) / sampleRate) + ((data[2]! >> 1) & 1)
}

/** How many Layer III frames must follow each other before a frame sync is trusted. */
const SYNC_RUN = 3

/** The length of the Layer III frame whose header is at `at`, and what must stay the same from frame to frame. */
const headerAt = (bytes: Uint8Array, at: number): { length: number; stream: number } | undefined => {
  if (at + 4 > bytes.length || bytes[at] !== 0xff || (bytes[at + 1]! & 0xe0) !== 0xe0) return undefined
  const version = (bytes[at + 1]! >> 3) & 0b11
  const layer = (bytes[at + 1]! >> 1) & 0b11
  if (version === 0b01 || layer !== 0b01) return undefined
  const length = frameLengthOf(bytes.subarray(at, at + 4))
  return length > 0 ? { length, stream: (version << 2) | ((bytes[at + 2]! >> 2) & 0b11) } : undefined
}

/**
 * Finds where MP3 audio begins in `bytes`: the first offset at which three Layer III frames of one
 * MPEG version and sample rate follow each other, each header where the one before says it ends.
 * Stray `0xFF` bytes in tags or junk seldom pass for even one header, never for three in a row.
 *
 * @example
 * findFrameSync(concat(junk, frames)) // junk.length
 * findFrameSync(noise)                // undefined
 */
export const findFrameSync = (bytes: Uint8Array): number | undefined => {
  for (let at = bytes.indexOf(0xff); at !== -1; at = bytes.indexOf(0xff, at + 1)) {
    const first = headerAt(bytes, at)
    if (!first) continue
    let run = 1
    for (let next = at + first.length; run < SYNC_RUN; run++) {
      const header = headerAt(bytes, next)
      if (!header || header.stream !== first.stream) break
      next += header.length
    }
    if (run === SYNC_RUN) return at
  }
  return undefined
}

/** What a Xing/Info/LAME or VBRI header frame says of its file: how many audio frames and bytes, when it says. */
export interface InfoFrame {
  frames?: number
  bytes?: number
  /** The header frame's own length: counted in `bytes`, but not audio. */
  length: number
}

/**
 * Reads a Xing/Info/LAME or VBRI header frame: a silent frame that encoders put first in a file to
 * describe it (its frame and byte counts give a VBR file's true average bitrate). Undefined when
 * the frame is audio. Sent to a live listener it would be decoded as a glitch or mislead the player
 * about the stream's length, so it is never broadcast.
 *
 * @example
 * readInfoFrame(firstFrame) // { frames: 3828, bytes: 1_720_000 }
 */
export const readInfoFrame = (frame: Uint8Array): InfoFrame | undefined => {
  const xing = XING_OFFSETS.find((at) => tagAt(frame, at, 'Xing') || tagAt(frame, at, 'Info'))
  if (xing !== undefined) {
    const flags = uint32(frame, xing + 4) ?? 0
    const info: InfoFrame = { length: frameLengthOf(frame) }
    let at = xing + 8
    if (flags & 1) {
      info.frames = uint32(frame, at)
      at += 4
    }
    if (flags & 2) info.bytes = uint32(frame, at)
    return info
  }
  if (!tagAt(frame, VBRI_OFFSET, 'VBRI')) return undefined
  return {
    bytes: uint32(frame, VBRI_OFFSET + 10),
    frames: uint32(frame, VBRI_OFFSET + 14),
    length: frameLengthOf(frame),
  }
}

/**
 * Tells whether an MP3 frame is a Xing/Info/LAME or VBRI header frame (see `readInfoFrame`).
 *
 * @example
 * if (isInfoFrame(frame.data)) continue
 */
const isInfoFrame = (frame: Uint8Array): boolean => readInfoFrame(frame) !== undefined

/**
 * MP3 (MPEG-1/2/2.5 Layer III). MPEG Layer I/II frames (an MP2 file) are not MP3, and the
 * Xing/Info/LAME/VBRI frame that encoders put first in a file is a header, not audio: neither is
 * ever broadcast.
 */
export const mp3: FormatSpec = {
  name: 'mp3',
  contentType: 'audio/mpeg',
  mimeTypes: ['audio/mpeg', 'audio/mp3', 'audio/mpeg3'],
  extensions: ['.mp3'],
  parserMime: 'audio/mpeg',
  reject: (frame) => {
    if ((frame.header as MPEGHeader).layer !== 'Layer III') return 'other-layer'
    if (isInfoFrame(frame.data)) return 'info-frame'
    return undefined
  },
  frameLength: ({ data }) => frameLengthOf(data),
}
