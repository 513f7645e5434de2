import type { ChainLink } from '../format/ogg/ogg-pages.ts'
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
  /** Ogg: the chain link its pages belong to (a chunk never spans two), whose header pages a listener must have first. */
  readonly link?: ChainLink
  /** Ogg: the chunk begins with its link's header pages. */
  readonly opensLink?: boolean
  /** Ogg: its first page continues a packet begun before it, so a listener should not start with it. */
  readonly continued?: boolean
}
