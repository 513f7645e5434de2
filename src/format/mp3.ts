import type { MPEGHeader } from 'codec-parser'
import type { FormatSpec } from './format-spec.ts'

const MARKERS = [
  { text: 'Xing', offsets: [13, 15, 21, 23, 36, 38] },
  { text: 'Info', offsets: [13, 15, 21, 23, 36, 38] },
  { text: 'VBRI', offsets: [36] },
]

/**
 * Tells whether an MP3 frame is a Xing/Info/LAME or VBRI header frame: a silent frame that encoders
 * put first in a file to describe it. Sent to a live listener it would be decoded as a glitch or
 * mislead the player about the stream's length, so it is never broadcast.
 *
 * @example
 * if (isInfoFrame(frame.data)) continue
 */
export const isInfoFrame = (frame: Uint8Array): boolean =>
  MARKERS.some(({ text, offsets }) =>
    offsets.some(
      (at) =>
        frame.length >= at + 4 &&
        frame[at] === text.charCodeAt(0) &&
        frame[at + 1] === text.charCodeAt(1) &&
        frame[at + 2] === text.charCodeAt(2) &&
        frame[at + 3] === text.charCodeAt(3),
    )
  )

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
}
