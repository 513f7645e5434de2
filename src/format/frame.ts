import type { AudioFormat } from './params.ts'

/** One codec frame: the smallest piece of audio a player can decode on its own. */
export interface Frame {
  readonly data: Uint8Array
  /** Samples per channel in this frame (1152 for MPEG-1 Layer III, 1024 for AAC). */
  readonly samples: number
  readonly sampleRate: number
  readonly channels: number
  /** The frame's bitrate in kbit/s (nominal for VBR). */
  readonly bitrate: number
  readonly format: AudioFormat
}

/**
 * A frame's duration in seconds, from its own sample count.
 *
 * @example
 * frameDuration({ samples: 1152, sampleRate: 44100, … }) // 0.0261
 */
export const frameDuration = (frame: Frame): number => frame.samples / frame.sampleRate
