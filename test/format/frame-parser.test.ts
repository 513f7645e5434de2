import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { FrameParser } from '../../src/format/frame-parser.ts'
import { frameDuration } from '../../src/format/frame.ts'
import { findAudioRange } from '../../src/format/tags.ts'
import { fixtures } from '../helpers/fixtures.ts'

const framesOf = async (path: string, format: 'mp3' | 'aac', pieces = 7) => {
  const bytes = new Uint8Array(readFileSync(path))
  const { start, end } = await findAudioRange((o, l) => Promise.resolve(bytes.subarray(o, o + l)), bytes.length)
  const parser = new FrameParser(format)
  const frames = []
  const step = Math.ceil((end - start) / pieces)
  for (let at = start; at < end; at += step) frames.push(...parser.push(bytes.subarray(at, Math.min(end, at + step))))
  frames.push(...parser.flush())
  return { frames, parser, audioBytes: end - start }
}
const seconds = (frames: { samples: number; sampleRate: number }[]) =>
  frames.reduce((s, f) => s + f.samples / f.sampleRate, 0)

describe('FrameParser', () => {
  test.each(
    [
      ['MPEG-1 CBR 44.1 kHz stereo', fixtures.mp3, 44100, 2, 1152],
      ['MPEG-1 VBR', fixtures.mp3Vbr, 44100, 2, 1152],
      ['MPEG-1 mono', fixtures.mp3Mono, 44100, 1, 1152],
      ['MPEG-2 22.05 kHz', fixtures.mp3Mpeg2, 22050, 2, 576],
      ['MPEG-2.5 8 kHz', fixtures.mp3Mpeg25, 8000, 1, 576],
    ] as const,
  )('splits %s into whole frames whose durations add up to the file', async (_name, make, rate, channels, samples) => {
    const { frames, parser } = await framesOf(make(), 'mp3')
    expect(frames.length).toBeGreaterThan(20)
    for (const f of frames) {
      expect(f.sampleRate).toBe(rate)
      expect(f.channels).toBe(channels)
      expect(f.samples).toBe(samples)
      expect(f.data[0]).toBe(0xff)
      expect(f.data[1]! & 0xe0).toBe(0xe0)
    }
    // 4 s of tone; the encoder pads up to a frame of priming and a frame of flush.
    expect(seconds(frames)).toBeGreaterThan(3.95)
    expect(seconds(frames)).toBeLessThan(4.2)
    // The Xing/Info frame that encoders put first is not audio and is never sent.
    expect(parser.infoFrames).toBe(1)
  })

  test('AAC (ADTS) frames have 1024 samples and the stream rate', async () => {
    const { frames, audioBytes } = await framesOf(fixtures.aac(), 'aac')
    expect(frames.every((f) => f.samples === 1024 && f.sampleRate === 44100 && f.channels === 2)).toBe(true)
    expect(frames.reduce((n, f) => n + f.data.length, 0)).toBe(audioBytes)
    expect(seconds(frames)).toBeGreaterThan(3.95)
  })

  test('frame durations are exact: a CBR stream is 16,000 bytes per second at 128 kbit/s', async () => {
    const { frames } = await framesOf(fixtures.mp3(8), 'mp3')
    const bytes = frames.reduce((n, f) => n + f.data.length, 0)
    expect(bytes / seconds(frames)).toBeCloseTo(16000, -1)
    expect(frameDuration(frames[0]!)).toBeCloseTo(1152 / 44100, 12)
  })

  test('MP2 (Layer II) is not taken for MP3', async () => {
    const { frames, parser } = await framesOf(fixtures.mp2(), 'mp3')
    expect(frames.length).toBe(0)
    expect(parser.otherLayers).toBeGreaterThan(20)
  })

  test.each(['mp3', 'aac'] as const)(
    'a %s stream cut short mid-frame ends with its last whole frame, never a partial one',
    (format) => {
      const bytes = readFileSync(format === 'mp3' ? fixtures.mp3(2) : fixtures.aac(2))
      const whole = new FrameParser(format)
      const all = [...whole.push(bytes), ...whole.flush()]
      const cut = new FrameParser(format)
      const frames = [...cut.push(bytes.subarray(0, Math.floor(bytes.length / 2))), ...cut.flush()]
      expect(cut.truncated).toBe(1)
      expect(whole.truncated).toBe(0)
      // Every frame it gave is a whole frame of the stream, byte for byte.
      frames.forEach((frame, i) => expect(Buffer.from(frame.data).equals(Buffer.from(all[i]!.data))).toBe(true))
      expect(frames.length).toBeLessThan(all.length)
    },
  )

  test('AAC parsed as MP3 yields nothing', async () => {
    const { frames } = await framesOf(fixtures.aac(), 'mp3')
    expect(frames.length).toBe(0)
  })
})
