import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ffmpegPath } from '../../scripts/ffmpeg-path.ts'
import { apev2, concat, id3v1 } from './tags.ts'

/** Where generated fixtures are cached (git-ignored). */
export const FIXTURE_DIR = fileURLToPath(new URL('../.fixtures/', import.meta.url))

export const FFMPEG = ffmpegPath()

export interface ToneOptions {
  seconds?: number
  frequency?: number
  sampleRate?: number
  channels?: number
  /** ffmpeg output arguments for the codec, e.g. ['-c:a', 'libmp3lame', '-b:a', '128k']. */
  codec?: string[]
  /** Extra output arguments (metadata, tag writers). */
  extra?: string[]
  /** Output file extension, which picks the muxer. */
  ext?: string
}

/** ffmpeg's input arguments for a synthesized sine tone, resampled to `channels`. */
export const sineInput = (
  tone: { frequency: number; sampleRate: number; seconds: number; channels: number },
): string[] => [
  ...['-f', 'lavfi', '-i', `sine=frequency=${tone.frequency}:sample_rate=${tone.sampleRate}:duration=${tone.seconds}`],
  ...['-ac', String(tone.channels), '-ar', String(tone.sampleRate)],
]

/**
 * Synthesizes a sine tone with ffmpeg, cached by its recipe; returns its path. Fixtures are made by
 * the project, never recorded music.
 */
export const tone = (options: ToneOptions = {}): string => {
  const { seconds = 4, frequency = 440, sampleRate = 44100, channels = 2, ext = 'mp3' } = options
  const codec = options.codec ?? ['-c:a', 'libmp3lame', '-b:a', '128k']
  const extra = options.extra ?? []
  const args = [...sineInput({ frequency, sampleRate, seconds, channels }), ...codec, ...extra]
  const key = createHash('sha1').update(JSON.stringify(args)).digest('hex').slice(0, 12)
  const path = `${FIXTURE_DIR}tone-${frequency}-${sampleRate}-${channels}ch-${key}.${ext}`
  if (existsSync(path)) return path
  mkdirSync(FIXTURE_DIR, { recursive: true })
  const tmp = `${path}.tmp.${process.pid}.${ext}`
  execFileSync(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    ...args,
    ...(ext === 'aac' ? ['-f', 'adts'] : []),
    tmp,
  ])
  renameSync(tmp, path)
  return path
}

/** ffmpeg's arguments that tag the output with `tags`. */
const metadata = (tags: Record<string, string>) =>
  Object.entries(tags).flatMap(([key, value]) => ['-metadata', `${key}=${value}`])

/** Common fixtures. */
export const fixtures = {
  mp3: (seconds = 4, frequency = 440) => tone({ seconds, frequency }),
  mp3Vbr: () => tone({ codec: ['-c:a', 'libmp3lame', '-q:a', '4'], frequency: 523 }),
  mp3Mono: () => tone({ channels: 1, codec: ['-c:a', 'libmp3lame', '-b:a', '64k'] }),
  /** MPEG-2 Layer III (22.05 kHz). */
  mp3Mpeg2: () => tone({ sampleRate: 22050, codec: ['-c:a', 'libmp3lame', '-b:a', '64k'] }),
  /** MPEG-2.5 Layer III (8 kHz). */
  mp3Mpeg25: () => tone({ sampleRate: 8000, channels: 1, codec: ['-c:a', 'libmp3lame', '-b:a', '16k'] }),
  mp3At48k: () => tone({ sampleRate: 48000 }),
  /** ID3v2 (written by ffmpeg) before the audio; APEv2 and ID3v1 after it. */
  mp3Tagged: () => {
    const path = `${FIXTURE_DIR}tagged.mp3`
    if (existsSync(path)) return path
    const body = readFileSync(
      tone({ frequency: 660, extra: ['-metadata', 'title=Tagged Tone', '-metadata', 'artist=airwave tests'] }),
    )
    return writeFixture('tagged.mp3', concat(body, apev2('Title\u0000Tagged Tone APE'), id3v1('Tagged Tone v1')))
  },
  mp2: () => tone({ codec: ['-c:a', 'mp2', '-b:a', '192k'], ext: 'mp2' }),
  aac: (seconds = 4, frequency = 440) =>
    tone({ seconds, frequency, codec: ['-c:a', 'aac', '-b:a', '128k'], ext: 'aac' }),
  ogg: () => tone({ codec: ['-c:a', 'libvorbis'], ext: 'ogg' }),
  /** Ogg Opus (48 kHz), tagged in its comment header. */
  opus: (seconds = 2, frequency = 440, tags: Record<string, string> = {}) =>
    tone({
      seconds,
      frequency,
      sampleRate: 48000,
      codec: ['-c:a', 'libopus', '-b:a', '64k'],
      extra: metadata(tags),
      ext: 'opus',
    }),
  /** Ogg Vorbis (44.1 kHz), tagged in its comment header. */
  vorbis: (seconds = 2, frequency = 440, tags: Record<string, string> = {}) =>
    tone({ seconds, frequency, codec: ['-c:a', 'libvorbis', '-q:a', '3'], extra: metadata(tags), ext: 'ogg' }),
  /** Ogg FLAC (44.1 kHz), tagged in its VORBIS_COMMENT block. */
  oggFlac: (seconds = 2, frequency = 440, tags: Record<string, string> = {}) =>
    tone({ seconds, frequency, codec: ['-c:a', 'flac', '-f', 'ogg'], extra: metadata(tags), ext: 'oga' }),
  /** Native FLAC (not in Ogg; 44.1 kHz), tagged in its VORBIS_COMMENT block, with ffmpeg's seek table and padding. */
  flac: (seconds = 4, frequency = 440, tags: Record<string, string> = {}) =>
    tone({ seconds, frequency, codec: ['-c:a', 'flac'], extra: metadata(tags), ext: 'flac' }),
  /** A rising sweep: no two frames alike, so streams can be aligned by content. Tags as given. */
  chirp: (seconds = 6, from = 200, tags: { title?: string; artist?: string; album?: string } = {}) =>
    synth(`sin(2*PI*(${from}+40*t)*t)*0.5`, seconds, tags),
  /** VBR that grows: 6 s of a quiet tone (small frames), then 8 s of busy sweeps (large ones). */
  mp3VbrRising: () =>
    synth(
      'if(lt(t,6),0.1*sin(2*PI*440*t),0.3*sin(2*PI*5000*t*t)+0.3*sin(2*PI*7919*t)+0.3*sin(2*PI*(3000+900*t)*t))',
      14,
      {},
      ['-q:a', '0'],
    ),
}

/** Synthesizes 128 kbit/s stereo MP3 from an ffmpeg aevalsrc expression, cached by recipe. */
export const synth = (
  expression: string,
  seconds: number,
  tags: Record<string, string> = {},
  codec: string[] = ['-b:a', '128k'],
): string => {
  const tagArgs = metadata(tags)
  const args = [
    '-f',
    'lavfi',
    '-i',
    `aevalsrc='${expression}':s=44100:d=${seconds}`,
    '-ac',
    '2',
    '-c:a',
    'libmp3lame',
    ...codec,
    ...tagArgs,
  ]
  const key = createHash('sha1').update(JSON.stringify(args)).digest('hex').slice(0, 12)
  const path = `${FIXTURE_DIR}synth-${key}.mp3`
  if (existsSync(path)) return path
  mkdirSync(FIXTURE_DIR, { recursive: true })
  const tmp = `${path}.tmp.${process.pid}.mp3`
  execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', ...args, tmp])
  renameSync(tmp, path)
  return path
}

/** Writes a fixture file with the given bytes (or text), returning its path. */
export const writeFixture = (name: string, content: Uint8Array | string): string => {
  mkdirSync(FIXTURE_DIR, { recursive: true })
  const path = `${FIXTURE_DIR}${name}`
  writeFileSync(path, content)
  return path
}

/** Deterministic pseudo-random bytes (xorshift), for corrupt-file fixtures. */
export const noise = (length: number, seed = 1): Uint8Array => {
  const out = new Uint8Array(length)
  let x = seed
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}
