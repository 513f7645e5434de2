import { describe, expect, test } from 'bun:test'
import { Chunker } from '../../src/pipeline/chunker.ts'
import { syntheticSource } from '../helpers/synthetic.ts'

const FRAME = 1152 / 44100

describe('Chunker', () => {
  test('groups whole frames into chunks of at least the chunk duration, positions adding up', async () => {
    const chunker = new Chunker(syntheticSource({ count: 200, framesPerTrack: 1000 }), 0.25)
    let position = 0
    let frames = 0
    for (let chunk = await chunker.next(); chunk; chunk = await chunker.next()) {
      expect(chunk.position).toBeCloseTo(position, 9)
      expect(chunk.duration).toBeCloseTo(chunk.frames * FRAME, 9)
      if (frames + chunk.frames < 200) expect(chunk.frames).toBe(10)
      position += chunk.duration
      frames += chunk.frames
    }
    expect(frames).toBe(200)
    expect(chunker.position).toBeCloseTo(200 * FRAME, 9)
  })

  test('never spans two tracks: a track always starts at the first byte of a chunk', async () => {
    const chunker = new Chunker(syntheticSource({ count: 100, framesPerTrack: 15 }), 0.25)
    const chunks = []
    for (let chunk = await chunker.next(); chunk; chunk = await chunker.next()) chunks.push(chunk)
    expect(chunks.map((c) => c.frames)).toEqual([10, 5, 10, 5, 10, 5, 10, 5, 10, 5, 10, 5, 10])
    expect(chunks.map((c) => c.trackStart)).toEqual(chunks.map((_, i) => i % 2 === 0))
    expect(new Set(chunks.map((c) => c.track.id)).size).toBe(7)
  })

  test('concatenates the frames byte for byte', async () => {
    const chunker = new Chunker(syntheticSource({ count: 3, sizes: () => 4 }), 1)
    const chunk = await chunker.next()
    expect([...chunk!.data]).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    expect(await chunker.next()).toBeUndefined()
  })
})
