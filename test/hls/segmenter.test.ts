import { describe, expect, test } from 'bun:test'
import type { StreamParams } from '../../src/format/params.ts'
import { HlsSegmenter } from '../../src/hls/segmenter.ts'
import type { Track } from '../../src/input/track.ts'
import type { Chunk } from '../../src/pipeline/chunk.ts'
import { ManualClock } from '../helpers/manual-clock.ts'

const EPOCH = Date.UTC(2026, 11, 1, 12, 0, 0)
const MP3: StreamParams = { format: 'mp3', sampleRate: 44_100, channels: 2 }
const track = (id: number, title = `Track ${id}`): Track => ({ id, origin: 'playlist', title })

/** A broadcast on a manual clock: chunks of `seconds` published as the pacer would, one after another. */
const broadcast = (options: { segmentSeconds?: number; windowSegments?: number } = {}) => {
  const clock = new ManualClock()
  let params: StreamParams | undefined = MP3
  const segmenter = new HlsSegmenter({
    segmentSeconds: options.segmentSeconds ?? 6,
    listSeconds: (options.windowSegments ?? 6) * (options.segmentSeconds ?? 6),
    params: () => params,
    clock,
    epochMs: EPOCH,
  })
  let position = 0
  let current: Track | undefined
  return {
    segmenter,
    clock,
    setParams: (p: StreamParams | undefined) => (params = p),
    /**
     * Publishes `count` chunks of `seconds` of `of`, the clock moving on by each chunk's length; each
     * chunk was due `late` ms before it went out (a stalled event loop the pacer catches up on).
     */
    play: async (of: Track, count: number, seconds = 0.25, late = 0) => {
      for (let i = 0; i < count; i++) {
        const chunk: Chunk = {
          data: new Uint8Array(100).fill(i),
          duration: seconds,
          position,
          frames: 10,
          firstFrameLength: 10,
          track: of,
          trackStart: of !== current,
        }
        current = of
        segmenter.take({ type: 'chunk', chunk, due: clock.now() - late })
        position += seconds
        await clock.advance(seconds * 1000)
      }
    },
  }
}

describe('HlsSegmenter', () => {
  test('cuts whole chunks into segments of at most segmentSeconds, each timed from the stream and dated on the wall clock', async () => {
    const b = broadcast()
    await b.play(track(1), 100) // 25 s
    const segments = b.segmenter.window.listed
    expect(segments.map((s) => s.duration)).toEqual([6, 6, 6, 6])
    expect(segments.map((s) => s.position)).toEqual([0, 6, 12, 18])
    expect(segments.map((s) => s.programDateTime - EPOCH)).toEqual([0, 6000, 12_000, 18_000])
    expect(segments.map((s) => s.sequence)).toEqual([0, 1, 2, 3])
    expect(segments.every((s) => !s.discontinuity)).toBe(true)
    // The last 1 s is still being filled: HLS is behind the stream by up to one segment.
  })

  test('ends a segment at every track change, so a segment holds one track and its tag names it', async () => {
    const b = broadcast()
    await b.play(track(1), 10) // 2.5 s
    await b.play(track(2), 30) // 7.5 s
    await b.play(track(3), 1)
    expect(b.segmenter.window.listed.map((s) => [s.track.id, s.duration])).toEqual([[1, 2.5], [2, 6], [2, 1.5]])
  })

  test('names are never reused: they carry the time the segmenter started and a sequence number', async () => {
    const b = broadcast()
    await b.play(track(1), 30)
    const prefix = EPOCH.toString(36)
    expect(b.segmenter.prefix).toBe(prefix)
    expect(b.segmenter.window.listed.map((s) => s.name)).toEqual([`${prefix}-0.ts`])
  })

  test('lists the newest segments that span its seconds, and serves older ones for as long again, then they are gone (410); unknown ones are 404', async () => {
    const b = broadcast({ segmentSeconds: 1, windowSegments: 3 })
    await b.play(track(1), 4 * 10 + 1) // ten 1 s segments
    const w = b.segmenter.window
    expect(w.listed.map((s) => s.sequence)).toEqual([7, 8, 9])
    // A segment leaves the list after 3 s more audio, and is served 3 s more and its own second.
    expect([2, 3, 6, 9].map((n) => w.find(n).found)).toEqual([false, true, true, true])
    expect(w.find(2)).toEqual({ found: false, status: 410 })
    expect(w.find(10)).toEqual({ found: false, status: 404 })
    expect(w.bytes).toBe(7 * w.listed[0]!.data.length)
  })

  test('titles changing faster than once a second do not cut the playlist into slivers: it still spans its seconds', async () => {
    const b = broadcast({ segmentSeconds: 6, windowSegments: 3 })
    for (let i = 0; i < 80; i++) await b.play(track(i), 2) // a new title every 0.5 s, for 40 s
    const listed = b.segmenter.window.listed
    for (const segment of listed.slice(0, -1)) expect(segment.duration).toBeGreaterThanOrEqual(1)
    expect(listed.reduce((sum, s) => sum + s.duration, 0)).toBeGreaterThanOrEqual(18)
  })

  test('a stalled event loop that the pacer catches up on keeps the dates: each segment is dated when its audio was due', async () => {
    const b = broadcast({ segmentSeconds: 1 })
    await b.play(track(1), 4)
    await b.clock.advance(3000) // stalled 3 s
    await b.play(track(1), 12, 0.25, 3000) // due 3 s ago, going out at once
    const dates = b.segmenter.window.listed.map((s) => s.programDateTime - EPOCH)
    expect(dates).toEqual([0, 1000, 2000])
  })

  test('after a silence (nothing on air), the next segment is dated when it really went on air; its timestamps run on', async () => {
    const b = broadcast({ segmentSeconds: 2 })
    await b.play(track(1), 8) // 2 s
    await b.clock.advance(30_000) // a live-only mount between two DJs
    b.segmenter.flushStale()
    await b.play(track(2), 9)
    const [first, second] = b.segmenter.window.listed
    expect(first!.programDateTime - EPOCH).toBe(0)
    expect(second!.programDateTime - EPOCH).toBe(32_000)
    expect(second!.position).toBe(2)
    expect(second!.discontinuity).toBe(false)
  })

  test('a segment left unfinished when the stream stops is published once its audio is overdue', async () => {
    const b = broadcast()
    await b.play(track(1), 10)
    b.segmenter.flushStale()
    expect(b.segmenter.window.listed).toHaveLength(0)
    await b.clock.advance(3000)
    b.segmenter.flushStale()
    expect(b.segmenter.window.listed.map((s) => s.duration)).toEqual([2.5])
  })

  test('a discontinuity only where the stream was replaced (another rate), counted once it leaves the window', async () => {
    const b = broadcast({ segmentSeconds: 1, windowSegments: 3 })
    await b.play(track(1), 8)
    b.setParams({ ...MP3, sampleRate: 48_000 })
    b.segmenter.take({ type: 'clear' })
    await b.play(track(2), 8)
    expect(b.segmenter.window.listed.map((s) => s.discontinuity)).toEqual([false, false, true])
    expect(b.segmenter.window.discontinuitySequence).toBe(0)
    await b.play(track(2), 12)
    expect(b.segmenter.window.discontinuitySequence).toBe(1)
  })

  test('a change of container (an Opus DJ, then an MP3 one) starts the playlist afresh: no init segment applies to TS', async () => {
    const b = broadcast({ segmentSeconds: 1 })
    b.setParams({ format: 'opus', sampleRate: 48_000, channels: 2 })
    await b.play(track(1), 12)
    await b.segmenter.published()
    expect(b.segmenter.window.listed.every((s) => s.format === 'opus' && s.init)).toBe(true)
    b.setParams(MP3)
    b.segmenter.take({ type: 'clear' })
    await b.play(track(2), 12)
    await b.segmenter.published()
    const listed = b.segmenter.window.listed
    expect(listed.map((s) => s.format)).toEqual(['mp3', 'mp3'])
    expect(listed[0]!.discontinuity).toBe(true)
    // The Opus segments are still served to players that listed them.
    expect(b.segmenter.window.find(0).found).toBe(true)
  })

  test('Vorbis and FLAC mounts are not cut (HLS carries MP3, AAC and Opus)', async () => {
    const b = broadcast()
    b.setParams({ format: 'vorbis', sampleRate: 44_100, channels: 2 })
    await b.play(track(1), 60)
    expect(b.segmenter.window.last).toBeUndefined()
  })
})
