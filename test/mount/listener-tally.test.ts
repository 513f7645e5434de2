import { describe, expect, test } from 'bun:test'
import { Broadcaster } from '../../src/broadcast/broadcaster.ts'
import type { ListenerCounts } from '../../src/mount/listener-tally.ts'
import { COUNTS_SETTLE_MS, ListenerTally } from '../../src/mount/listener-tally.ts'
import { ManualClock } from '../helpers/manual-clock.ts'

const info = (address: string, userAgent = 'VLC/3.0.20') => ({
  address,
  userAgent,
  referer: '',
  request: 'GET /stream HTTP/1.1',
})

const setup = () => {
  const clock = new ManualClock()
  const broadcaster = new Broadcaster({ burstSeconds: 3, slowLimit: 10, highWaterMark: 64 * 1024, clock })
  const announced: ListenerCounts[] = []
  const tally = new ListenerTally(clock, (counts) => announced.push(counts))
  broadcaster.observe((event) => tally.record(event, broadcaster.size, broadcaster.stats.peak))
  return { clock, broadcaster, tally, announced }
}

describe('ListenerTally', () => {
  test('counts connections, the peak, and distinct address + user agent pairs as listeners come and go', () => {
    const { broadcaster, tally } = setup()
    const a = broadcaster.add(info('192.0.2.1'))
    broadcaster.add(info('192.0.2.1'))
    broadcaster.add(info('192.0.2.1', 'mpv'))
    const d = broadcaster.add(info('192.0.2.2'))
    expect(tally.counts).toEqual({ current: 4, peak: 4, unique: 3 })
    a.close('client')
    d.close('client')
    expect(tally.counts).toEqual({ current: 2, peak: 4, unique: 2 })
  })

  test('a flood of joins is announced once per settle interval, with the counts at its end', async () => {
    const { clock, broadcaster, announced } = setup()
    for (let i = 0; i < 5000; i++) broadcaster.add(info('198.51.100.7', `player ${i % 10}`))
    expect(announced).toEqual([])
    await clock.advance(COUNTS_SETTLE_MS)
    expect(announced).toEqual([{ current: 5000, peak: 5000, unique: 10 }])
    for (const listener of broadcaster.listeners().slice(0, 100)) listener.close('client')
    await clock.advance(COUNTS_SETTLE_MS * 4)
    expect(announced).toEqual([{ current: 5000, peak: 5000, unique: 10 }, { current: 4900, peak: 5000, unique: 10 }])
  })
})
