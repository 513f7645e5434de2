import { describe, expect, test } from 'bun:test'
import { Chunker } from '../../src/pipeline/chunker.ts'
import type { Chunk } from '../../src/pipeline/chunk.ts'
import { Pacer } from '../../src/pipeline/pacer.ts'
import { FrameFeed } from '../../src/input/stream/feed.ts'
import { SourceSwitch } from '../../src/input/switch.ts'
import type { SourceFrame } from '../../src/input/track.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { syntheticFrame, syntheticSource } from '../helpers/synthetic.ts'

const FRAME = 1152 / 44100

/** A synthetic endless playlist (no file I/O), with skip() ending the current 200-frame track. */
const playlist = () => {
  let skip = false
  return {
    skip: () => void (skip = true),
    frames: (): AsyncIterator<SourceFrame> => {
      const source = syntheticSource({ framesPerTrack: 200 })
      let offset = 0
      return {
        next: async () => {
          const step = await source.next()
          if (skip && !step.done) {
            skip = false
            offset++
          }
          return step.done ? step : {
            done: false,
            value: { ...step.value, track: { ...step.value.track, id: step.value.track.id + offset * 100_000 } },
          }
        },
      }
    },
  }
}

const setup = () => {
  const clock = new ManualClock()
  const input = new SourceSwitch(playlist())
  const chunker = new Chunker(input, 0.25)
  const sent: { chunk: Chunk; at: number }[] = []
  const pacer = new Pacer(() => chunker.next(), (chunk) => sent.push({ chunk, at: clock.now() }), { clock })
  input.onChange = (active, previous) => previous === undefined && active !== undefined && pacer.resync()
  const running = pacer.run()
  return { clock, input, sent, pacer, running }
}

/** A source sending in real time, 0.1 s at a time, `ahead` seconds ahead of the clock from `start`. */
const realTime = async (clock: ManualClock, feed: FrameFeed, seconds: number, ahead = 0.5) => {
  const start = clock.now()
  let pushed = 0
  while (clock.now() - start < seconds * 1000) {
    while (pushed < (clock.now() - start) / 1000 + ahead) {
      feed.push(syntheticFrame(300, 0xaa))
      pushed += FRAME
    }
    await clock.advance(100)
  }
  return pushed
}

describe("live takeover on the pacer's timeline", () => {
  test('playlist → live → playlist: every chunk follows the last on one timeline and goes out when due (no gap, no burst)', async () => {
    const { clock, input, sent, pacer, running } = setup()
    await clock.advance(2000)
    const live = new FrameFeed({ kind: 'live', title: 'DJ' })
    input.attach(live)
    const pushed = await realTime(clock, live, 3)
    live.end('source disconnected')
    await clock.advance(3000)
    pacer.stop()
    await clock.advance(1000)
    await running

    const origins = sent.map((s) => s.chunk.track.origin)
    const firstLive = origins.indexOf('live')
    const lastLive = origins.lastIndexOf('live')
    expect(origins.slice(0, firstLive).every((o) => o === 'playlist')).toBe(true)
    expect(origins.slice(firstLive, lastLive + 1).every((o) => o === 'live')).toBe(true)
    expect(origins.slice(lastLive + 1).every((o) => o === 'playlist')).toBe(true)
    expect(sent.length - lastLive).toBeGreaterThan(8)
    for (const [i, { chunk, at }] of sent.entries()) {
      if (i > 0) expect(chunk.position).toBeCloseTo(sent[i - 1]!.chunk.position + sent[i - 1]!.chunk.duration, 9)
      // Never before its time, and never late: a listener sees neither a burst nor a gap.
      expect(at).toBeGreaterThanOrEqual(chunk.position * 1000 - 1e-6)
      expect(at - chunk.position * 1000).toBeLessThan(1)
    }
    // Each input begins a new track on a chunk boundary, and the live set played whole, its last second included.
    expect(sent[firstLive]!.chunk.trackStart).toBe(true)
    expect(sent[lastLive + 1]!.chunk.trackStart).toBe(true)
    expect(sent.slice(firstLive, lastLive + 1).reduce((s, x) => s + x.chunk.frames, 0)).toBe(Math.round(pushed / FRAME))
    // On air within the preroll plus one chunk of connecting at t = 2 s.
    expect(sent[firstLive]!.at).toBeLessThanOrEqual(2000 + 500 + 250 + 30)
    // The playlist comes back with its next track, not the one the DJ interrupted.
    expect(sent[lastLive + 1]!.chunk.track.id).not.toBe(sent[firstLive - 1]!.chunk.track.id)
  })

  test('a source sending far faster than real time is throttled by its queue and paced by its frames', async () => {
    const { clock, input, sent, pacer, running } = setup()
    await clock.advance(1000)
    const live = new FrameFeed({ kind: 'live', title: 'Fast', maxAhead: 4 })
    let paused = false
    live.onResume = () => (paused = false)
    input.attach(live)
    let maxQueued = 0
    let pushed = 0
    // The producer writes whenever it is allowed to, as a socket read loop would.
    for (let step = 0; step < 100; step++) {
      while (!paused) {
        live.push(syntheticFrame(300, 0xaa))
        pushed++
        if (!live.wantsMore) paused = true
      }
      maxQueued = Math.max(maxQueued, live.queuedSeconds)
      await clock.advance(100)
    }
    pacer.stop()
    await clock.advance(500)
    await running
    const liveSent = sent.filter((s) => s.chunk.track.origin === 'live')
    const seconds = liveSent.reduce((s, x) => s + x.chunk.duration, 0)
    const span = (liveSent.at(-1)!.at - liveSent[0]!.at) / 1000 + liveSent.at(-1)!.chunk.duration
    // 10 s of clock: about 10 s of audio went out, at the real-time rate, and the queue never held more than 4 s.
    expect(Math.abs(seconds - span)).toBeLessThan(0.3)
    expect(seconds).toBeGreaterThan(8.5)
    expect(seconds).toBeLessThan(10.5)
    expect(maxQueued).toBeLessThan(4 + FRAME)
    expect(pushed * FRAME).toBeLessThan(seconds + 4 + 0.1)
  })

  test('a live-only timeline off air for a minute resumes at once when the next source comes, without catching up', async () => {
    const clock = new ManualClock()
    const input = new SourceSwitch()
    const chunker = new Chunker(input, 0.25)
    const sent: { chunk: Chunk; at: number }[] = []
    const pacer = new Pacer(() => chunker.next(), (chunk) => sent.push({ chunk, at: clock.now() }), { clock })
    input.onChange = (active, previous) => previous === undefined && active !== undefined && pacer.resync()
    const running = pacer.run()
    const first = new FrameFeed({ kind: 'live', title: 'One' })
    input.attach(first)
    await realTime(clock, first, 2)
    first.end('bye')
    await clock.advance(60_000)
    const countBefore = sent.length
    const second = new FrameFeed({ kind: 'live', title: 'Two' })
    input.attach(second)
    const resumedAt = clock.now()
    await realTime(clock, second, 2)
    pacer.stop()
    await clock.advance(500)
    await running
    const after = sent.slice(countBefore).filter((s) => s.chunk.track.title === 'Two')
    expect(after[0]!.at - resumedAt).toBeLessThan(100)
    // From then on, in real time: 2 s of clock, about 2 s of audio, none of it bunched up.
    for (let i = 1; i < after.length; i++) expect(after[i]!.at - after[i - 1]!.at).toBeGreaterThan(150)
  })
})
