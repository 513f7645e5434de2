import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { ChunkedDecoder } from '../../../src/net/chunked.ts'
import { FrameFeed } from '../../../src/input/live/feed.ts'
import { StreamInput } from '../../../src/input/live/stream-input.ts'
import { fixtures, noise } from '../../helpers/fixtures.ts'

const FRAME = 1152 / 44100

describe('StreamInput', () => {
  test('parses only while the feed wants more; the rest waits unparsed until the feed drains', () => {
    const feed = new FrameFeed({ kind: 'live', title: 'x', maxAhead: 2 })
    const input = new StreamInput({ format: 'mp3', feed, admit: () => undefined })
    const bytes = readFileSync(fixtures.mp3(8, 440))
    expect(input.write(bytes)).toBeUndefined()
    // 8 s arrived in one read; the feed holds its 2 s limit, the rest waits.
    expect(feed.queuedSeconds).toBeGreaterThanOrEqual(2)
    expect(feed.queuedSeconds).toBeLessThan(2 + FRAME + 1e-9)
    expect(input.backlogged).toBe(true)
    let taken = 0
    feed.onResume = () => input.pump()
    while (feed.shift()) taken++
    input.end()
    while (feed.shift()) taken++
    expect(taken * FRAME).toBeGreaterThan(7.9)
    expect(input.backlogged).toBe(false)
  })

  test('titles apply in order with the bytes: frames written before a title keep the old one', () => {
    const feed = new FrameFeed({ kind: 'relay', title: 'Old', maxAhead: 1 })
    const input = new StreamInput({ format: 'mp3', feed, admit: () => undefined })
    const bytes = readFileSync(fixtures.mp3(4, 440))
    input.write(bytes.subarray(0, bytes.length / 2))
    input.setTitle('New')
    input.write(bytes.subarray(bytes.length / 2))
    feed.onResume = () => input.pump()
    const titles: string[] = []
    for (let item = feed.shift(); item; item = feed.shift()) titles.push(item.track.title)
    input.end()
    for (let item = feed.shift(); item; item = feed.shift()) titles.push(item.track.title)
    const firstNew = titles.indexOf('New')
    expect(firstNew * FRAME).toBeGreaterThan(1.8)
    expect(firstNew * FRAME).toBeLessThan(2.2)
    expect(titles.slice(firstNew).every((t) => t === 'New')).toBe(true)
  })

  test('refuses what is not audio of its format, and parameters the mount does not take', () => {
    const garbage = new StreamInput({ format: 'mp3', feed: new FrameFeed({ kind: 'live', title: 'x' }), admit: () => undefined })
    expect(garbage.write(noise(40_000, 3))).toBeUndefined()
    expect(garbage.write(noise(40_000, 4))).toBe('sent 78 KiB without a single MP3 frame: not MP3 audio, or corrupt')
    const refused = new StreamInput({ format: 'mp3', feed: new FrameFeed({ kind: 'live', title: 'x' }), admit: (p) => (p.sampleRate === 48000 ? 'no 48 kHz here' : undefined) })
    expect(refused.write(readFileSync(fixtures.mp3At48k()))).toBe('no 48 kHz here')
  })

  test('a stream that changes sample rate midway is dropped with the reason', () => {
    const feed = new FrameFeed({ kind: 'live', title: 'x', maxAhead: 100 })
    const input = new StreamInput({ format: 'mp3', feed, admit: () => undefined })
    expect(input.write(readFileSync(fixtures.mp3(2)))).toBeUndefined()
    expect(input.write(readFileSync(fixtures.mp3At48k()))).toBe('changed from MP3 44100 Hz stereo to MP3 48000 Hz stereo mid-stream; players cannot follow such a change (reconnect with the new settings)')
  })
})

describe('ChunkedDecoder', () => {
  test('decodes a chunked body across any split, with extensions and trailers', () => {
    const body = Buffer.from('4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\n')
    for (const size of [1, 3, 10, body.length]) {
      const decoder = new ChunkedDecoder()
      const out: Uint8Array[] = []
      for (let at = 0; at < body.length; at += size) out.push(...decoder.push(body.subarray(at, at + size)))
      expect(Buffer.concat(out).toString()).toBe('Wikipedia in\r\n\r\nchunks.')
      expect(decoder.done).toBe(true)
    }
  })

  test('malformed chunk sizes throw', () => {
    expect(() => new ChunkedDecoder().push(Buffer.from('zz\r\n'))).toThrow('bad chunk size')
  })
})
