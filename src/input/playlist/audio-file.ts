import type { FileHandle } from 'node:fs/promises'
import { FrameParser } from '../../format/frame-parser.ts'
import type { SourceFormat, StreamParams } from '../../format/params.ts'
import { ascii } from '../../format/ascii.ts'
import { AUDIO_FORMATS, isOgg } from '../../format/params.ts'
import { sniffOtherFormat } from '../../format/sniff.ts'
import type { Frame } from '../../format/frame.ts'
import { frameDuration } from '../../format/frame.ts'
import { readInfoFrame } from '../../format/mp3.ts'
import { findAudioRange } from '../../format/tags.ts'
import type { Result } from '../../util/result.ts'
import { done, refused } from '../../util/result.ts'
import { fileError, FileRefusedError, openRegularFile } from './regular-file.ts'

/** What probing learned about a playable file. */
export interface AudioFileInfo extends StreamParams {
  readonly path: string
  readonly size: number
  /** Where the audio starts and ends, tags excluded. */
  readonly start: number
  readonly end: number
  /** Average bitrate of the first frames, kbit/s. */
  readonly bitrate: number
}

/** The result of probing a file: its audio, or why it cannot be played. */
export type ProbeResult = Result<AudioFileInfo>

const PROBE_BYTES = 64 * 1024
const PLAYABLE = 'MP3, AAC (ADTS), or Opus, Vorbis or FLAC in Ogg'
const MIN_FRAMES = 3
const READ_SIZE = 64 * 1024

const readAt = (handle: FileHandle) => async (offset: number, length: number): Promise<Uint8Array> => {
  const buffer = new Uint8Array(Math.max(0, length))
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset)
  return buffer.subarray(0, bytesRead)
}

const tryFormat = (format: SourceFormat, sample: Uint8Array, whole: boolean) => {
  const parser = new FrameParser(format)
  const frames = [...parser.push(sample), ...(whole ? parser.flush() : [])]
  const bytes = frames.reduce((sum, f) => sum + f.data.length, 0)
  return { format, frames, bytes, otherLayers: parser.otherLayers }
}

/** Bytes an Ogg file's header pages may take before its audio (cover art in its comment header). */
const OGG_PROBE_LIMIT = 16 * 1024 * 1024

/**
 * The bytes a file is probed on: its first 64 KiB; for an Ogg or FLAC file, as many more as it
 * takes to reach audio past its header pages or metadata blocks (cover art can be megabytes).
 */
const probeSample = async (read: ReturnType<typeof readAt>, start: number, end: number): Promise<Uint8Array> => {
  let sample = await read(start, Math.min(PROBE_BYTES, end - start))
  const container = ascii(sample, 0, 4) === 'OggS' ? 'ogg' : ascii(sample, 0, 4) === 'fLaC' ? 'flac' : undefined
  if (!container) return sample
  const audioPages = () => tryFormat(container, sample, false).frames.filter((frame) => frame.samples > 0).length
  while (start + sample.length < end && sample.length < OGG_PROBE_LIMIT && audioPages() < MIN_FRAMES) {
    const more = await read(start + sample.length, Math.min(sample.length, end - start - sample.length))
    if (more.length === 0) break
    const grown = new Uint8Array(sample.length + more.length)
    grown.set(sample)
    grown.set(more, sample.length)
    sample = grown
  }
  return sample
}

/**
 * Opens a file and decides whether it is playable MP3, AAC (ADTS), or Opus, Vorbis or FLAC in Ogg:
 * missing, empty, tag-only,
 * non-audio and corrupt files, and anything that is not a regular file (a FIFO, a socket, a
 * directory: never opened, see `openRegularFile`), come back with a reason a station operator can act on.
 *
 * @example
 * const probe = await probeAudioFile('/music/track.mp3')
 * if (!probe.ok) log.warn(`skipping ${path}: ${probe.reason}`)
 */
export const probeAudioFile = async (path: string): Promise<ProbeResult> => {
  const opened = await openRegularFile(path)
  if (!opened.ok) return opened
  const { handle, size } = opened.value
  try {
    if (size === 0) return refused('empty file')
    const read = readAt(handle)
    const { start, end } = await findAudioRange(read, size)
    if (end <= start) return refused('holds tags but no audio')
    const sample = await probeSample(read, start, end)
    const whole = start + sample.length >= end
    // The likely formats first (an Ogg or FLAC file's codecs, else MP3 and AAC), one at a time until
    // one reads: each parser runs over the whole sample in one go, and trying all five held the event
    // loop (and every listener's next chunk) 85-240 ms at each track change.
    const container = /^(OggS|fLaC)/.test(ascii(sample, 0, 4))
    const order = [...AUDIO_FORMATS].sort((a, b) => Number(isOgg(b) === container) - Number(isOgg(a) === container))
    const attempts: ReturnType<typeof tryFormat>[] = []
    const found = () => {
      const best = attempts.reduce((a, b) => (b.bytes > a.bytes ? b : a))
      // Frames of audio: an Ogg stream's header pages hold none.
      const audioFrames = best.frames.filter((frame) => frame.samples > 0).length
      return {
        best,
        enough: (audioFrames >= MIN_FRAMES || (whole && audioFrames > 0)) && best.bytes >= sample.length / 4,
      }
    }
    for (const format of order) {
      attempts.push(tryFormat(format, sample, whole))
      if (found().enough) break
    }
    const { best, enough } = found()
    if (!enough) {
      const other = sniffOtherFormat(sample)
      if (other === 'FLAC') return refused('is FLAC, but no whole frame of it could be read: corrupt, or cut short')
      if (other === 'Ogg') return refused('is Ogg, but neither Opus, Vorbis nor FLAC (Speex or video?)')
      if (other) return refused(`is ${other}, not ${PLAYABLE}`)
      if (attempts.some((a) => a.otherLayers >= MIN_FRAMES)) {
        return refused('is MPEG Layer I/II audio, not MP3 (Layer III)')
      }
      return refused(`no ${PLAYABLE} found: not audio, or corrupt`)
    }
    const first = best.frames[0]!
    const audio = best.frames.filter((frame) => frame.samples > 0)
    const seconds = audio.reduce((sum, f) => sum + frameDuration(f), 0)
    const audioBytes = audio.reduce((sum, f) => sum + f.data.length, 0)
    // A VBR file's true average, from its Xing/VBRI header, else that of the frames probed.
    const info = best.format === 'mp3' ? readInfoFrame(sample) : undefined
    const averaged = info?.frames
      ? (((info.bytes ?? end - start) - info.length) * 8) / (info.frames * frameDuration(first))
      : undefined
    return done({
      path,
      size,
      start,
      end,
      format: first.format,
      sampleRate: first.sampleRate,
      channels: first.channels,
      bitrate: Math.round((averaged ?? (seconds > 0 ? (audioBytes * 8) / seconds : 0)) / 1000),
    })
  } catch (error) {
    return refused(fileError(error))
  } finally {
    await handle.close()
  }
}

/**
 * Reads a probed file's audio frames in order, tags excluded, without loading the whole file. The
 * file is opened as `probeAudioFile` opens it: if it is no longer a regular file (swapped for a
 * FIFO since it was probed, say), this throws with why instead of waiting on it.
 *
 * @example
 * for await (const frame of readAudioFrames(info)) pacer.push(frame)
 */
export async function* readAudioFrames(info: AudioFileInfo): AsyncGenerator<Frame> {
  const opened = await openRegularFile(info.path)
  if (!opened.ok) throw new FileRefusedError(opened.reason)
  const { handle } = opened.value
  try {
    const parser = new FrameParser(info.format)
    for (let offset = info.start; offset < info.end;) {
      const buffer = new Uint8Array(Math.min(READ_SIZE, info.end - offset))
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset)
      if (bytesRead === 0) break
      offset += bytesRead
      yield* parser.push(buffer.subarray(0, bytesRead))
    }
    yield* parser.flush()
  } finally {
    await handle.close()
  }
}
