import type { PageInfo } from './ogg/ogg-pages.ts'
import type { AudioFormat } from './params.ts'

/**
 * One codec frame: the smallest piece of audio a player can decode on its own. For an Ogg format,
 * one whole Ogg page (never split: it carries its own checksum), and `page` tells what it holds.
 */
export interface Frame {
  readonly data: Uint8Array
  /** Samples per channel in this frame (1152 for MPEG-1 Layer III, 1024 for AAC; an Ogg page's from its granule position, 0 for headers). */
  readonly samples: number
  readonly sampleRate: number
  readonly channels: number
  /** The frame's bitrate in kbit/s (nominal for VBR; an Ogg page's own average, 0 for headers). */
  readonly bitrate: number
  readonly format: AudioFormat
  /** For an Ogg page: its logical stream, whether it carries headers, where a decoder may start. */
  readonly page?: PageInfo
}

/**
 * A frame's duration in seconds, from its own sample count.
 *
 * @example
 * frameDuration({ samples: 1152, sampleRate: 44100, … }) // 0.0261
 */
export const frameDuration = (frame: Frame): number => frame.samples / frame.sampleRate
