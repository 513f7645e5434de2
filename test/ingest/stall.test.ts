import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { fixtures } from '../helpers/fixtures.ts'
import { advanceWithIo, ManualClock, waitFor } from '../helpers/manual-clock.ts'
import { basicAuth, rawSource, sourceHead } from '../helpers/source-client.ts'
import { startStation } from '../helpers/station.ts'

test(
  'a live source that stalls is dropped after the source timeout of the injected clock, and the playlist is back within a second',
  async () => {
    const clock = new ManualClock()
    const station = await startStation([{ path: '/stream', playlist: [fixtures.mp3(4, 440)], burst: 1 }], {
      clock,
      station: { sourcePassword: 's3cret', sourceTimeout: 10 },
    })
    const mount = station.station.mount('/stream')!
    try {
      await advanceWithIo(clock, 1000)
      // Two seconds of audio at once, then nothing, the connection held open.
      const source = rawSource(
        station.sourcePort!,
        sourceHead('PUT', '/stream', {
          Authorization: basicAuth('source', 's3cret'),
          'Content-Type': 'audio/mpeg',
          Expect: '100-continue',
        }),
        {
          body: readFileSync(fixtures.mp3(2, 880)),
          holdMs: 20_000,
        },
      )
      await waitFor(
        () => mount.source('live') !== undefined && mount.source('live')!.feed.received > 1.9,
        5000,
        'the source connected',
      )
      const connectedAt = clock.now()
      await advanceWithIo(clock, 1000)
      expect(mount.input).toBe('live')
      // Nine seconds of clock after its last byte, it is still the live source (listeners hear silence).
      await advanceWithIo(clock, 8_900)
      expect(mount.source('live')).toBeDefined()
      await advanceWithIo(clock, 200)
      await waitFor(
        () =>
          station.logs.some((l) =>
            l.includes(
              '[/stream] live source from 127.0.0.1 dropped after 10 s (2.0 s of audio): no data for 10 s (source timeout)',
            )
          ),
        3000,
        'the stall logged',
      )
      expect((await source).closed).toBe(true)
      const droppedAt = clock.now()
      await advanceWithIo(clock, 1000)
      expect(mount.input).toBe('playlist')
      expect(mount.onAir?.track.origin).toBe('playlist')
      expect(mount.onAir!.since - droppedAt).toBeLessThan(1000)
      expect(droppedAt - connectedAt).toBeGreaterThanOrEqual(10_000)
    } finally {
      await station.stop()
    }
  },
  30_000,
)
