import type { Frame } from '../../src/format/frame.ts'
import type { ListenerOptions } from '../../src/broadcast/listener.ts'
import type { SourceFrame, Track } from '../../src/input/track.ts'

/** A synthetic MP3-like frame: 1152 samples at 44.1 kHz, `size` bytes filled with `fill`. */
export const syntheticFrame = (size: number, fill = 0, samples = 1152, sampleRate = 44100): Frame => ({
  data: new Uint8Array(size).fill(fill),
  samples,
  sampleRate,
  channels: 2,
  bitrate: 128,
  format: 'mp3',
})

/**
 * An endless (or `count`-long) source of synthetic frames with sizes varying like VBR, over tracks
 * of `framesPerTrack` frames. Byte values encode the frame index, so streams can be compared.
 */
export async function* syntheticSource(
  options: { count?: number; framesPerTrack?: number; sizes?: (i: number) => number } = {},
): AsyncGenerator<SourceFrame> {
  const { count = Number.POSITIVE_INFINITY, framesPerTrack = 1000 } = options
  const sizes = options.sizes ?? ((i: number) => 200 + ((i * 7919) % 800))
  let track: Track | undefined
  for (let i = 0; i < count; i++) {
    if (i % framesPerTrack === 0) {
      track = { id: 10_000 + i / framesPerTrack, origin: 'playlist', title: `Track ${i / framesPerTrack}` }
    }
    yield { frame: syntheticFrame(sizes(i), i & 0xff), track: track! }
  }
}

/** Options for a Listener in unit tests: a roomy queue, no slow limit to speak of. */
export const listenerOptions = (overrides: Partial<ListenerOptions> = {}): ListenerOptions => ({
  id: 1,
  info: { address: '', userAgent: '', referer: '', request: '' },
  highWaterMark: 10_000_000,
  slowLimit: 10,
  connectedAt: 0,
  ...overrides,
})
