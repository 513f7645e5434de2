import { describe, expect, test } from 'bun:test'
import { BurstBuffer } from '../../src/broadcast/burst-buffer.ts'
import type { Chunk } from '../../src/pipeline/chunk.ts'

const track = { id: 1, origin: 'playlist' as const, title: 't' }
const chunk = (position: number, duration = 0.25, size = 4000): Chunk => ({
  data: new Uint8Array(size),
  duration,
  position,
  frames: 10,
  firstFrameLength: 400,
  track,
  trackStart: false,
})

describe('BurstBuffer', () => {
  test('keeps the fewest recent chunks that hold at least the burst duration', () => {
    const burst = new BurstBuffer(3)
    for (let i = 0; i < 40; i++) burst.push(chunk(i * 0.25))
    expect(burst.duration).toBeGreaterThanOrEqual(3)
    expect(burst.duration).toBeLessThan(3.25)
    expect(burst.chunks().map((c) => c.position)).toEqual([7, 7.25, 7.5, 7.75, 8, 8.25, 8.5, 8.75, 9, 9.25, 9.5, 9.75])
    expect(burst.bytes).toBe(12 * 4000)
  })

  test('holds everything while less than the burst has played', () => {
    const burst = new BurstBuffer(3)
    burst.push(chunk(0))
    burst.push(chunk(0.25))
    expect(burst.chunks()).toHaveLength(2)
  })

  test('shares the chunks it was given (no copies)', () => {
    const burst = new BurstBuffer(1)
    const c = chunk(0)
    burst.push(c)
    expect(burst.chunks()[0]).toBe(c)
  })

  test('a zero burst keeps nothing', () => {
    const burst = new BurstBuffer(0)
    burst.push(chunk(0))
    expect(burst.chunks()).toHaveLength(0)
  })
})
