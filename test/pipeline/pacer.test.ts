import { describe, expect, test } from 'bun:test'
import type { Chunk } from '../../src/pipeline/chunk.ts'
import { Chunker } from '../../src/pipeline/chunker.ts'
import { Pacer } from '../../src/pipeline/pacer.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { syntheticSource } from '../helpers/synthetic.ts'

const FRAME = 1152 / 44100

const setup = (chunkDuration = 0.25, maxCatchUp = 5, lateness?: () => number) => {
  const clock = new ManualClock({ lateness })
  const chunker = new Chunker(syntheticSource(), chunkDuration)
  const sent: { chunk: Chunk; at: number }[] = []
  const pacer = new Pacer(() => chunker.next(), (chunk) => sent.push({ chunk, at: clock.now() }), { clock, maxCatchUp })
  const running = pacer.run()
  const seconds = () => sent.reduce((sum, s) => sum + s.chunk.duration, 0)
  const bytes = () => sent.reduce((sum, s) => sum + s.chunk.data.length, 0)
  return { clock, pacer, sent, running, seconds, bytes }
}

describe('Pacer', () => {
  test(
    'over two simulated hours of late-firing timers, audio sent follows the clock within 0.1% and never runs ahead',
    async () => {
      // Every timer fires 0-4 ms late, as real ones do; pacing against relative delays would drift by minutes.
      let seed = 7
      const lateness = () => ((seed = (seed * 48271) % 2147483647) % 5)
      const { clock, pacer, sent, running, seconds, bytes } = setup(0.25, 5, lateness)
      const byteRate = (200 + 999) / 2 / FRAME
      for (let minute = 1; minute <= 120; minute++) {
        await clock.advance(60_000)
        const elapsed = clock.now() / 1000
        // A chunk is released when its first frame is due: what was sent covers all of [0, elapsed]
        // and no more than the chunk in progress beyond it.
        const last = sent.at(-1)!.chunk
        expect(last.position).toBeLessThanOrEqual(elapsed)
        expect(last.position + last.duration).toBeGreaterThan(elapsed - 0.005)
        if (minute >= 10) {
          expect(Math.abs(seconds() - elapsed) / elapsed).toBeLessThan(0.001)
          expect(Math.abs(bytes() / elapsed - byteRate) / byteRate).toBeLessThan(0.001)
        }
        for (const { chunk, at } of sent.slice(-50)) expect(at).toBeGreaterThanOrEqual(chunk.position * 1000)
      }
      // The last chunk went out within one timer's lateness of when it was due: no drift accumulated.
      const last = sent.at(-1)!
      expect(last.at - last.chunk.position * 1000).toBeLessThan(5)
      pacer.stop()
      await clock.advance(1000)
      await running
    },
    60_000,
  )

  test('bytes sent by any moment equal those of the frames due by then', async () => {
    const { clock, pacer, sent, running } = setup(0.1)
    await clock.advance(30_000)
    const sizes = (i: number) => 200 + ((i * 7919) % 800)
    let owedBytes = 0
    let i = 0
    for (; i * FRAME <= clock.now() / 1000 + 1e-9; i++) owedBytes += sizes(i)
    const sentBytes = sent.reduce((sum, s) => sum + s.chunk.data.length, 0)
    const sentFrames = sent.reduce((sum, s) => sum + s.chunk.frames, 0)
    // Sent = the frames whose time has come, completed to a whole chunk (at most 0.1 s more).
    expect(sentFrames).toBeGreaterThanOrEqual(i)
    expect(sentFrames - i).toBeLessThanOrEqual(Math.ceil(0.1 / FRAME))
    expect(sentBytes).toBeGreaterThanOrEqual(owedBytes)
    pacer.stop()
    await clock.advance(500)
    await running
  })

  test('a 2 s stall of the event loop is caught up at once, without sending more than is owed', async () => {
    const { clock, pacer, sent, running, seconds } = setup()
    await clock.advance(10_000)
    const before = sent.length
    clock.stall(2000)
    await clock.advance(0)
    const burst = sent.slice(before)
    // Everything due during the stall went out in one go, at the stall's end...
    expect(burst.reduce((sum, s) => sum + s.chunk.duration, 0)).toBeGreaterThan(2 - 0.25 - FRAME)
    for (const s of burst) expect(s.at).toBe(12_000)
    // ...and nothing that was not yet due.
    for (const s of burst) expect(s.chunk.position).toBeLessThanOrEqual(12)
    expect(seconds()).toBeGreaterThanOrEqual(12)
    expect(seconds()).toBeLessThan(12 + 0.25 + FRAME)
    // Afterwards the schedule is the original one: no time was lost or gained.
    await clock.advance(8000)
    expect(Math.abs(seconds() - 20)).toBeLessThan(0.25 + FRAME)
    expect(pacer.skippedMs).toBe(0)
    pacer.stop()
    await clock.advance(500)
    await running
  })

  test('a stall longer than maxCatchUp skips ahead instead of flooding listeners with the backlog', async () => {
    const { clock, pacer, sent, running, seconds } = setup(0.25, 5)
    await clock.advance(10_000)
    const before = sent.length
    clock.stall(60_000)
    await clock.advance(0)
    expect(sent.length - before).toBe(1)
    expect(pacer.skippedMs).toBeGreaterThan(59_000)
    const afterStall = seconds()
    await clock.advance(10_000)
    expect(Math.abs(seconds() - afterStall - 10)).toBeLessThan(0.25 + FRAME)
    pacer.stop()
    await clock.advance(500)
    await running
  })

  test('stops promptly, even while waiting for the next chunk', async () => {
    const { clock, pacer, running } = setup()
    await clock.advance(1000)
    pacer.stop()
    await running
    expect(clock.pending).toBe(0)
  })
})
