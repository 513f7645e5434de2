import type { Track } from '../input/track.ts'

/**
 * Whole frames of one track grouped for sending. A chunk's bytes are never written after it is
 * made, so one chunk is shared by every listener and the burst buffer without a copy.
 */
export interface Chunk {
  readonly data: Uint8Array
  /** Seconds of audio, from the frames' own sample counts. */
  readonly duration: number
  /** Stream time (seconds since the mount started) at which this chunk begins. */
  readonly position: number
  readonly frames: number
  /** Bytes of the chunk's first frame. */
  readonly firstFrameLength: number
  readonly track: Track
  /** True when this chunk holds the first frame of its track. */
  readonly trackStart: boolean
}
