import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { FrameFeed } from '../../../src/input/stream/feed.ts'
import { StreamInput } from '../../../src/input/stream/stream-input.ts'
import { done, refused } from '../../../src/util/result.ts'
import { fixtures, noise, tone } from '../../helpers/fixtures.ts'

const FRAME = 1152 / 44100

describe('StreamInput', () => {
  test('parses only while the feed wants more; the rest waits unparsed until the feed drains', () => {
    const feed = new FrameFeed({ kind: 'live', title: 'x', maxAhead: 2 })
    const input = new StreamInput({ format: 'mp3', feed, admit: () => done() })
    const bytes = readFileSync(fixtures.mp3(8, 440))
    expect(input.write(bytes)).toEqual(done())
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
    const input = new StreamInput({ format: 'mp3', feed, admit: () => done() })
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
    const garbage = new StreamInput({
      format: 'mp3',
      feed: new FrameFeed({ kind: 'live', title: 'x' }),
      admit: () => done(),
    })
    expect(garbage.write(noise(40_000, 3))).toEqual(done())
    expect(garbage.write(noise(40_000, 4))).toEqual(
      refused('sent 78 KiB without a single MP3 frame: not MP3 audio, or corrupt'),
    )
    const refusing = new StreamInput({
      format: 'mp3',
      feed: new FrameFeed({ kind: 'live', title: 'x' }),
      admit: (p) => (p.sampleRate === 48000 ? refused('no 48 kHz here') : done()),
    })
    expect(refusing.write(readFileSync(fixtures.mp3At48k()))).toEqual(refused('no 48 kHz here'))
  })

  test('a stream that changes sample rate midway is dropped with the reason', () => {
    const feed = new FrameFeed({ kind: 'live', title: 'x', maxAhead: 100 })
    const input = new StreamInput({ format: 'mp3', feed, admit: () => done() })
    expect(input.write(readFileSync(fixtures.mp3(2)))).toEqual(done())
    expect(input.write(readFileSync(fixtures.mp3At48k()))).toEqual(
      refused(
        'changed from MP3 44100 Hz stereo to MP3 48000 Hz stereo mid-stream; players cannot follow such a change (reconnect with the new settings)',
      ),
    )
  })

  test('an Ogg stream: its codec from its first page, each logical stream a track titled from its comment header, header pages before its audio', () => {
    const feed = new FrameFeed({ kind: 'live', title: 'DJ', maxAhead: 100 })
    const admitted: string[] = []
    const input = new StreamInput({ format: 'ogg', feed, admit: (p) => (admitted.push(p.format), done()) })
    const songs = [fixtures.opus(2, 440, { title: 'One', artist: 'DJ' }), fixtures.opus(2, 660, { title: 'Two' })]
    for (const song of songs) expect(input.write(readFileSync(song))).toEqual(done())
    input.end()
    expect(admitted).toEqual(['opus'])
    const items = []
    for (let item = feed.shift(); item; item = feed.shift()) items.push(item)
    const runs = items.map(({ frame, track }) => `${track.title}${frame.page!.header ? ' header' : ''}`)
      .filter((run, i, all) => run !== all[i - 1])
    expect(runs).toEqual(['DJ - One header', 'DJ - One', 'Two header', 'Two'])
    expect(items.find((item) => item.track.title === 'DJ - One')!.track).toMatchObject({ artist: 'DJ', song: 'One' })
  })

  test('an Ogg stream that changes codec midway (a chain link of another codec) is dropped with the reason', () => {
    const feed = new FrameFeed({ kind: 'live', title: 'x', maxAhead: 100 })
    const input = new StreamInput({ format: 'ogg', feed, admit: () => done() })
    const vorbis48k = tone({ seconds: 3, sampleRate: 48_000, codec: ['-c:a', 'libvorbis'], ext: 'ogg' })
    expect(input.write(readFileSync(fixtures.opus(2)))).toEqual(done())
    expect(input.write(readFileSync(vorbis48k))).toEqual(
      refused(
        'changed from Opus 48000 Hz stereo to Vorbis 48000 Hz stereo mid-stream; players cannot follow such a change (reconnect with the new settings)',
      ),
    )
    const heard = []
    for (let item = feed.shift(); item; item = feed.shift()) heard.push(item.frame.format)
    expect(new Set(heard)).toEqual(new Set(['opus']))
  })
})
