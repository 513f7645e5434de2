import { describe, expect, test } from 'bun:test'
import type { OnAirJson } from '../../../src/web/client/api-types.d.ts'
import {
  backoffSeconds,
  formatDuration,
  LiveEdge,
  prefersHls,
  streamStart,
  Timeline,
  trackLines,
} from '../../../src/web/client/timeline.ts'

const track = (id: number, position: number, title = `Track ${id}`): OnAirJson => ({
  id,
  title,
  artist: null,
  song: null,
  album: null,
  duration: 10,
  origin: 'playlist',
  role: null,
  slot: null,
  startedAt: new Date(1_800_000_000_000 + position * 1000).toISOString(),
  position,
})

describe('Timeline', () => {
  test('tells which track is heard at a stream position: the last to begin at or before it', () => {
    const timeline = new Timeline()
    timeline.add(track(2, 10))
    timeline.add(track(1, 0))
    timeline.add(track(3, 20))
    expect(timeline.at(0)?.id).toBe(1)
    expect(timeline.at(9.9)?.id).toBe(1)
    expect(timeline.at(10)?.id).toBe(2)
    expect(timeline.at(25)?.id).toBe(3)
    expect(timeline.latest?.id).toBe(3)
    // Before anything known: the earliest known track.
    expect(new Timeline().at(5)).toBeUndefined()
    timeline.clear()
    expect(timeline.latest).toBeUndefined()
  })

  test('a track reported twice (by the events and the API) is kept once; it keeps the last 12', () => {
    const timeline = new Timeline()
    for (let i = 0; i < 20; i++) timeline.add(track(i, i * 10))
    timeline.add(track(19, 190))
    expect(timeline.before(timeline.latest!).map((t) => t.id)).toEqual([18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8])
  })
})

describe("the listener's place in the stream", () => {
  test('the live edge moves on in real time from its last report', () => {
    const live = new LiveEdge()
    expect(live.at(0)).toBeUndefined()
    live.report(40, 1000)
    expect(live.at(3500)).toBe(42.5)
    expect(live.reports).toBe(1)
    live.forget()
    expect(live.at(3500)).toBeUndefined()
  })

  test("a listener's audio begins a burst and a chunk before the live edge at its request, never before 0", () => {
    expect(streamStart(40, 3, 0.25)).toBe(36.75)
    expect(streamStart(1, 3, 0.25)).toBe(0)
  })
})

describe('HLS on the page', () => {
  test("an HLS player's place in the stream follows from its audio's date: the track on air then, and how long it had played", () => {
    const timeline = new Timeline()
    timeline.add(track(1, 0))
    timeline.add(track(2, 100))
    const at = (position: number) => 1_800_000_000_000 + position * 1000
    expect(timeline.positionAtDate(at(42.5))).toBe(42.5)
    expect(timeline.positionAtDate(at(130))).toBe(130)
    // Before the first known track: its start, as near as the page can tell.
    expect(timeline.positionAtDate(at(-20))).toBe(0)
    expect(new Timeline().positionAtDate(at(1))).toBeUndefined()
  })

  test("HLS where the browser plays it itself and is Apple's (Safari, iOS); the continuous stream elsewhere", () => {
    expect(prefersHls('maybe', 'Apple Computer, Inc.')).toBe(true)
    expect(prefersHls('', 'Apple Computer, Inc.')).toBe(false)
    // Chromium plays HLS itself too now, but the continuous stream is closer to live there.
    expect(prefersHls('maybe', 'Google Inc.')).toBe(false)
    expect(prefersHls('', '')).toBe(false)
  })
})

describe('reconnecting', () => {
  test('back-off doubles from 1 s up to 30 s, with ±25 % jitter', () => {
    expect([1, 2, 3, 4, 5, 6, 9].map((n) => backoffSeconds(n, () => 0.5))).toEqual([1, 2, 4, 8, 16, 30, 30])
    expect(backoffSeconds(3, () => 0)).toBe(3)
    expect(backoffSeconds(3, () => 1)).toBe(5)
  })
})

describe('formatting', () => {
  test('durations as m:ss or h:mm:ss', () => {
    expect([0, 5.9, 65, 3599, 3600, 3725].map(formatDuration)).toEqual([
      '0:00',
      '0:05',
      '1:05',
      '59:59',
      '1:00:00',
      '1:02:05',
    ])
  })

  test('a track shows as song and artist when both are known, else as its title', () => {
    expect(trackLines({ title: 'A - B', artist: 'A', song: 'B' })).toEqual({ song: 'B', artist: 'A' })
    expect(trackLines({ title: 'file name', artist: 'A', song: null })).toEqual({ song: 'file name', artist: '' })
  })
})
