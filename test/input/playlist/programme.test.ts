import { afterAll, describe, expect, test } from 'bun:test'
import type { PlaylistSourceOptions } from '../../../src/input/playlist/playlist-source.ts'
import { PlaylistError, PlaylistSource } from '../../../src/input/playlist/playlist-source.ts'
import { createLogger } from '../../../src/log.ts'
import type { Track } from '../../../src/input/track.ts'
import { fixtures } from '../../helpers/fixtures.ts'
import { ManualClock } from '../../helpers/manual-clock.ts'
import { tempDir } from '../../helpers/temp-dir.ts'

const dir = tempDir()
afterAll(() => dir.remove())

const music = [dir.copy(fixtures.mp3(1, 440), 'music/m1.mp3'), dir.copy(fixtures.mp3(1, 550), 'music/m2.mp3')]
const morning = [dir.copy(fixtures.mp3(1, 660), 'morning/a1.mp3'), dir.copy(fixtures.mp3(1, 770), 'morning/a2.mp3')]
const ids = [dir.copy(fixtures.chirp(1, 880, { title: 'Station ID' }), 'ids/id1.mp3')]
const long = dir.copy(fixtures.mp3(6, 330), 'long/long.mp3')
const extra = dir.copy(fixtures.mp3(1, 990), 'requests/extra.mp3')
const aac = dir.copy(fixtures.aac(1, 990), 'requests/other.aac')

const MONDAY_0559 = Date.UTC(2026, 10, 30, 5, 59)

const open = async (options: Omit<PlaylistSourceOptions, 'clock'>, epoch = MONDAY_0559) => {
  const clock = new ManualClock({ epoch })
  const source = new PlaylistSource({ timeZone: 'UTC', ...options, clock })
  await source.open()
  return { source, clock, frames: source.frames() }
}

/**
 * Reads frames until `count` tracks have started; before each new track `between(index)` runs (to
 * move the clock); every `frame()` call moves it 26 ms, as the pacer would.
 */
const tracks = async (
  { frames, clock }: { frames: AsyncGenerator<{ track: Track }>; clock: ManualClock },
  count: number,
  between: (index: number) => void | Promise<void> = () => {},
) => {
  const seen: Track[] = []
  let last: Track | undefined
  for (;;) {
    const step = await frames.next()
    if (step.done) throw new Error('the source ended')
    const { track } = step.value
    if (track !== last) {
      if (seen.length === count) return seen
      seen.push(track)
      last = track
      await between(seen.length)
    }
    clock.stall(26)
  }
}

const name = (track: Track) => track.path!.split('/').slice(-2).join('/')

describe('PlaylistSource: the programme', () => {
  test('a jingle every N tracks, its title shown, never two in a row', async () => {
    const playing = await open({ entries: music, jingles: { entries: ids, everyTracks: 2 } })
    const played = await tracks(playing, 7)
    expect(played.map(name)).toEqual([
      'music/m1.mp3',
      'music/m2.mp3',
      'ids/id1.mp3',
      'music/m1.mp3',
      'music/m2.mp3',
      'ids/id1.mp3',
      'music/m1.mp3',
    ])
    expect(played[2]).toMatchObject({ title: 'Station ID', role: 'jingle' })
    expect(played[2]!.hidden).toBeUndefined()
    await playing.frames.return(undefined)
  })

  test('jingles with titles hidden carry the title of the track before, marked hidden', async () => {
    const playing = await open({ entries: music, jingles: { entries: ids, everyTracks: 1, showTitles: false } })
    const played = await tracks(playing, 3)
    expect(played.map((t) => [t.title, t.hidden ?? false, t.role ?? 'song'])).toEqual([
      ['m1', false, 'song'],
      ['m1', true, 'jingle'],
      ['m2', false, 'song'],
    ])
    await playing.frames.return(undefined)
  })

  test("the schedule's slot plays once it opens, from the next track; the default rotation resumes where it was when it closes", async () => {
    const playing = await open({
      entries: music,
      schedule: [{ name: 'Morning', entries: morning, days: [1], from: 6 * 60, to: 6 * 60 + 2, cutIn: false }],
    })
    const clock = playing.clock
    const played = await tracks(playing, 5, (index) => {
      if (index === 1) clock.stall(60_000) // 06:00:01 when m1 ends: the slot is open
      if (index === 3) clock.stall(120_000) // 06:04 when a2 ends: it has closed
    })
    expect(played.map((t) => `${name(t)} ${t.slot ?? '-'}`)).toEqual([
      'music/m1.mp3 -',
      'morning/a1.mp3 Morning',
      'morning/a2.mp3 Morning',
      'music/m2.mp3 -',
      'music/m1.mp3 -',
    ])
    // m2 has begun (the sixth track): m1 comes after it.
    expect(await playing.source.upcoming()).toMatchObject({ path: music[0], origin: 'playlist' })
    await playing.frames.return(undefined)
  })

  test('a slot that cuts in ends the track playing within a second of opening', async () => {
    const playing = await open({
      entries: [long],
      schedule: [{ name: 'News', entries: morning, days: [1], from: 6 * 60, to: 6 * 60 + 5, cutIn: true }],
    }, MONDAY_0559 + 58_000) // 05:59:58: the 6 s track would end at 06:00:04
    let seconds = 0
    let first: Track | undefined
    for await (const { frame, track } of playing.source.frames()) {
      first ??= track
      if (track !== first) {
        expect(track).toMatchObject({ path: morning[0], slot: 'News' })
        break
      }
      seconds += frame.samples / frame.sampleRate
      playing.clock.stall((frame.samples / frame.sampleRate) * 1000)
    }
    expect(seconds).toBeGreaterThan(2)
    expect(seconds).toBeLessThan(3.2)
    playing.source.close()
  })

  test('a request plays next, before a jingle that is due; it may come from a request folder', async () => {
    const playing = await open({
      entries: music,
      jingles: { entries: ids, everyTracks: 1 },
      requestFolders: [dir.path('requests')],
    })
    const played = await tracks(playing, 4, async (index) => {
      if (index !== 1) return
      const queued = await playing.source.request(extra)
      expect(queued.ok).toBe(true)
      expect(await playing.source.upcoming()).toMatchObject({ path: extra, role: 'request' })
    })
    expect(played.map(name)).toEqual(['music/m1.mp3', 'requests/extra.mp3', 'ids/id1.mp3', 'music/m2.mp3'])
    expect(played[1]).toMatchObject({ role: 'request', title: 'extra' })
    expect(playing.source.requests.size).toBe(0)
    await playing.frames.return(undefined)
  })

  test('a request is refused, saying why, outside the playlists and request folders, or in another format', async () => {
    const { source } = await open({ entries: music, requestFolders: [dir.path('requests')] })
    const outside = await source.request(long)
    expect(outside).toMatchObject({ ok: false })
    expect(!outside.ok && outside.reason).toContain("is not in the mount's playlists or request folders")
    const climbing = await source.request(`${dir.path('requests')}/../long/long.mp3`)
    expect(climbing.ok).toBe(false)
    const other = await source.request(aac)
    expect(!other.ok && other.reason).toContain('does not match the mount')
    const missing = await source.request(dir.path('requests/none.mp3'))
    expect(!missing.ok && missing.reason).toContain('not found')
    expect((await source.request(music[1]!)).ok).toBe(true)
    expect(source.requests.entries.map((e) => e.path)).toEqual([music[1]!])
  })

  test('a new programme applies from the next track; the requests stay queued; a playlist with nothing playable changes nothing', async () => {
    const playing = await open({ entries: music })
    const played = await tracks(playing, 4, async (index) => {
      if (index !== 1) return
      await expect(playing.source.prepare({ entries: [dir.path('nothing-here')] })).rejects.toThrow(PlaylistError)
      expect((await playing.source.request(music[1]!)).ok).toBe(true)
      const apply = await playing.source.prepare({ entries: morning })
      apply()
    })
    expect(played.map(name)).toEqual(['music/m1.mp3', 'music/m2.mp3', 'morning/a1.mp3', 'morning/a2.mp3'])
    expect(played[1]!.role).toBe('request')
    await playing.frames.return(undefined)
  })

  test('a reload re-reads an unchanged playlist file: new entries play, and it carries on after the file it played last', async () => {
    const list = dir.write('lists/day.m3u', `${music[0]}\n${music[1]}\n${morning[0]}\n`)
    const playing = await open({ entries: [list] })
    const played = await tracks(playing, 4, async (index) => {
      if (index !== 2) return
      await playing.source.upcoming() // the look-ahead has found a1 in the old list
      dir.write('lists/day.m3u', `${music[0]}\n${music[1]}\n${morning[1]}\n${morning[0]}\n`)
      ;(await playing.source.prepare({ entries: [list] }))()
    })
    // m2 was playing (its successor already found ahead of time): the reloaded list carries on after m2.
    expect(played.map(name)).toEqual(['music/m1.mp3', 'music/m2.mp3', 'morning/a2.mp3', 'morning/a1.mp3'])
    await playing.frames.return(undefined)
  })

  test('a slot or jingle playlist with nothing playable is told and passed over: the default rotation plays, unlabelled, and is what comes next', async () => {
    const lines: string[] = []
    const log = createLogger({ level: 'debug', write: (line) => lines.push(line) })
    const playing = await open({
      entries: music,
      jingles: { entries: [aac], everyTracks: 1 },
      schedule: [{ name: 'Empty', entries: [dir.path('empty-slot')], days: [1], from: 0, to: 1440, cutIn: false }],
      log,
    })
    const passedOver = (what: string) =>
      lines.some((l) =>
        l.includes(`${what}: nothing in the playlist is playable (1 file); passed over until it has something playable`)
      )
    expect(passedOver('jingles')).toBe(true)
    expect(passedOver('schedule "Empty"')).toBe(true)
    const played = await tracks(playing, 3)
    expect(played.map((t) => [name(t), t.slot ?? '-', t.role ?? 'song'])).toEqual([
      ['music/m1.mp3', '-', 'song'],
      ['music/m2.mp3', '-', 'song'],
      ['music/m1.mp3', '-', 'song'],
    ])
    expect(lines.filter((l) => l.includes('nothing in the playlist of "Empty" is playable')).length).toBe(1)
    // m2 has begun, the fourth track: m1 is next, from the default rotation, not the empty slot.
    expect(await playing.source.upcoming()).toMatchObject({ path: music[0] })
    await playing.frames.return(undefined)
  })

  test('a file already queued is refused, with the id it has', async () => {
    const { source } = await open({ entries: music })
    const first = await source.request(music[0]!)
    expect(first.ok).toBe(true)
    const again = await source.request(music[0]!)
    expect(!again.ok && again.reason).toBe(`${music[0]} is already queued (request ${first.ok && first.value.id})`)
  })

  test('a jingle with its title hidden keeps the title on air, whatever played it (a live set)', async () => {
    const playing = await open({ entries: music, jingles: { entries: ids, everyTracks: 1, showTitles: false } })
    const live = { id: 999_999, origin: 'live' as const, title: 'DJ Night' }
    playing.source.onAir = () => live
    const played = await tracks(playing, 2)
    expect(played[1]).toMatchObject({ title: 'DJ Night', hidden: true, role: 'jingle' })
    await playing.frames.return(undefined)
  })
})
