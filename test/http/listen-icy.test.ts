import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { FrameParser } from '../../src/format/frame-parser.ts'
import { icyValue } from '../../src/broadcast/icy-metadata.ts'
import { titleFromPath } from '../../src/input/track.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { rawBlocks, readIcy } from '../helpers/icy.ts'
import { record } from '../helpers/listen-client.ts'
import { startStation } from '../helpers/station.ts'

const METAINT = 4000
const HOSTILE = `Rock 'n' Roll';Part 2\n"Сплин" — 坂本龍一 🎵`
const tracks = [
  { path: fixtures.chirp(2, 200, { artist: 'Alpha Band', title: 'First Light' }), title: 'Alpha Band - First Light' },
  { path: fixtures.chirp(2, 500, { title: HOSTILE }), title: icyValue(HOSTILE) },
  { path: fixtures.chirp(2, 800), title: '' },
]
// Untagged: its title is its cleaned file name.
tracks[2]!.title = titleFromPath(tracks[2]!.path)

/** The bytes of a file's first two audio frames: where its track begins in a stream. */
const opening = (path: string) => {
  const parser = new FrameParser('mp3')
  const frames = [...parser.push(new Uint8Array(readFileSync(path))), ...parser.flush()]
  return { bytes: Buffer.concat([frames[0]!.data, frames[1]!.data]), firstFrame: frames[0]!.data.length }
}

let station: Awaited<ReturnType<typeof startStation>>
let plain: Buffer
let icy: Awaited<ReturnType<typeof record>>
beforeAll(async () => {
  station = await startStation([{
    path: '/stream',
    playlist: tracks.map((t) => t.path),
    burst: 1,
    chunkDuration: 0.1,
    metaint: METAINT,
  }])
  const [a, b] = await Promise.all([
    record(`${station.url}/stream`, 7000),
    record(`${station.url}/stream`, 7000, { headers: { 'Icy-MetaData': '1' } }),
  ])
  plain = a.data
  icy = b
}, 15_000)
afterAll(() => station.stop())

/** Checks each track start found in an ICY recording: its title comes after its first frame, within a metaint. */
const checkTiming = (data: Uint8Array) => {
  const audio = readIcy(data, METAINT).audio
  const blocks = rawBlocks(data, METAINT).map((b) => ({ ...b, title: /^StreamTitle='(.*?)';/s.exec(b.text)?.[1] }))
  let checked = 0
  for (const track of tracks) {
    const { bytes, firstFrame } = opening(track.path)
    for (let start = audio.indexOf(bytes); start >= 0; start = audio.indexOf(bytes, start + 1)) {
      const frameEnd = start + firstFrame
      const firstAfter = blocks.find((b) => b.audioOffset >= frameEnd)
      if (!firstAfter) continue
      // The block right after the first frame names the new track...
      expect(firstAfter.title).toBe(track.title)
      expect(firstAfter.audioOffset - frameEnd).toBeLessThan(METAINT)
      // ...and no block before the end of its first frame does (looking back well into the previous track).
      for (const b of blocks.filter((b) => b.audioOffset > start - 3 * METAINT && b.audioOffset < frameEnd)) {
        expect(b.title).not.toBe(track.title)
      }
      checked++
    }
  }
  return checked
}

describe('ICY metadata over HTTP', () => {
  test('only a listener that asks for it gets icy-metaint and metadata blocks', () => {
    expect(icy.headers.get('icy-metaint')).toBe(String(METAINT))
    expect(plain.includes('StreamTitle=')).toBe(false)
    expect(icy.data.includes('StreamTitle=')).toBe(true)
  })

  test('icecast-metadata-js recovers every title in order, and the audio is byte for byte the plain stream', () => {
    const reading = readIcy(icy.data, METAINT)
    expect(reading.errors).toEqual([])
    const expected = tracks.map((t) => t.title)
    const titles = reading.blocks.map((b) => b.title)
    expect(titles.length).toBeGreaterThanOrEqual(3)
    const start = expected.indexOf(titles[0]!)
    expect(start).toBeGreaterThanOrEqual(0)
    titles.forEach((title, i) => expect(title).toBe(expected[(start + i) % 3]!))
    // Both listeners connected together; from the first byte they share, their audio is identical.
    const offset = plain.indexOf(reading.audio.subarray(0, 4096))
    expect(offset).toBeGreaterThanOrEqual(0)
    const overlap = Math.min(plain.length - offset, reading.audio.length)
    expect(overlap).toBeGreaterThan(plain.length - 30_000)
    expect(plain.subarray(offset, offset + overlap).equals(reading.audio.subarray(0, overlap))).toBe(true)
  })

  test('a new title comes in the first block after the track’s first frame has been sent, and never before it', () => {
    expect(checkTiming(icy.data)).toBeGreaterThanOrEqual(3)
  })

  test('a listener whose burst spans a track change gets the old title first: titles follow its audio, not the live edge', async () => {
    const mount = station.station.mount('/stream')!
    await new Promise<void>((resolve) => {
      const stop = mount.observe((e) => e.type === 'track' && (stop(), resolve()))
    })
    await Bun.sleep(300)
    const previous = mount.history[0]!.track.title
    const late = await record(`${station.url}/stream`, 1500, { headers: { 'Icy-MetaData': '1' } })
    const first = rawBlocks(late.data, METAINT)[0]!
    expect(first.text.replace(/\0+$/, '')).toBe(`StreamTitle='${icyValue(previous)}';`)
    expect(checkTiming(late.data)).toBe(1)
  })
})
