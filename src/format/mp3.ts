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
    ),
  )
