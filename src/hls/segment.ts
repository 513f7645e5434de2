import type { Chunk } from '../pipeline/chunk.ts'
import type { Track } from '../input/track.ts'
import { id3Tag, textFrame, timestampFrame } from './id3.ts'
import type { TsAudioType } from './mpeg-ts.ts'
import { TsMuxer } from './mpeg-ts.ts'
import { OpusFmp4Writer } from './opus-fmp4.ts'

/**
 * How HLS carries each format: AAC as packed audio (ADTS frames behind an ID3 tag, as Apple's
 * specification defines it); MP3 in MPEG-2 transport stream segments, where every block of frames
 * has its own timestamp (packed MP3 is allowed too, but ffmpeg, reading a packed MP3 stream in 1 KB
 * blocks across segment ends, dated a segment's last frames by the next one's timestamp: frames
 * overlapped or left gaps at every segment boundary); Opus in fragmented MP4, the only container
 * HLS carries it in.
 */
export const SEGMENT_FORMATS = {
  mp3: { extension: 'ts', contentType: 'video/mp2t' },
  aac: { extension: 'aac', contentType: 'audio/aac' },
  opus: { extension: 'm4s', contentType: 'audio/mp4' },
} as const

export type SegmentFormat = keyof typeof SEGMENT_FORMATS

/** A fragmented MP4 stream's init segment, served under its own name. */
export interface InitSegment {
  readonly name: string
  readonly data: Uint8Array<ArrayBuffer>
}

/** What a writer makes of a segment: its bytes, and the init segment they need, if any. */
export interface SegmentBytes {
  readonly data: Uint8Array<ArrayBuffer>
  readonly init?: Uint8Array<ArrayBuffer>
  /** Seconds it plays, when that is not what its chunks count (Opus packets hold pre-skip and padding). */
  readonly duration?: number
}

/** One HLS media segment: whole frames of one track, cut from the broadcast's chunks. */
export interface HlsSegment {
  readonly sequence: number
  /** Its file name in the playlist, never used for another segment (not even after a restart). */
  readonly name: string
  readonly format: SegmentFormat
  readonly data: Uint8Array<ArrayBuffer>
  /** The init segment it needs (`EXT-X-MAP`): fragmented MP4 only. */
  readonly init?: InitSegment
  /** Seconds of audio, from the frames' sample counts. */
  readonly duration: number
  /** HLS time (seconds of audio segmented before it) of its first sample. */
  readonly position: number
  /** Wall-clock time (ms since the epoch) its first sample went on air. */
  readonly programDateTime: number
  /** The stream's parameters changed at this segment (`EXT-X-DISCONTINUITY`). */
  readonly discontinuity: boolean
  readonly track: Track
}

/** The 90 kHz timestamp of stream time `position` (seconds), as HLS timestamps are counted. */
export const pts90k = (position: number): number => Math.round(position * 90_000)

/** The ID3 frames that tell a track's title: `TIT2` (the song, else the whole title), `TPE1`, `TALB`. */
const titleFrames = (track: Track): Uint8Array[] => {
  const frames = [textFrame('TIT2', track.artist && track.song ? track.song : track.title)]
  if (track.artist && track.song) frames.push(textFrame('TPE1', track.artist))
  if (track.album) frames.push(textFrame('TALB', track.album))
  return frames
}

/**
 * A packed audio segment's bytes: an ID3 tag with the timestamp of its first sample (`start`, in
 * seconds) and the title of its track, then the chunks' frames as they were broadcast.
 *
 * @example
 * packedAudio(chunks, 1234.5) // ID3 (PRIV timestamp, TIT2, TPE1) + ADTS frames
 */
export const packedAudio = (chunks: readonly Chunk[], start: number): Uint8Array<ArrayBuffer> => {
  const tag = id3Tag([timestampFrame(pts90k(start)), ...titleFrames(chunks[0]!.track)])
  const out = new Uint8Array(tag.length + chunks.reduce((sum, chunk) => sum + chunk.data.length, 0))
  out.set(tag, 0)
  let at = tag.length
  for (const chunk of chunks) {
    out.set(chunk.data, at)
    at += chunk.data.length
  }
  return out
}

/**
 * Writes one stream's segments in its format; a transport stream's continuity counters and an Opus
 * stream's packet assembly run on from segment to segment, so `write` is called in order.
 * `sampleRate` tells MPEG-1 audio from MPEG-2's half rates. Fragmented MP4 is written
 * asynchronously (a promise; undefined for chunks that held no audio).
 *
 * @example
 * const writer = new SegmentWriter({ format: 'mp3', sampleRate: 44100, channels: 2 })
 * writer.write(chunks, 0) // { data: PAT, PMT, ID3 PES, audio PES… }
 */
export class SegmentWriter {
  readonly format: SegmentFormat
  readonly #ts: TsMuxer | undefined
  readonly #opus: OpusFmp4Writer | undefined

  constructor(params: { format: SegmentFormat; sampleRate: number; channels: number }) {
    this.format = params.format
    const audioType: TsAudioType = params.sampleRate >= 32_000 ? 0x03 : 0x04
    this.#ts = params.format === 'mp3' ? new TsMuxer(audioType) : undefined
    this.#opus = params.format === 'opus' ? new OpusFmp4Writer(params.channels) : undefined
  }

  /** A segment of `chunks`, its first sample at HLS time `start` (seconds), the rest following on. */
  write(chunks: readonly Chunk[], start: number): SegmentBytes | Promise<SegmentBytes | undefined> {
    const id3 = id3Tag(titleFrames(chunks[0]!.track))
    if (this.#opus) {
      const packets = this.#opus.packets(chunks, start)
      return packets.length > 0 ? this.#opus.segment(packets, id3) : Promise.resolve(undefined)
    }
    if (!this.#ts) return { data: packedAudio(chunks, start) }
    let at = start
    const blocks = chunks.map((chunk) => {
      const block = { pts: pts90k(at), data: chunk.data }
      at += chunk.duration
      return block
    })
    return { data: this.#ts.segment(id3, blocks) }
  }
}
