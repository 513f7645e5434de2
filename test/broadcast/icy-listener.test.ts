import { describe, expect, test } from 'bun:test'
import { IcyListener } from '../../src/broadcast/icy-listener.ts'
import { Listener } from '../../src/broadcast/listener.ts'
import type { ListenerSink } from '../../src/broadcast/sink.ts'
import type { Chunk } from '../../src/pipeline/chunk.ts'
import type { Track } from '../../src/input/track.ts'
import { rawBlocks, readIcy } from '../helpers/icy.ts'
import { listenerOptions } from '../helpers/synthetic.ts'

const options = listenerOptions()
const track = (n: number): Track => ({ id: n, origin: 'playlist', title: `Track ${n}` })

/** Chunks of `size` bytes (frames of 100 bytes), `perTrack` chunks per track, bytes counting up. */
const chunks = (count: number, size: number, perTrack: number): Chunk[] =>
  Array.from({ length: count }, (_, i) => ({
    data: Uint8Array.from({ length: size }, (_, j) => (i * size + j) % 251),
    duration: 0.25,
    position: i * 0.25,
    frames: size / 100,
    firstFrameLength: 100,
    track: track(Math.floor(i / perTrack) + 1),
    trackStart: i % perTrack === 0,
  }))

const read = async (listener: Listener) => {
  const reader = listener.stream.getReader()
  const parts: Uint8Array[] = []
  listener.close('shutdown')
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value)
  return parts
}

describe('IcyListener', () => {
  test('inserts a block after every metaint audio bytes, counted from its first byte; the audio is unchanged', async () => {
    const all = chunks(40, 3000, 10)
    const plain = new Listener(options)
    const icy = new IcyListener(options, { metaint: 7000 })
    for (const c of all) {
      plain.sendNow(c)
      icy.sendNow(c)
    }
    const plainBytes = Buffer.concat(await read(plain))
    const icyBytes = Buffer.concat(await read(icy))
    const reading = readIcy(icyBytes, 7000)
    expect(reading.errors).toEqual([])
    expect(reading.audio.equals(plainBytes)).toBe(true)
    expect(rawBlocks(icyBytes, 7000).map((b) => b.audioOffset)).toEqual(
      Array.from({ length: Math.floor(120_000 / 7000) }, (_, i) => (i + 1) * 7000),
    )
  })

  test('a title is sent once, in the first block after the new track’s first frame; unchanged titles are empty blocks', async () => {
    const icy = new IcyListener(options, { metaint: 2500 })
    for (const c of chunks(12, 1000, 4)) icy.sendNow(c)
    const data = Buffer.concat(await read(icy))
    // Track 2 starts at audio byte 4000, track 3 at 8000: their titles come in the blocks after 4100 and 8100.
    expect(rawBlocks(data, 2500).map((b) => [b.audioOffset, b.text.replace(/\0+$/, '')])).toEqual([
      [2500, "StreamTitle='Track 1';"],
      [5000, "StreamTitle='Track 2';"],
      [7500, ''],
      [10_000, "StreamTitle='Track 3';"],
    ])
  })

  test('a block that falls inside a new track’s first frame still carries the old title', async () => {
    const icy = new IcyListener(options, { metaint: 4050 })
    for (const c of chunks(8, 1000, 4)) icy.sendNow(c)
    const titles = rawBlocks(Buffer.concat(await read(icy)), 4050).map((b) => b.text.replace(/\0+$/, ''))
    expect(titles).toEqual(["StreamTitle='Track 1';"])
    const later = new IcyListener(options, { metaint: 4100 })
    for (const c of chunks(9, 1000, 4)) later.sendNow(c)
    // At 4100 the first frame of track 2 (4000-4100) is complete: its title goes out.
    expect(rawBlocks(Buffer.concat(await read(later)), 4100).map((b) => b.text.replace(/\0+$/, ''))).toEqual([
      "StreamTitle='Track 2';",
      "StreamTitle='Track 3';",
    ])
  })

  test('chunks with no block boundary are passed on as the shared chunk itself, never copied', async () => {
    const all = chunks(6, 1000, 6)
    const icy = new IcyListener(options, { metaint: 16_000 })
    for (const c of all) icy.sendNow(c)
    const parts = await read(icy)
    parts.forEach((part, i) => expect(part).toBe(all[i]!.data))
  })

  test('on a connection that takes pieces, a chunk with a block goes out as the chunk’s own bytes around the block: nothing copied', () => {
    const written: Uint8Array[][] = []
    const sink: ListenerSink = {
      open: true,
      queued: 0,
      write: (bytes) => written.push([bytes]),
      writeParts: (parts) => written.push([...parts]),
      end: () => {},
      abort: () => {},
    }
    const icy = new IcyListener(listenerOptions({ openSink: () => sink }), { metaint: 2500 })
    const [first, second] = chunks(2, 2000, 10)
    icy.sendNow(first!)
    icy.sendNow(second!)
    expect(written[0]).toEqual([first!.data])
    const [before, block, after] = written[1]!
    expect(before!.buffer).toBe(second!.data.buffer)
    expect([before!.byteOffset, before!.length]).toEqual([second!.data.byteOffset, 500])
    expect(Buffer.from(block!).toString('latin1')).toStartWith(String.fromCharCode(2) + "StreamTitle='Track 1';")
    expect(after!.buffer).toBe(second!.data.buffer)
    expect(after!.length).toBe(1500)
    expect(icy.bytesEnqueued).toBe(4000 + block!.length)
  })
})
