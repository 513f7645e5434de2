import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { probeAudioFile, readAudioFrames } from '../../../src/input/playlist/audio-file.ts'
import { FIXTURE_DIR, fixtures, noise, writeFixture } from '../../helpers/fixtures.ts'
import { framesOf } from '../../helpers/live-feed.ts'
import { concat } from '../../helpers/tags.ts'

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1')

describe('probeAudioFile', () => {
  test('describes a playable MP3: format, rate, channels, bitrate', async () => {
    const probe = await probeAudioFile(fixtures.mp3())
    expect(probe.ok).toBe(true)
    if (!probe.ok) return
    expect(probe.value).toMatchObject({ format: 'mp3', sampleRate: 44100, channels: 2, bitrate: 128 })
  })

  test('a VBR file reports its true average bitrate (from its Xing header), not that of its first frames', async () => {
    // A quiet tone, then noise: the first frames are small, the average is far higher.
    const path = fixtures.mp3VbrRising()
    const probe = await probeAudioFile(path)
    if (!probe.ok) throw new Error(probe.reason)
    const seconds = (await framesOf(path)).reduce((sum, f) => sum + f.samples / f.sampleRate, 0)
    const average = ((probe.value.end - probe.value.start) * 8) / seconds / 1000
    expect(Math.abs(probe.value.bitrate - average)).toBeLessThan(2)
  })

  test('describes Opus, Vorbis and FLAC in Ogg: the codec, its rate and channels, the average bitrate of its audio pages', async () => {
    expect(await probeAudioFile(fixtures.opus(4))).toMatchObject({
      ok: true,
      value: { format: 'opus', sampleRate: 48000, channels: 2 },
    })
    expect(await probeAudioFile(fixtures.vorbis(4))).toMatchObject({
      ok: true,
      value: { format: 'vorbis', sampleRate: 44100, channels: 2 },
    })
    expect(await probeAudioFile(fixtures.oggFlac(4))).toMatchObject({
      ok: true,
      value: { format: 'flac', sampleRate: 44100, channels: 2 },
    })
    // Native FLAC too: it is streamed as Ogg FLAC.
    expect(await probeAudioFile(fixtures.flac())).toMatchObject({
      ok: true,
      value: { format: 'flac', sampleRate: 44100, channels: 2 },
    })
    const opus = await probeAudioFile(fixtures.opus(4))
    if (!opus.ok) throw new Error(opus.reason)
    // 64 kbit/s of Opus, plus the pages' own few bytes.
    expect(opus.value.bitrate).toBeGreaterThanOrEqual(60)
    expect(opus.value.bitrate).toBeLessThan(80)
  })

  test('an Ogg or FLAC file whose header pages or metadata (cover art) outrun the first 64 KiB is probed on to its audio', async () => {
    const art = { title: 'Pictured', METADATA_BLOCK_PICTURE: 'A'.repeat(100_000) }
    expect(await probeAudioFile(fixtures.opus(2, 440, art))).toMatchObject({ ok: true, value: { format: 'opus' } })
    expect(await probeAudioFile(fixtures.flac(2, 440, art))).toMatchObject({ ok: true, value: { format: 'flac' } })
  })

  test('describes AAC (ADTS) and MPEG-2 files', async () => {
    expect(await probeAudioFile(fixtures.aac())).toMatchObject({
      ok: true,
      value: { format: 'aac', sampleRate: 44100, channels: 2 },
    })
    expect(await probeAudioFile(fixtures.mp3Mpeg2())).toMatchObject({
      ok: true,
      value: { format: 'mp3', sampleRate: 22050 },
    })
  })

  test.each([
    ['a missing file', () => `${FIXTURE_DIR}does-not-exist.mp3`, /not found/],
    ['an empty file', () => writeFixture('empty.mp3', new Uint8Array(0)), /empty/],
    [
      'a text file',
      () => writeFixture('notes.mp3', 'This is not audio.\n'.repeat(500)),
      /no MP3, AAC \(ADTS\), or Opus, Vorbis or FLAC in Ogg found/,
    ],
    ['random bytes', () => writeFixture('noise.mp3', noise(200_000)), /no MP3, AAC .* found: not audio/],
    [
      'tags and no audio',
      () => writeFixture('tags-only.mp3', readFileSync(fixtures.mp3Tagged()).subarray(-128)),
      /tags but no audio/,
    ],
    [
      'a FLAC file cut short in its first frame',
      () => writeFixture('cut.flac', readFileSync(fixtures.flac()).subarray(0, 9000)),
      /is FLAC, but no whole frame/,
    ],
    ['an MP2 file', () => fixtures.mp2(), /Layer I\/II/],
    ['a folder', () => FIXTURE_DIR, /directory/],
  ])('refuses %s with a reason', async (_name, make, reason) => {
    const probe = await probeAudioFile(make())
    expect(probe.ok).toBe(false)
    if (!probe.ok) expect(probe.reason).toMatch(reason)
  })
})

describe('readAudioFrames', () => {
  test('reads an Ogg file as whole pages of at most 250 ms, header pages first, its header pages as they are', async () => {
    const path = fixtures.vorbis(3)
    const probe = await probeAudioFile(path)
    if (!probe.ok) throw new Error(probe.reason)
    const frames = []
    for await (const frame of readAudioFrames(probe.value)) frames.push(frame)
    const file = readFileSync(path)
    const headers = Buffer.concat(frames.filter((f) => f.page?.header).map((f) => f.data))
    expect(frames.slice(0, 2).every((f) => f.page?.header && f.samples === 0)).toBe(true)
    expect(file.subarray(0, headers.length).equals(headers)).toBe(true)
    expect(frames.slice(3, -1).every((f) => f.samples <= 0.25 * 44100)).toBe(true)
    expect(frames.reduce((sum, f) => sum + f.samples, 0)).toBe(3 * 44100)
  })

  test('reads only audio: ID3v2, ID3v1 and APE tags and the Info frame are never part of it', async () => {
    const path = fixtures.mp3Tagged()
    const file = new Uint8Array(readFileSync(path))
    expect(text(file.subarray(0, 3))).toBe('ID3')
    expect(text(file.subarray(-128, -125))).toBe('TAG')
    expect(text(file).includes('APETAGEX')).toBe(true)
    const probe = await probeAudioFile(path)
    if (!probe.ok) throw new Error(probe.reason)
    const frames = []
    for await (const frame of readAudioFrames(probe.value)) frames.push(frame)
    const sent = new Uint8Array(frames.reduce((n, f) => n + f.data.length, 0))
    let at = 0
    for (const f of frames) {
      sent.set(f.data, at)
      at += f.data.length
    }
    for (const marker of ['ID3', 'TAG', 'APETAGEX', 'Info', 'Xing', 'Tagged Tone']) {
      expect([marker, text(sent).includes(marker)]).toEqual([marker, false])
    }
    // All audio frames are there: the audio range minus one Info frame.
    const infoFrameSize = probe.value.end - probe.value.start - sent.length
    expect(infoFrameSize).toBeGreaterThan(100)
    expect(infoFrameSize).toBeLessThan(1500)
  })

  test('a file whose ID3v2 header claims 200 MB plays all its audio: the frames are found after the bogus header', async () => {
    const body = new Uint8Array(readFileSync(fixtures.mp3(2, 330)))
    const forged = body.slice(0, 10)
    expect(text(forged.subarray(0, 3))).toBe('ID3')
    const claimed = 200 * 1024 * 1024
    forged.set([(claimed >> 21) & 0x7f, (claimed >> 14) & 0x7f, (claimed >> 7) & 0x7f, claimed & 0x7f], 6)
    const path = writeFixture('forged-id3.mp3', concat(forged, body.subarray(10)))
    const [probe, honest] = [await probeAudioFile(path), await probeAudioFile(fixtures.mp3(2, 330))]
    if (!probe.ok || !honest.ok) throw new Error(`refused: ${JSON.stringify([probe, honest])}`)
    // The audio starts where it does in the honest file, and every frame of it is read.
    expect(probe.value.start).toBe(honest.value.start)
    expect(probe.value).toMatchObject({ format: 'mp3', sampleRate: 44100, channels: 2, bitrate: 128 })
    const lengths = async (info: typeof probe.value) => {
      const out: number[] = []
      for await (const frame of readAudioFrames(info)) out.push(frame.data.length)
      return out
    }
    const [forgedFrames, honestFrames] = [await lengths(probe.value), await lengths(honest.value)]
    expect(forgedFrames.length).toBeGreaterThan(70)
    expect(forgedFrames).toEqual(honestFrames)
  })

  test('a file corrupted in the middle still plays its good frames', async () => {
    const good = new Uint8Array(readFileSync(fixtures.mp3(4, 880)))
    const damaged = good.slice()
    damaged.set(noise(3000, 9), Math.floor(good.length / 2))
    const path = writeFixture('damaged.mp3', damaged)
    const probe = await probeAudioFile(path)
    if (!probe.ok) throw new Error(probe.reason)
    let seconds = 0
    for await (const frame of readAudioFrames(probe.value)) seconds += frame.samples / frame.sampleRate
    expect(seconds).toBeGreaterThan(3.5)
    expect(seconds).toBeLessThan(4.1)
  })
})
