import { describe, expect, test } from 'bun:test'
import { parseStationConfig } from '../../src/config/schema.ts'
import { Station } from '../../src/station/station.ts'
import { done, refused } from '../../src/util/result.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { connectTestSource, drain, framesOf, liveTone } from '../helpers/live-feed.ts'
import { bitrateRuns, decodeMp3 } from '../helpers/source-client.ts'
import { FrameParser } from '../../src/format/frame-parser.ts'
import { advanceWithIo, ManualClock } from '../helpers/manual-clock.ts'

const info = { address: '192.0.2.1', userAgent: 'test', referer: '', request: 'GET /stream HTTP/1.1' }

describe('Station: fallback mounts and moving listeners', () => {
  const config = () =>
    parseStationConfig(
      {
        sourcePassword: 'x',
        mounts: [
          { path: '/live', fallbackMount: '/auto', burst: 1 },
          { path: '/auto', playlist: [fixtures.mp3(4, 440)], burst: 1 },
          { path: '/other', playlist: [fixtures.mp3(4, 660)], burst: 1 },
          { path: '/aac', playlist: [fixtures.aac(2)], burst: 1 },
        ],
      },
      'test',
    )

  test(
    'a listener of an off-air mount hears its fallback, follows it on air when a source connects and back when it leaves, on one stream',
    async () => {
      const clock = new ManualClock()
      const station = await Station.open(config(), { clock })
      station.start()
      const live = station.mount('/live')!
      const auto = station.mount('/auto')!
      await advanceWithIo(clock, 1500)
      expect(live.isOnAir).toBe(false)
      expect(station.routing.serving(live)).toBe(auto)
      const listener = station.addListener(live, info)
      const bytes = drain(listener)
      expect(auto.broadcaster.listeners()).toEqual([listener])
      await advanceWithIo(clock, 1000)
      const source = connectTestSource(live, await framesOf(liveTone()))
      for (let t = 0; t <= 2; t += 0.1) {
        source.pushUntil(t + 0.5)
        await advanceWithIo(clock, 100)
      }
      expect(live.isOnAir).toBe(true)
      expect(live.broadcaster.listeners()).toEqual([listener])
      expect(auto.broadcaster.size).toBe(0)
      source.feed.end('bye')
      await advanceWithIo(clock, 2000)
      expect(live.isOnAir).toBe(false)
      expect(auto.broadcaster.listeners()).toEqual([listener])
      expect(listener.isClosed).toBe(false)
      await station.stop()
      await Bun.sleep(5)
      const decoded = await decodeMp3(bytes())
      expect(decoded.errors).toEqual([])
      // Playlist (128 kbit/s), the whole live set (64 kbit/s, 2.5 s), playlist again: how much of the last
      // part went out before stop() depends on real file reads under the manual clock, so only its presence counts.
      const runs = bitrateRuns([...new FrameParser('mp3').push(bytes())])
      expect(runs.map(([bitrate]) => bitrate)).toEqual([128, 64, 128])
      // A live-only mount going off air holds back its last partial chunk (at most 0.25 s) until its next source.
      expect(runs[1]![1] * (1152 / 44100)).toBeGreaterThan(2.5 - 0.25 - 0.03)
    },
    20_000,
  )

  test('moveListeners moves every listener of a mount to another without closing them, and they stay there', async () => {
    const clock = new ManualClock()
    const station = await Station.open(config(), { clock })
    station.start()
    const auto = station.mount('/auto')!
    const other = station.mount('/other')!
    await advanceWithIo(clock, 500)
    const listeners = [station.addListener(auto, info), station.addListener(auto, info)]
    const ids = listeners.map((l) => l.id)
    const otherOwn = station.addListener(other, info)
    expect(new Set([...ids, otherOwn.id]).size).toBe(3)
    expect(station.moveListeners(auto, other)).toEqual(done(2))
    expect(auto.broadcaster.size).toBe(0)
    expect(other.broadcaster.listeners().map((l) => l.id).sort()).toEqual([...ids, otherOwn.id].sort())
    expect(station.routing.homeListeners(other).length).toBe(3)
    expect(listeners.every((l) => !l.isClosed)).toBe(true)
    // A mount of another format cannot take them: players cannot follow.
    expect(station.moveListeners(other, station.mount('/aac')!)).toEqual(
      refused(expect.stringContaining('/aac plays AAC 44100 Hz stereo and /other MP3 44100 Hz stereo')),
    )
    // Nor can an off-air mount without a fallback on air... /live falls back to /auto, which is on air.
    expect(station.moveListeners(other, station.mount('/live')!)).toEqual(done(3))
    expect(auto.broadcaster.size).toBe(3)
    await station.stop()
  })
})
