import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SegmentWriter } from '../../src/hls/segment.ts'
import { probeAudioFile, readAudioFrames } from '../../src/input/playlist/audio-file.ts'
import type { Track } from '../../src/input/track.ts'
import type { Chunk } from '../../src/pipeline/chunk.ts'
import { crc32 } from '../../src/util/crc32.ts'
import { concatBytes } from '../../src/util/bytes.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { systemFfmpeg } from '../helpers/ogg.ts'

const TRACK: Track = { id: 1, origin: 'playlist', title: 'Tones - Sinus Ω', artist: 'Tones', song: 'Sinus Ω' }

/** A file's frames as the broadcast's chunks (ten frames each), starting at stream time `from`. */
const chunksOf = async (path: string, from = 0): Promise<Chunk[]> => {
  const probe = await probeAudioFile(path)
  if (!probe.ok) throw new Error(probe.reason)
  const frames = []
  for await (const frame of readAudioFrames(probe.value)) frames.push(frame)
  const chunks: Chunk[] = []
  let position = from
  for (let i = 0; i < frames.length; i += 10) {
    const group = frames.slice(i, i + 10)
    const duration = group.reduce((sum, f) => sum + f.samples / f.sampleRate, 0)
    const data = concatBytes(group.map((f) => f.data))
    chunks.push({
      data,
      duration,
      position,
      frames: group.length,
      firstFrameLength: group[0]!.data.length,
      track: TRACK,
      trackStart: i === 0,
    })
    position += duration
  }
  return chunks
}

/** The bytes a writer makes of `chunks` (at once, or once written). */
const bytesOf = async (writer: SegmentWriter, chunks: readonly Chunk[]) =>
  (await writer.write(chunks, chunks[0]!.position))!.data

const dir = mkdtempSync(join(tmpdir(), 'airwave-hls-'))
const ffprobe = () => systemFfmpeg().replace(/ffmpeg$/, 'ffprobe')
const probeJson = (file: string, ...args: string[]) =>
  JSON.parse(
    spawnSync(ffprobe(), ['-v', 'error', '-of', 'json', ...args, file], { encoding: 'utf8' }).stdout,
  )
/** Decodes a file with Debian's ffmpeg: its exit code and every error it reports. */
const decode = (file: string) => {
  const run = spawnSync(systemFfmpeg(), ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' })
  return { code: run.status, stderr: run.stderr }
}

describe('AAC: packed audio (ADTS behind an ID3 tag)', () => {
  test("opens with ID3v2.4: Apple's PRIV timestamp of its first sample on the 90 kHz clock, and the title", async () => {
    const chunks = await chunksOf(fixtures.aac(2), 1234.5)
    const segment = await bytesOf(new SegmentWriter({ format: 'aac', sampleRate: 44_100, channels: 2 }), chunks)
    expect([...segment.subarray(0, 4)]).toEqual([0x49, 0x44, 0x33, 0x04])
    const text = new TextDecoder('latin1').decode(segment.subarray(0, 200))
    const owner = 'com.apple.streaming.transportStreamTimestamp\0'
    const at = text.indexOf(owner) + owner.length
    const view = new DataView(segment.buffer, segment.byteOffset + at, 8)
    expect(view.getUint32(0) * 2 ** 32 + view.getUint32(4)).toBe(1234.5 * 90_000)

    const file = join(dir, 'segment.aac')
    writeFileSync(file, segment)
    const { format } = probeJson(file, '-show_format')
    expect(format.tags).toMatchObject({ title: 'Sinus Ω', artist: 'Tones' })
    expect(decode(file)).toEqual({ code: 0, stderr: '' })
    // The frames follow the tag as they were broadcast.
    const frames = concatBytes(chunks.map((c) => c.data))
    expect(Buffer.from(segment.subarray(segment.length - frames.length)).equals(Buffer.from(frames))).toBe(true)
  })
})

describe('Opus: fragmented MP4 (CMAF), the title in an emsg box', () => {
  test('an init segment with dOps, then fragments ffmpeg decodes without an error, their packets timed one after another', async () => {
    const probe = await probeAudioFile(fixtures.opus(4, 440, { title: 'Sinus Ω', artist: 'Tones' }))
    if (!probe.ok) throw new Error(probe.reason)
    const frames = []
    for await (const frame of readAudioFrames(probe.value)) frames.push(frame)
    const headers = concatBytes(frames.filter((f) => f.page?.header).map((f) => f.data))
    const link = { id: 1, headers }
    const audio = frames.filter((f) => !f.page?.header)
    let position = 0
    const chunks: Chunk[] = audio.map((frame, i) => {
      const duration = frame.samples / 48_000
      const chunk = {
        data: frame.data,
        duration,
        position,
        frames: 1,
        firstFrameLength: frame.data.length,
        track: TRACK,
        trackStart: i === 0,
        link,
      }
      position += duration
      return chunk
    })
    const writer = new SegmentWriter({ format: 'opus', sampleRate: 48_000, channels: 2 })
    const half = Math.floor(chunks.length / 2)
    const [one, two] = [
      (await writer.write(chunks.slice(0, half), 0))!,
      (await writer.write(chunks.slice(half), chunks[half]!.position))!,
    ]
    expect(Buffer.from(one.init!).equals(Buffer.from(two.init!))).toBe(true)
    const latin1 = (bytes: Uint8Array) => new TextDecoder('latin1').decode(bytes)
    expect(latin1(one.init!)).toContain('dOps')
    for (const segment of [one, two]) {
      const text = latin1(segment.data)
      expect(text.indexOf('emsg')).toBeGreaterThan(0)
      expect(text.indexOf('emsg')).toBeLessThan(text.indexOf('moof'))
      // The segment index still measures what follows it: the emsg went before it.
      const sidx = text.indexOf('sidx') - 4
      const view = new DataView(segment.data.buffer, segment.data.byteOffset)
      const version = segment.data[sidx + 8]!
      const reference = sidx + 8 + 4 + 8 + (version === 0 ? 8 : 16) + 4
      expect(view.getUint32(reference) & 0x7fffffff).toBe(segment.data.length - (sidx + view.getUint32(sidx)))
      expect(text).toContain('https://aomedia.org/emsg/ID3')
      expect(text).toContain('TIT2')
    }
    // The segments' own durations (their packets) add up to what ffmpeg decodes.
    const file = join(dir, 'opus.mp4')
    writeFileSync(file, concatBytes([one.init!, one.data, two.data]))
    expect(decode(file)).toEqual({ code: 0, stderr: '' })
    // ffmpeg's Opus packets are 20 ms: each begins where the one before ends, across the fragments.
    const { packets } = probeJson(file, '-show_entries', 'packet=pts')
    const pts = packets.map((p: { pts: number }) => p.pts)
    expect(pts.slice(1).every((at: number, i: number) => at - pts[i] === 960)).toBe(true)
    expect((pts.at(-1) + 960) / 48_000).toBeCloseTo(one.duration! + two.duration!, 3)
  })
})

describe('MP3: MPEG-2 transport stream', () => {
  test('188-byte packets; PAT and PMT with valid CRCs; continuity counters run on into the next segment', async () => {
    const chunks = await chunksOf(fixtures.mp3(4))
    const writer = new SegmentWriter({ format: 'mp3', sampleRate: 44_100, channels: 2 })
    const segments = [await bytesOf(writer, chunks.slice(0, 8)), await bytesOf(writer, chunks.slice(8))]
    const counters = new Map<number, number>()
    for (const segment of segments) {
      expect(segment.length % 188).toBe(0)
      for (let at = 0; at < segment.length; at += 188) {
        expect(segment[at]).toBe(0x47)
        const pid = ((segment[at + 1]! & 0x1f) << 8) | segment[at + 2]!
        const counter = segment[at + 3]! & 0x0f
        if (counters.has(pid)) expect([pid, counter]).toEqual([pid, (counters.get(pid)! + 1) & 0x0f])
        counters.set(pid, counter)
        if (pid === 0 || pid === 0x1000) {
          const length = ((segment[at + 6]! & 0x0f) << 8) | segment[at + 7]!
          // The MPEG-2 CRC over a whole section, its CRC included, is 0.
          expect(crc32(segment.subarray(at + 5, at + 8 + length), 0xffffffff)).toBe(0)
        }
      }
    }
    expect([...counters.keys()].sort()).toEqual([0, 0x100, 0x102, 0x1000])
  })

  test('ffprobe finds the MP3 and the timed ID3 stream; each block of frames has its PTS; ffmpeg decodes two segments joined without an error', async () => {
    const chunks = await chunksOf(fixtures.mp3(4), 10)
    const writer = new SegmentWriter({ format: 'mp3', sampleRate: 44_100, channels: 2 })
    const file = join(dir, 'joined.ts')
    writeFileSync(
      file,
      concatBytes([await bytesOf(writer, chunks.slice(0, 8)), await bytesOf(writer, chunks.slice(8))]),
    )
    const { streams } = probeJson(file, '-show_streams')
    expect(streams.map((s: { codec_type: string; codec_name?: string }) => [s.codec_type, s.codec_name ?? null]))
      .toEqual([['audio', 'mp3'], ['data', 'timed_id3']])
    const { packets } = probeJson(file, '-show_packets', '-select_streams', 'a')
    const starts = new Set(chunks.map((c) => Math.round(c.position * 90_000) + 9000))
    const pts = packets.map((p: { pts: number }) => p.pts)
    expect(pts.filter((p: number) => starts.has(p))).toHaveLength(chunks.length)
    for (let i = 1; i < pts.length; i++) expect(pts[i] - pts[i - 1]).toBeGreaterThan(2340)
    expect(decode(file)).toEqual({ code: 0, stderr: '' })
    // The title travels in an ID3 tag in the metadata stream's PES.
    const text = new TextDecoder().decode(await bytesOf(writer, chunks.slice(0, 1)))
    expect(text).toContain('TIT2')
    expect(text).toContain('Sinus Ω')
    expect(text).toContain('TPE1')
  })

  test('a block of frames too long for one PES (over 64 KB: long chunks at a high bitrate) is carried by several, and decodes whole', async () => {
    const chunks = await chunksOf(fixtures.mp3(10))
    const one: Chunk = { ...chunks[0]!, data: concatBytes(chunks.map((c) => c.data)), duration: 10 }
    expect(one.data.length).toBeGreaterThan(150_000)
    const file = join(dir, 'long-block.ts')
    writeFileSync(file, await bytesOf(new SegmentWriter({ format: 'mp3', sampleRate: 44_100, channels: 2 }), [one]))
    const pcm = spawnSync(systemFfmpeg(), ['-v', 'error', '-i', file, '-f', 's16le', '-ac', '2', '-ar', '44100', '-'], {
      maxBuffer: 1 << 24,
    })
    expect([pcm.status, pcm.stderr.toString()]).toEqual([0, ''])
    expect(pcm.stdout.length / (44_100 * 4)).toBeCloseTo(10, 1)
  })

  test('MPEG-2 Layer III (22.05 kHz) is stream type 0x04, MPEG-1 0x03', async () => {
    const streamType = (segment: Uint8Array) => {
      const pmt = segment.subarray(188, 376)
      const programInfo = ((pmt[15]! & 0x0f) << 8) | pmt[16]!
      return pmt[17 + programInfo]
    }
    expect(
      streamType(
        await bytesOf(
          new SegmentWriter({ format: 'mp3', sampleRate: 44_100, channels: 2 }),
          await chunksOf(fixtures.mp3(1)),
        ),
      ),
    ).toBe(0x03)
    expect(
      streamType(
        await bytesOf(
          new SegmentWriter({ format: 'mp3', sampleRate: 22_050, channels: 2 }),
          await chunksOf(fixtures.mp3Mpeg2()),
        ),
      ),
    ).toBe(0x04)
  })
})
