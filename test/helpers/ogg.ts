import { existsSync } from 'node:fs'
import { commentValue } from '../../src/format/ogg/comments.ts'
import type { OggStream } from '../../src/format/ogg/ogg-pages.ts'
import { OggPageParser } from '../../src/format/ogg/ogg-pages.ts'
import type { Recording } from './listen-client.ts'
import { runFfmpeg } from './listen-client.ts'

/**
 * Debian's ffmpeg (5.1), the Ogg tests' decoder: the npm build (4.x, 2018) reports "Error parsing the
 * packet header" at every Opus chain boundary, even for two of its own files simply joined.
 */
export const systemFfmpeg = (): string => {
  const path = process.env.AIRWAVE_SYSTEM_FFMPEG ?? '/usr/bin/ffmpeg'
  if (!existsSync(path)) {
    throw new Error(`no ffmpeg at ${path}: install Debian's (apt-get install -y ffmpeg) or set AIRWAVE_SYSTEM_FFMPEG`)
  }
  return path
}

/** Decodes `seconds` of an Ogg stream URL with Debian's ffmpeg, as a player would: every error it reports, and the seconds of PCM out. */
export const decodeOgg = async (url: string, seconds: number, timeoutMs = seconds * 1000 + 30_000) => {
  const { code, stderr, stdoutBytes } = await runFfmpeg(
    ['-v', 'error', '-i', url, '-t', String(seconds), '-f', 's16le', '-ac', '2', '-ar', '48000', '-'],
    timeoutMs,
    systemFfmpeg(),
  )
  return { code, stderr, seconds: stdoutBytes / (48_000 * 4) }
}

/** One page of a received Ogg stream: when its first byte arrived, where it is in the audio, which link it belongs to. */
export interface ReceivedPage {
  /** Milliseconds from the request to the read that brought the page's first byte. */
  readonly at: number
  /** Seconds of audio before it in the stream received. */
  readonly position: number
  readonly seconds: number
  readonly header: boolean
  readonly serial: number
  /** TITLE of its logical stream's comment header. */
  readonly title: string | undefined
}

/** Parses a recording's pages with their arrival times and audio positions (from granule positions). */
export const oggTimeline = (recording: Pick<Recording, 'reads' | 'data'>): ReceivedPage[] => {
  const parser = new OggPageParser()
  const pages: (Omit<ReceivedPage, 'title'> & { stream: OggStream })[] = []
  let offset = 0
  let read = 0
  let readEnd = recording.reads[0]?.bytes ?? 0
  let position = 0
  for (const page of parser.push(recording.data)) {
    while (offset >= readEnd && read < recording.reads.length - 1) readEnd += recording.reads[++read]!.bytes
    const seconds = page.samples / page.stream.sampleRate
    const { header, stream } = page
    pages.push({ at: recording.reads[read]?.at ?? 0, position, seconds, header, serial: stream.serial, stream })
    position += seconds
    offset += page.data.length
  }
  // A stream's comments are known once its second page is read.
  return pages.map(({ stream, ...page }) => ({ ...page, title: commentValue(stream.comments, 'TITLE') }))
}

/**
 * The rate of a stream's audio against the wall clock from `afterMs` on (past the burst): the slope
 * of the audio position over the arrival time of every page that arrived then (least squares, so
 * one page late or early does not sway it). 1.0 is real time.
 */
export const pacedRate = (pages: readonly ReceivedPage[], afterMs: number): number => {
  const live = pages.filter((page) => page.at > afterMs && !page.header)
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
  const xs = live.map((page) => page.at / 1000)
  const ys = live.map((page) => page.position)
  const [mx, my] = [mean(xs), mean(ys)]
  const covariance = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i]! - my), 0)
  const variance = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0)
  return covariance / variance
}
