import type { Chunk } from '../pipeline/chunk.ts'
import type { Track } from '../input/track.ts'
import { id3Tag, textFrame, timestampFrame } from './id3.ts'
import type { TsAudioType } from './mpeg-ts.ts'
import { TsMuxer } from './mpeg-ts.ts'

/**
 * How HLS carries each format: AAC as packed audio (ADTS frames behind an ID3 tag, as Apple's
 * specification defines it); MP3 in MPEG-2 transport stream segments, where every block of frames
 * has its own timestamp. (Packed MP3 is allowed too, but ffmpeg, reading a packed MP3 stream in
 * 1 KB blocks across segment ends, dated a segment's last frames by the next one's timestamp: frames
 * overlapped or left gaps at every segment boundary.)
 */
export const SEGMENT_FORMATS = {
  mp3: { extension: 'ts', contentType: 'video/mp2t' },
  aac: { extension: 'aac', contentType: 'audio/aac' },
} as const

export type SegmentFormat = keyof typeof SEGMENT_FORMATS

/** One HLS media segment: whole frames of one track, cut from the broadcast's chunks. */
export interface HlsSegment {
  readonly sequence: number
  /** Its file name in the playlist, never used for another segment (not even after a restart). */
  readonly name: string
  readonly format: SegmentFormat
  readonly data: Uint8Array<ArrayBuffer>
  /** Seconds of audio, from the frames' sample counts. */
  readonly duration: number
  /** Stream time (seconds since the mount started) of its first sample. */
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
 * A packed audio segment's bytes: an ID3 tag with the timestamp of its first sample and the title
 * of its track, then the chunks' frames as they were broadcast.
 *
 * @example
 * packedAudio(chunks) // ID3 (PRIV timestamp, TIT2, TPE1) + ADTS frames
 */
export const packedAudio = (chunks: readonly Chunk[]): Uint8Array<ArrayBuffer> => {
  const first = chunks[0]!
  const tag = id3Tag([timestampFrame(pts90k(first.position)), ...titleFrames(first.track)])
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
 * Writes one stream's segments in its format; a transport stream's continuity counters run on from
 * segment to segment. `sampleRate` tells MPEG-1 audio from MPEG-2's half rates.
 *
 * @example
 * const writer = new SegmentWriter('mp3', 44100)
 * writer.write(chunks) // PAT, PMT, ID3 PES, audio PES…
 */
export class SegmentWriter {
  readonly format: SegmentFormat
  readonly #ts: TsMuxer | undefined

  constructor(format: SegmentFormat, sampleRate: number) {
    this.format = format
    const audioType: TsAudioType = sampleRate >= 32_000 ? 0x03 : 0x04
    this.#ts = format === 'mp3' ? new TsMuxer(audioType) : undefined
  }

  write(chunks: readonly Chunk[]): Uint8Array<ArrayBuffer> {
    if (!this.#ts) return packedAudio(chunks)
    const id3 = id3Tag(titleFrames(chunks[0]!.track))
    return this.#ts.segment(id3, chunks.map((chunk) => ({ pts: pts90k(chunk.position), data: chunk.data })))
  }
}
