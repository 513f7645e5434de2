import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import process from 'node:process'
import { ffmpegPath } from '../../scripts/ffmpeg-path.ts'
import { DEMO_PLAYLIST } from '../../src/config/demo.ts'

/** The Opus encoder's bitrate, kbit/s: hard CBR, so bytes received tell audio received. */
export const OPUS_ENCODER_KBPS = 96
/**
 * ffmpeg's preferred Ogg page duration (µs): 250 ms gives pages of 13 Opus packets (260 ms), one
 * page per airwave chunk (250 ms), as MP3 gives one chunk per 250 ms.
 */
export const OPUS_PAGE_DURATION_US = 250_000
/** airwave's default burst (`burst` in src/config/schema.ts), seconds: Icecast's burst-size is set to match. */
export const AIRWAVE_BURST_SECONDS = 3
/** How long the concat list fed to Icecast's ffmpeg lasts before it ends (the bench never runs that long). */
const CONCAT_HOURS = 24

/** The demo playlist as Ogg Opus, with what the bench needs to know about it. */
export interface OpusPlaylist {
  /** The cache folder (outside the repository). */
  readonly folder: string
  /** The Ogg Opus files, in the demo playlist's order. */
  readonly files: readonly string[]
  /** An ffmpeg concat list playing `files` over and over for `CONCAT_HOURS` (Icecast's source). */
  readonly concatList: string
  /** The encoder's bitrate, kbit/s. */
  readonly encoderKbps: number
  /**
   * The stream's rate over its audio pages, Ogg framing included, kbit/s (bytes × 8 over the audio
   * seconds their granule positions give): what a listener receives per second of audio.
   */
  readonly streamKbps: number
  /** The page duration asked of ffmpeg (µs), for Icecast's source too. */
  readonly pageDurationUs: number
  /** Seconds of audio per page (from granule positions). */
  readonly pageSeconds: number
  /** Seconds of audio in all files. */
  readonly seconds: number
}

interface Manifest {
  readonly version: 2
  readonly args: readonly string[]
  readonly sources: readonly { name: string; size: number; mtimeMs: number }[]
  readonly playlist: OpusPlaylist
}

/** What `ffmpeg` gets between input and output (besides `-y -i <mp3>` and the output). */
const ENCODE_ARGS: readonly string[] = [
  '-map',
  '0:a',
  '-map_metadata',
  '0',
  '-c:a',
  'libopus',
  '-b:a',
  `${OPUS_ENCODER_KBPS}k`,
  '-vbr',
  'off',
  '-ar',
  '48000',
  '-ac',
  '2',
  '-page_duration',
  String(OPUS_PAGE_DURATION_US),
  '-f',
  'ogg',
]

/** Byte count, audio seconds and page count of an Ogg Opus file's audio pages (header pages excluded). */
export const opusFileFigures = (file: string): { audioBytes: number; seconds: number; audioPages: number } => {
  const bytes = readFileSync(file)
  let offset = 0
  let preSkip = 0
  let lastGranule = 0
  let audioBytes = 0
  let audioPages = 0
  while (offset < bytes.length) {
    if (bytes.toString('latin1', offset, offset + 4) !== 'OggS') throw new Error(`${file}: no Ogg page at ${offset}`)
    const granule = Number(bytes.readBigInt64LE(offset + 6))
    const segments = bytes[offset + 26]!
    let body = 0
    for (let i = 0; i < segments; i++) body += bytes[offset + 27 + i]!
    const length = 27 + segments + body
    const bodyStart = offset + 27 + segments
    if (bytes.toString('latin1', bodyStart, bodyStart + 8) === 'OpusHead') preSkip = bytes.readUInt16LE(bodyStart + 10)
    if (granule > 0) {
      audioBytes += length
      audioPages++
      lastGranule = granule
    }
    offset += length
  }
  return { audioBytes, seconds: (lastGranule - preSkip) / 48_000, audioPages }
}

/**
 * The demo playlist (`assets/demo/*.mp3`) transcoded once to Ogg Opus (libopus, 96 kbit/s CBR,
 * 48 kHz stereo, title and artist kept) into a cache folder under the system's temporary folder,
 * never in the repository; made again when the demo files or the encoding change.
 *
 * @example
 * const opus = opusPlaylist() // { files: ['/tmp/airwave-bench-opus-96k/01 - Sunrise Arpeggio.opus', ...], streamKbps: 97.33, ... }
 */
export const opusPlaylist = (
  folder: string = join(tmpdir(), `airwave-bench-opus-${OPUS_ENCODER_KBPS}k`),
): OpusPlaylist => {
  const names = readdirSync(DEMO_PLAYLIST).filter((name) => name.endsWith('.mp3')).sort()
  if (names.length === 0) throw new Error(`no MP3 files in ${DEMO_PLAYLIST}`)
  const sources = names.map((name) => {
    const stat = statSync(join(DEMO_PLAYLIST, name))
    return { name, size: stat.size, mtimeMs: stat.mtimeMs }
  })
  const manifestPath = join(folder, 'manifest.json')
  const wanted = JSON.stringify({ args: ENCODE_ARGS, sources })
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest
    const fresh = manifest.version === 2 &&
      JSON.stringify({ args: manifest.args, sources: manifest.sources }) === wanted &&
      manifest.playlist.files.every((file) => existsSync(file)) && existsSync(manifest.playlist.concatList)
    if (fresh) return manifest.playlist
  }
  rmSync(folder, { recursive: true, force: true })
  mkdirSync(folder, { recursive: true })
  const ffmpeg = ffmpegPath()
  process.stderr.write(
    `transcoding the demo playlist to Ogg Opus (${OPUS_ENCODER_KBPS} kbit/s CBR) into ${folder} ...\n`,
  )
  const files = names.map((name) => {
    const file = join(folder, name.replace(/\.mp3$/, '.opus'))
    const partial = `${file}.part`
    execFileSync(
      ffmpeg,
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-y',
        '-i',
        join(DEMO_PLAYLIST, name),
        ...ENCODE_ARGS,
        partial,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    )
    renameSync(partial, file)
    return file
  })
  const figures = files.map(opusFileFigures)
  const audioBytes = figures.reduce((sum, f) => sum + f.audioBytes, 0)
  const seconds = figures.reduce((sum, f) => sum + f.seconds, 0)
  const audioPages = figures.reduce((sum, f) => sum + f.audioPages, 0)
  const concatList = join(folder, 'icecast-source.ffconcat')
  const loops = Math.ceil((CONCAT_HOURS * 3600) / seconds)
  const entries = files.map((file) => `file '${file.replace(/'/g, "'\\''")}'\n`).join('')
  writeFileSync(concatList, `ffconcat version 1.0\n${entries.repeat(loops)}`)
  const playlist: OpusPlaylist = {
    folder,
    files,
    concatList,
    encoderKbps: OPUS_ENCODER_KBPS,
    streamKbps: Number(((audioBytes * 8) / seconds / 1000).toFixed(2)),
    pageDurationUs: OPUS_PAGE_DURATION_US,
    pageSeconds: Number((seconds / audioPages).toFixed(3)),
    seconds: Number(seconds.toFixed(3)),
  }
  const manifest: Manifest = { version: 2, args: ENCODE_ARGS, sources, playlist }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
  return playlist
}

/** Bytes of `seconds` of a stream at `kbps` kbit/s (1 kbit = 1,000 bits), e.g. an Icecast burst-size. */
export const burstBytes = (seconds: number, kbps: number): number => Math.round((seconds * kbps * 1000) / 8)
