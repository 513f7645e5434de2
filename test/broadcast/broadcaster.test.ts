import { describe, expect, test } from 'bun:test'
import { Broadcaster, SLICE } from '../../src/broadcast/broadcaster.ts'
import type { CloseReason, ListenerOptions } from '../../src/broadcast/listener.ts'
import { Listener } from '../../src/broadcast/listener.ts'
import { Chunker } from '../../src/pipeline/chunker.ts'
import type { Chunk } from '../../src/pipeline/chunk.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { syntheticSource } from '../helpers/synthetic.ts'

const info = (n: number) => ({
  address: `192.0.2.${n}`,
  userAgent: 'test',
  referer: '',
  request: 'GET /stream HTTP/1.1',
})

/** Chunks of about 0.25 s (about 6 kB each) from the synthetic source. */
const chunks = async (count: number): Promise<Chunk[]> => {
  const chunker = new Chunker(syntheticSource(), 0.25)
  const out: Chunk[] = []
  for (let i = 0; i < count; i++) out.push((await chunker.next())!)
  return out
}

/** Reads a stream into one byte array, as fast as it comes. */
const drain = (listener: Listener) => {
  const reader = listener.stream.getReader()
  const parts: Uint8Array[] = []
  const done = (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value)
  })().catch(() => {})
  const bytes = () => Buffer.concat(parts)
  return { reader, bytes, done }
}

const make = (options: Partial<{ burstSeconds: number; slowLimit: number; highWaterMark: number }> = {}) =>
  new Broadcaster({ burstSeconds: 3, slowLimit: 10, highWaterMark: 64 * 1024, clock: new ManualClock(), ...options })

describe('Broadcaster', () => {
  test('a new listener gets the burst at once, from a chunk (frame) boundary, then the live chunks', async () => {
    const broadcaster = make()
    const all = await chunks(40)
    for (const c of all.slice(0, 20)) broadcaster.publish(c)
    const listener = broadcaster.add(info(1))
    const { bytes } = drain(listener)
    await Bun.sleep(1)
    const burst = broadcaster.burst.chunks()
    expect(burst.reduce((s, c) => s + c.duration, 0)).toBeGreaterThanOrEqual(3)
    const expected = Buffer.concat(burst.map((c) => c.data))
    expect([bytes().length, bytes().equals(expected)]).toEqual([expected.length, true])
    for (const c of all.slice(20)) {
      broadcaster.publish(c)
      await Bun.sleep(0)
    }
    const whole = Buffer.concat([...burst, ...all.slice(20)].map((c) => c.data))
    expect([bytes().length, bytes().equals(whole)]).toEqual([whole.length, true])
  })

  test('listeners who join at different times receive identical bytes where they overlap', async () => {
    const broadcaster = make({ burstSeconds: 1 })
    const all = await chunks(60)
    const readers: ReturnType<typeof drain>[] = []
    const starts: number[] = []
    for (const [i, c] of all.entries()) {
      if (i === 5 || i === 20 || i === 40) {
        starts.push(broadcaster.burst.chunks()[0]?.position ?? 0)
        readers.push(drain(broadcaster.add(info(i))))
      }
      broadcaster.publish(c)
      await Bun.sleep(0)
    }
    await Bun.sleep(1)
    const stream = Buffer.concat(all.map((c) => c.data))
    const offsetOf = (position: number) =>
      all.filter((c) => c.position < position - 1e-9).reduce((n, c) => n + c.data.length, 0)
    readers.forEach((reader, i) => {
      const got = reader.bytes()
      const from = offsetOf(starts[i]!)
      expect(got.length).toBe(stream.length - from)
      expect(got.equals(stream.subarray(from))).toBe(true)
    })
  })

  test('the same chunk object reaches every listener, and nothing writes to a chunk after it is published', async () => {
    const broadcaster = make()
    const all = await chunks(200)
    const snapshots = all.map((c) => Buffer.from(c.data))
    const readers = [1, 2, 3].map((n) => drain(broadcaster.add(info(n))))
    for (const c of all) {
      broadcaster.publish(c)
      await Bun.sleep(0)
    }
    // Every byte every listener and the burst buffer ever had is still what the chunk held when published.
    all.forEach((c, i) => expect(Buffer.from(c.data).equals(snapshots[i]!)).toBe(true))
    for (const reader of readers) expect(reader.bytes().equals(Buffer.concat(snapshots))).toBe(true)
  })

  test('a listener that stops reading is skipped, never holds up the others, and is dropped after the slow limit', async () => {
    const broadcaster = make({ slowLimit: 10, highWaterMark: 32 * 1024 })
    const all = await chunks(200)
    const fast = drain(broadcaster.add(info(1)))
    const slow = broadcaster.add(info(2))
    const reasons: CloseReason[] = []
    slow.closed.then((r) => reasons.push(r))
    let queuedMax = 0
    let droppedAt: number | undefined
    for (const c of all) {
      broadcaster.publish(c)
      await Bun.sleep(0)
      queuedMax = Math.max(queuedMax, slow.queuedBytes)
      if (slow.isClosed && droppedAt === undefined) droppedAt = c.position + c.duration
    }
    // The fast listener got every chunk.
    expect(fast.bytes().equals(Buffer.concat(all.map((c) => c.data)))).toBe(true)
    // The slow one's queue never grew past its high-water mark plus one chunk: memory stays bounded.
    expect(queuedMax).toBeLessThanOrEqual(32 * 1024 + 8 * 1024)
    // It filled its queue (32 kB, 1.4 s of this 23 kB/s source) and was dropped once 10 s more had been skipped.
    expect(reasons).toEqual(['slow'])
    expect(droppedAt).toBeGreaterThan(11)
    expect(droppedAt).toBeLessThan(12.5)
    expect(slow.skippedTotal).toBeGreaterThan(10)
    expect(broadcaster.size).toBe(1)
    expect(broadcaster.stats.slowDrops).toBe(1)
  })

  test('a listener that resumes reading before the limit is kept, and only the chunks it could not take are skipped', async () => {
    const broadcaster = make({ slowLimit: 10, highWaterMark: 16 * 1024 })
    const all = await chunks(80)
    const listener = broadcaster.add(info(1))
    for (const c of all.slice(0, 40)) broadcaster.publish(c)
    const { bytes } = drain(listener)
    await Bun.sleep(1)
    for (const c of all.slice(40)) {
      broadcaster.publish(c)
      await Bun.sleep(0)
    }
    expect(listener.isClosed).toBe(false)
    expect(listener.skippedTotal).toBeGreaterThan(5)
    expect(listener.skippedTotal).toBeLessThan(10)
    // After it caught up it received every chunk.
    expect(
      bytes().subarray(-all.slice(40).reduce((n, c) => n + c.data.length, 0)).equals(
        Buffer.concat(all.slice(40).map((c) => c.data)),
      ),
    ).toBe(true)
  })

  test('a listener that leaves is removed at once, and nothing is enqueued into its closed stream', async () => {
    const broadcaster = make()
    const all = await chunks(20)
    const events: string[] = []
    broadcaster.observe((e) => events.push(`${e.type}:${e.listener.id}${e.type === 'leave' ? `:${e.reason}` : ''}`))
    const listener = broadcaster.add(info(1))
    broadcaster.publish(all[0]!)
    await listener.stream.cancel()
    expect(broadcaster.size).toBe(0)
    expect(await listener.closed).toBe('client')
    const before = listener.bytesEnqueued
    for (const c of all.slice(1)) broadcaster.publish(c)
    expect(listener.bytesEnqueued).toBe(before)
    expect(events).toEqual(['join:1', 'leave:1:client'])
  })

  test('closing for shutdown delivers what was queued and ends the stream cleanly', async () => {
    const broadcaster = make()
    const all = await chunks(20)
    for (const c of all) broadcaster.publish(c)
    const listener = broadcaster.add(info(1))
    broadcaster.closeAll('shutdown')
    const { bytes, done } = drain(listener)
    await done
    expect(bytes().length).toBe(broadcaster.burst.bytes)
    expect(await listener.closed).toBe('shutdown')
  })

  test('counts peak listeners and connections', () => {
    const broadcaster = make()
    const a = broadcaster.add(info(1))
    broadcaster.add(info(2))
    a.close('kicked')
    broadcaster.add(info(3))
    expect(broadcaster.stats).toMatchObject({ peak: 2, connections: 3, slowDrops: 0 })
    expect(broadcaster.get(a.id)).toBeUndefined()
  })

  test('transfer moves a listener to another broadcaster without closing it: from then on it gets the chunks of the new one, without a burst', async () => {
    let id = 0
    const nextId = () => ++id
    const one = new Broadcaster({
      burstSeconds: 3,
      slowLimit: 10,
      highWaterMark: 64 * 1024,
      clock: new ManualClock(),
      nextId,
    })
    const two = new Broadcaster({
      burstSeconds: 3,
      slowLimit: 10,
      highWaterMark: 64 * 1024,
      clock: new ManualClock(),
      nextId,
    })
    const events: string[] = []
    one.observe((e) => events.push(`one:${e.type}:${e.listener.id}${e.type === 'leave' ? `:${e.reason}` : ''}`))
    two.observe((e) => events.push(`two:${e.type}:${e.listener.id}${e.type === 'leave' ? `:${e.reason}` : ''}`))
    const all = await chunks(40)
    for (const c of all.slice(0, 20)) two.publish(c)
    const listener = one.add(info(1))
    const resident = two.add(info(2))
    expect([listener.id, resident.id]).toEqual([1, 2])
    const { bytes } = drain(listener)
    one.publish(all[0]!)
    expect(one.transfer(listener, two)).toBe(true)
    expect(listener.host).toBe(two)
    one.publish(all[1]!)
    two.publish(all[20]!)
    await Bun.sleep(1)
    expect(bytes().equals(Buffer.concat([all[0]!.data, all[20]!.data]))).toBe(true)
    expect([one.size, two.size, two.stats.peak]).toEqual([0, 2, 2])
    // Closing it now removes it from the broadcaster it belongs to.
    listener.close('kicked')
    expect(two.size).toBe(1)
    expect(listener.host).toBeUndefined()
    expect(events).toEqual(['one:join:1', 'two:join:2', 'one:leave:1:moved', 'two:join:1', 'two:leave:1:kicked'])
    expect(one.transfer(listener, two)).toBe(false)
  })
})

/** A listener that notes the chunks written to it, in order (and holds no bytes). */
class Recorder extends Listener {
  readonly got: Chunk[] = []
  protected override write(chunk: Chunk): void {
    this.got.push(chunk)
  }
}

describe('Broadcaster with thousands of listeners', () => {
  /** A broadcaster whose next slices run when the test says (as the event loop would, between I/O). */
  const sliced = () => {
    const queue: (() => void)[] = []
    const broadcaster = new Broadcaster({
      burstSeconds: 1,
      slowLimit: 10,
      highWaterMark: 64 * 1024,
      clock: new ManualClock(),
      defer: (next) => queue.push(next),
    })
    const runDeferred = () => {
      while (queue.length > 0) queue.shift()!()
    }
    const add = (n: number) =>
      Array.from(
        { length: n },
        (_, i) => broadcaster.add(info(i % 250), (o: ListenerOptions) => new Recorder(o)) as Recorder,
      )
    return { broadcaster, queue, runDeferred, add }
  }

  test(`a chunk goes out in slices of ${SLICE}, the event loop served between them; every listener gets it`, async () => {
    const [a, b] = await chunks(2)
    const { broadcaster, queue, runDeferred, add } = sliced()
    const listeners = add(SLICE * 2 + 100)
    broadcaster.publish(a!)
    expect(listeners.filter((l) => l.got.length === 1).length).toBe(SLICE)
    expect(queue.length).toBe(1)
    runDeferred()
    expect(listeners.every((l) => l.got.length === 1 && l.got[0] === a)).toBe(true)
    broadcaster.publish(b!)
    runDeferred()
    expect(listeners.every((l) => l.got[1] === b)).toBe(true)
  })

  test('up to one slice of listeners, a chunk is written to all at once', async () => {
    const [a] = await chunks(1)
    const { broadcaster, queue, add } = sliced()
    const listeners = add(SLICE)
    broadcaster.publish(a!)
    expect(listeners.every((l) => l.got[0] === a)).toBe(true)
    expect(queue.length).toBe(0)
  })

  test('the next chunk finishes the one before first: each listener gets every chunk once, in order', async () => {
    const all = await chunks(3)
    const { broadcaster, runDeferred, add } = sliced()
    const listeners = add(SLICE * 3)
    for (const chunk of all) broadcaster.publish(chunk)
    runDeferred()
    expect(listeners.every((l) => l.got.length === 3 && l.got.every((c, i) => c === all[i]))).toBe(true)
  })

  test('one who joins during a slow fan-out gets the chunk once, in its burst; one who leaves or moves gets no more of it', async () => {
    const [a, b] = await chunks(2)
    const { broadcaster, runDeferred, add } = sliced()
    const other = new Broadcaster({
      burstSeconds: 1,
      slowLimit: 10,
      highWaterMark: 64 * 1024,
      clock: new ManualClock(),
    })
    const listeners = add(SLICE * 2)
    broadcaster.publish(a!)
    const late = add(1)[0]!
    const leaving = listeners.at(-1)!
    const moving = listeners.at(-2)!
    leaving.close('client')
    broadcaster.transfer(moving, other)
    runDeferred()
    expect(late.got).toEqual([a!])
    expect(leaving.got).toEqual([])
    expect(moving.got).toEqual([])
    other.publish(b!)
    broadcaster.publish(b!)
    runDeferred()
    expect(late.got).toEqual([a!, b!])
    expect(moving.got).toEqual([b!])
    expect(listeners.slice(0, -2).every((l) => l.got.length === 2)).toBe(true)
  })
})
