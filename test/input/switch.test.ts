import { describe, expect, test } from 'bun:test'
import { FrameFeed } from '../../src/input/stream/feed.ts'
import type { PlaylistInput } from '../../src/input/switch.ts'
import { SourceSwitch } from '../../src/input/switch.ts'
import type { SourceFrame, Track } from '../../src/input/track.ts'
import { syntheticFrame } from '../helpers/synthetic.ts'

const FRAME = 1152 / 44100

/** An endless playlist of 100-frame tracks whose frames count up; `skip()` ends the current track. */
const playlist = (): PlaylistInput & { skips: number } => {
  let n = 0
  let track: Track = { id: 1_000_000, origin: 'playlist', title: 'P0' }
  let left = 100
  let skip = false
  const input = {
    skips: 0,
    skip: () => {
      skip = true
      input.skips++
    },
    frames: () => ({
      next: (): Promise<IteratorResult<SourceFrame>> => {
        if (left === 0 || skip) {
          track = { id: track.id + 1, origin: 'playlist', title: `P${track.id + 1 - 1_000_000}` }
          left = 100
          skip = false
        }
        left--
        return Promise.resolve({ done: false, value: { frame: syntheticFrame(400, n++ & 0xff), track } })
      },
    }),
  }
  return input
}

const fill = (feed: FrameFeed, seconds: number, fillByte = 0xaa) => {
  for (let i = 0; i < Math.ceil(seconds / FRAME - 1e-9); i++) feed.push(syntheticFrame(300, fillByte))
}

const take = async (input: SourceSwitch, count: number) => {
  const out: SourceFrame[] = []
  for (let i = 0; i < count; i++) out.push((await input.next()).value as SourceFrame)
  return out
}

describe('SourceSwitch', () => {
  test('plays the playlist; a live feed takes over once it holds its preroll, at a frame boundary, with its own track', async () => {
    const list = playlist()
    const input = new SourceSwitch(list)
    const changes: string[] = []
    input.onChange = (active, previous) => changes.push(`${previous}->${active}`)
    const before = await take(input, 10)
    expect(before.every((f) => f.track.origin === 'playlist')).toBe(true)
    const live = new FrameFeed({ kind: 'live', title: 'DJ' })
    input.attach(live)
    fill(live, 0.3)
    // Not enough yet: the playlist goes on.
    expect((await take(input, 1))[0]!.track.origin).toBe('playlist')
    fill(live, 0.3)
    const after = await take(input, 5)
    expect(after.map((f) => f.track.origin)).toEqual(['live', 'live', 'live', 'live', 'live'])
    expect(after[0]!.track.title).toBe('DJ')
    expect(after[0]!.track.id).not.toBe(before[0]!.track.id)
    expect(input.active).toBe('live')
    expect(changes).toEqual(['undefined->playlist', 'playlist->live'])
  })

  test('when the live feed ends its queued audio still plays, then the playlist comes back with its next track', async () => {
    const list = playlist()
    const input = new SourceSwitch(list)
    const interrupted = (await take(input, 30)).at(-1)!.track
    const live = new FrameFeed({ kind: 'live', title: 'DJ' })
    input.attach(live)
    fill(live, 1)
    live.end('source disconnected')
    const frames = await take(input, Math.round(1 / FRAME) + 3)
    const liveCount = frames.filter((f) => f.track.origin === 'live').length
    expect(liveCount).toBe(Math.ceil(1 / FRAME))
    const back = frames.at(-1)!
    expect(back.track.origin).toBe('playlist')
    expect(back.track.id).toBe(interrupted.id + 1)
    expect(list.skips).toBe(1)
  })

  test('a source that ends before holding its preroll never goes on air', async () => {
    const input = new SourceSwitch(playlist())
    await take(input, 3)
    const blip = new FrameFeed({ kind: 'live', title: 'Blip' })
    input.attach(blip)
    fill(blip, 0.2)
    blip.end('disconnected')
    const frames = await take(input, 20)
    expect(frames.every((f) => f.track.origin === 'playlist')).toBe(true)
    expect(input.active).toBe('playlist')
  })

  test('a title update makes a new track from the next frame pushed', async () => {
    const input = new SourceSwitch()
    const live = new FrameFeed({ kind: 'live', title: 'First' })
    input.attach(live)
    fill(live, 0.6)
    const first = live.track
    const second = live.setTitle('Second')
    fill(live, 0.2)
    const frames = await take(input, Math.round(0.8 / FRAME))
    expect(second.id).not.toBe(first.id)
    expect(second).toMatchObject({ origin: 'live', title: 'Second' })
    expect(frames.filter((f) => f.track === first).length).toBe(Math.ceil(0.6 / FRAME))
    expect(frames.at(-1)!.track).toBe(second)
  })

  test('without a playlist it waits off air, takes each source as it comes, and ends when closed', async () => {
    const input = new SourceSwitch()
    const changes: (string | undefined)[] = []
    input.onChange = (active) => changes.push(active)
    let got: SourceFrame | undefined
    const pending = input.next().then((r) => (got = r.value as SourceFrame))
    await Bun.sleep(5)
    expect(got).toBeUndefined()
    const relay = new FrameFeed({ kind: 'relay', title: 'Upstream' })
    input.attach(relay)
    fill(relay, 0.6)
    await pending
    expect(got!.track.origin).toBe('relay')
    await take(input, Math.round(0.6 / FRAME) - 1)
    relay.end('upstream closed')
    const waiting = input.next()
    await Bun.sleep(5)
    expect(input.active).toBeUndefined()
    input.close()
    expect(await waiting).toEqual({ done: true, value: undefined })
    expect(changes).toEqual(['relay', undefined])
  })

  test('a live source preempts a relay; the relay waits on standby holding only its preroll, never pausing its socket', async () => {
    const input = new SourceSwitch()
    const relay = new FrameFeed({ kind: 'relay', title: 'Upstream' })
    let relayPaused = false
    input.attach(relay)
    fill(relay, 1)
    expect((await take(input, 1))[0]!.track.origin).toBe('relay')
    const live = new FrameFeed({ kind: 'live', title: 'DJ' })
    input.attach(live)
    fill(live, 0.5)
    expect((await take(input, 1))[0]!.track.origin).toBe('live')
    expect(relay.standby).toBe(true)
    for (let i = 0; i < 10; i++) {
      fill(relay, 1, 0xbb)
      relayPaused ||= !relay.wantsMore
    }
    expect(relayPaused).toBe(false)
    expect(relay.queuedSeconds).toBeLessThan(0.5 + FRAME)
    expect(relay.queuedSeconds).toBeGreaterThanOrEqual(0.5 - 1e-9)
    live.abort('killed')
    const next = (await take(input, 1))[0]!
    expect(next.track.origin).toBe('relay')
    // The newest relay audio, not what it had before the live set.
    expect(next.frame.data[0]).toBe(0xbb)
    expect(relay.standby).toBe(false)
  })
})

describe('FrameFeed', () => {
  test('asks its producer to pause beyond maxAhead seconds and to resume at half of it', () => {
    const feed = new FrameFeed({ kind: 'live', title: 'x', maxAhead: 2 })
    let resumed = 0
    feed.onResume = () => resumed++
    fill(feed, 1.9)
    expect(feed.wantsMore).toBe(true)
    fill(feed, 0.2)
    expect(feed.wantsMore).toBe(false)
    while (feed.queuedSeconds > 1.05) feed.shift()
    expect(resumed).toBe(0)
    feed.shift()
    feed.shift()
    expect(resumed).toBe(1)
    expect(feed.wantsMore).toBe(true)
  })

  test('abort drops what was queued; end keeps it to be played', () => {
    const a = new FrameFeed({ kind: 'live', title: 'x' })
    fill(a, 1)
    a.end('bye')
    expect([a.ended, a.finished, a.ready]).toEqual([true, false, true])
    const b = new FrameFeed({ kind: 'live', title: 'x' })
    fill(b, 1)
    b.abort('killed')
    expect([b.ended, b.finished, b.shift()]).toEqual([true, true, undefined])
  })
})
