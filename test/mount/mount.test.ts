import { describe, expect, test } from 'bun:test'
import type { MountConfig, MountConfigInput } from '../../src/config/schema.ts'
import { parseStationConfig } from '../../src/config/schema.ts'
import { Mount } from '../../src/mount/mount.ts'
import { done, refused } from '../../src/util/result.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { connectTestSource, drain, framesOf, liveTone } from '../helpers/live-feed.ts'
import { bitrateRuns, decodeMp3 } from '../helpers/source-client.ts'
import { FrameParser } from '../../src/format/frame-parser.ts'
import { advanceWithIo, ManualClock } from '../helpers/manual-clock.ts'

/** A mount's config as the station's validation makes it (defaults and station-wide settings filled in). */
const mountConfig = (input: MountConfigInput): MountConfig => parseStationConfig({ mounts: [input] }, 'test').mounts[0]!
const info = { address: '192.0.2.1', userAgent: 'test', referer: '', request: 'GET /stream HTTP/1.1' }

describe('Mount: live takeover and fallback to the playlist', () => {
  test('a listener hears playlist, live and playlist on one stream that decodes without errors', async () => {
    const clock = new ManualClock()
    const mount = await Mount.open(mountConfig({ path: '/stream', playlist: [fixtures.mp3(4, 440)], burst: 1 }), {
      clock,
    })
    mount.start()
    await advanceWithIo(clock, 1500)
    const listener = mount.broadcaster.add(info)
    const bytes = drain(listener)
    await advanceWithIo(clock, 1000)
    const source = connectTestSource(mount, await framesOf(liveTone()))
    for (let t = 0; t <= 2; t += 0.1) {
      source.pushUntil(t + 0.5)
      await advanceWithIo(clock, 100)
    }
    source.feed.end('bye')
    await advanceWithIo(clock, 2000)
    await mount.stop()
    await Bun.sleep(5)
    const decoded = await decodeMp3(bytes())
    expect(decoded.errors).toEqual([])
    expect(listener.closeReason).toBe('shutdown')
    // Playlist (128 kbit/s), the whole live set (64 kbit/s, 2.5 s), playlist again: how much of the last
    // part went out before stop() depends on real file reads under the manual clock, so only its presence counts.
    const runs = bitrateRuns([...new FrameParser('mp3').push(bytes())])
    expect(runs.map(([bitrate]) => bitrate)).toEqual([128, 64, 128])
    expect(runs[1]![1] * (1152 / 44100)).toBeGreaterThan(2.4)
  }, 20_000)

  test('a live source whose sample rate or channels differ from the playlist is refused with the reason', async () => {
    const mount = await Mount.open(mountConfig({ path: '/stream', playlist: [fixtures.mp3(1)] }))
    expect(mount.checkSource('live', 'mp3', { sampleRate: 48000 })).toEqual(
      refused(
        expect.stringContaining(
          '/stream plays MP3 44100 Hz stereo (its playlist) and this source differs (48000 Hz, mount is 44100 Hz)',
        ),
      ),
    )
    expect(mount.checkSource('live', 'aac')).toEqual(
      refused(expect.stringContaining('Content-type not supported: /stream plays MP3')),
    )
    expect(mount.admitStream({ format: 'mp3', sampleRate: 44100, channels: 1, bitrate: 64 })).toEqual(
      refused(expect.stringContaining('1 channel(s), mount has 2')),
    )
    expect(mount.admitStream({ format: 'mp3', sampleRate: 44100, channels: 2, bitrate: 64 })).toEqual(done())
    await mount.stop()
  })

  test('a second live source is refused while the first is connected', async () => {
    const mount = await Mount.open(mountConfig({ path: '/stream', playlist: [fixtures.mp3(1)] }))
    const first = connectTestSource(mount, await framesOf(liveTone()))
    expect(mount.checkSource('live', 'mp3')).toEqual(
      refused(expect.stringMatching(/^Mountpoint in use: \/stream already has a live source \(from test since /)),
    )
    expect(mount.checkSource('relay', 'mp3')).toEqual(done())
    first.feed.end('bye')
    expect(mount.checkSource('live', 'mp3')).toEqual(done())
    await mount.stop()
  })
})
