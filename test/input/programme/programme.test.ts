import { describe, expect, test } from 'bun:test'
import type { Pick } from '../../../src/input/programme/programme.ts'
import { Programme } from '../../../src/input/programme/programme.ts'
import type { ScheduleSlot } from '../../../src/input/programme/schedule.ts'

const MIN = 60_000
const HOUR = 60 * MIN

/** Minutes after midnight, from "HH:MM". */
const at = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3))

const slot = (name: string, days: number[], from: string, to: string, cutIn = false): ScheduleSlot => ({
  name,
  days,
  from: at(from),
  to: at(to),
  cutIn,
})

interface Played {
  at: number
  end: number
  kind: Pick['kind']
  slot: string | undefined
}

/**
 * Runs a programme from `start` to `end` as the AutoDJ would, on a simulated clock: each track
 * lasts its nominal length unless a change of slot cuts it (checked at every minute boundary, where
 * every slot opens and closes).
 */
const simulate = (
  programme: Programme,
  start: number,
  end: number,
  lengths: { music: number; jingle: number },
): Played[] => {
  const played: Played[] = []
  for (let t = start; t < end;) {
    const pick = programme.decide(t, { request: false, jingle: true })
    programme.played(pick, t)
    let stop = t + (pick.kind === 'jingle' ? lengths.jingle : lengths.music)
    for (let m = Math.floor(t / MIN) * MIN + MIN; m < stop; m += MIN) {
      if (programme.shouldCut(pick, m)) {
        stop = m
        break
      }
    }
    played.push({ at: t, end: stop, kind: pick.kind, slot: pick.slot?.name })
    t = stop
  }
  return played
}

describe('Programme', () => {
  test('an exact morning: the default rotation, the top-of-hour ID at the first track after 06:00, the show, a jingle every four songs', () => {
    const start = Date.UTC(2026, 10, 30, 5, 50) // Monday 05:50 UTC
    const programme = new Programme({
      slots: [slot('Morning show', [1, 2, 3, 4, 5], '06:00', '10:00')],
      jingles: { everyTracks: 4, topOfHour: true },
      timeZone: 'UTC',
    }, start)
    const played = simulate(programme, start, start + 50 * MIN, { music: 7 * MIN, jingle: 20_000 })
    const clock = (t: number) => new Date(t).toISOString().slice(11, 19)
    expect(played.map((p) => `${clock(p.at)} ${p.kind === 'jingle' ? 'jingle' : (p.slot ?? 'default')}`)).toEqual([
      '05:50:00 default',
      '05:57:00 default',
      '06:04:00 jingle',
      '06:04:20 Morning show',
      '06:11:20 Morning show',
      '06:18:20 Morning show',
      '06:25:20 Morning show',
      '06:32:20 jingle',
      '06:32:40 Morning show',
      '06:39:40 Morning show',
    ])
  })

  describe('a week in Berlin, across the night clocks go back (Sunday 25 October 2026, 03:00 CEST -> 02:00 CET)', () => {
    // Independent of the code under test: Berlin is UTC+2 until 01:00 UTC that Sunday, UTC+1 after.
    const SWITCH = Date.UTC(2026, 9, 25, 1, 0)
    const local = (t: number) => {
      const d = new Date(t + (t < SWITCH ? 2 : 1) * HOUR)
      return { day: d.getUTCDay(), minutes: d.getUTCHours() * 60 + d.getUTCMinutes() }
    }
    const expectedSlot = (t: number): string | undefined => {
      const { day, minutes } = local(t)
      if (day >= 1 && day <= 5 && minutes >= 360 && minutes < 600) return 'Morning show'
      if ((day === 6 && minutes >= 22 * 60) || (day === 0 && minutes < 120)) return 'Night owls'
      if (day === 0 && minutes >= 120 && minutes < 180) return 'Small hours'
      return undefined
    }
    const start = Date.UTC(2026, 9, 18, 22, 0) // Monday 19 October, 00:00 CEST
    const end = Date.UTC(2026, 9, 25, 23, 0) // Monday 26 October, 00:00 CET
    const programme = new Programme({
      slots: [
        slot('Morning show', [1, 2, 3, 4, 5], '06:00', '10:00'),
        slot('Night owls', [6], '22:00', '02:00', true),
        slot('Small hours', [0], '02:00', '03:00'),
      ],
      jingles: { everyTracks: 4, topOfHour: true },
      timeZone: 'Europe/Berlin',
    }, start)
    const played = simulate(programme, start, end, { music: 7 * MIN, jingle: 20_000 })

    test('every track of a rotation comes from the slot open on the local clock when it starts (first listed wins), else the default', () => {
      const rotation = played.filter((p) => p.kind === 'rotation')
      expect(rotation.length).toBeGreaterThan(1200)
      expect(rotation.filter((p) => p.slot !== expectedSlot(p.at))).toEqual([])
      const count = (name: string | undefined) => rotation.filter((p) => p.slot === name).length
      expect(count('Morning show')).toBeGreaterThan(5 * 30)
      expect(count('Night owls')).toBeGreaterThan(30)
      expect(count(undefined)).toBeGreaterThan(800)
    })

    test('a jingle plays exactly when four songs have played since the last, or an hour began since it, and never twice in a row', () => {
      let songs = 0
      let lastJingle = start
      for (const [i, p] of played.entries()) {
        const hourBegan = Math.floor(p.at / HOUR) > Math.floor(lastJingle / HOUR) // Berlin's hours begin on UTC's
        const due = played[i - 1]?.kind !== 'jingle' && (songs >= 4 || hourBegan)
        expect({ at: new Date(p.at).toISOString(), jingle: p.kind === 'jingle' }).toEqual({
          at: new Date(p.at).toISOString(),
          jingle: due,
        })
        if (p.kind === 'jingle') {
          songs = 0
          lastJingle = p.at
        } else songs++
      }
      // One top-of-hour ID per hour the clock strikes: 24 a day, 25 on the night the clocks go back.
      const hours = new Set(played.filter((p) => p.kind === 'jingle').map((p) => Math.floor(p.at / HOUR)))
      expect(hours.size).toBe((end - start) / HOUR)
      expect((end - start) / HOUR).toBe(7 * 24 + 1)
    })

    test('the hour read twice that night is in its slot twice: "Small hours" (02:00-03:00) plays two real hours', () => {
      const small = played.filter((p) => p.slot === 'Small hours' && p.kind === 'rotation')
      expect(small[0]!.at).toBeGreaterThanOrEqual(Date.UTC(2026, 9, 25, 0, 0))
      expect(small.some((p) => p.at >= Date.UTC(2026, 9, 25, 1, 30))).toBe(true)
      expect(small.at(-1)!.at).toBeLessThan(Date.UTC(2026, 9, 25, 2, 0))
      expect(small.length).toBeGreaterThanOrEqual(14)
    })

    test('a slot that cuts in ends the track playing at its opening and its closing, to the minute; nothing else is cut', () => {
      const cut = played.filter((p) => p.end - p.at < (p.kind === 'jingle' ? 20_000 : 7 * MIN))
      const opens = Date.UTC(2026, 9, 24, 20, 0) // Saturday 22:00 CEST
      const closes = Date.UTC(2026, 9, 25, 0, 0) // Sunday 02:00 CEST
      expect(cut.map((p) => p.end).filter((t) => t < end)).toEqual([opens, closes])
      expect(played.find((p) => p.at === opens)).toMatchObject({ slot: 'Night owls' })
      expect(played.find((p) => p.at === closes)?.slot).toBe('Small hours')
    })
  })

  test('in spring the hour that never happens is never in its slot, and the top of the hour still comes each real hour', () => {
    const start = Date.UTC(2026, 2, 28, 23, 0) // Sunday 29 March 2026, 00:00 CET; at 01:00 UTC clocks jump 02:00 -> 03:00
    const programme = new Programme({
      slots: [slot('Lost hour', [0], '02:00', '03:00')],
      jingles: { topOfHour: true },
      timeZone: 'Europe/Berlin',
    }, start)
    const played = simulate(programme, start, start + 4 * HOUR, { music: 7 * MIN, jingle: 20_000 })
    expect(played.filter((p) => p.slot === 'Lost hour')).toEqual([])
    const ids = played.filter((p) => p.kind === 'jingle').map((p) => new Date(p.at).toISOString().slice(11, 16))
    // Tracks of 7 min from 23:00 UTC: the first to start after 00:00 UTC (01:00 CET) is at 00:03, the
    // first after 01:00 UTC (03:00 CEST: 02:00 never struck) at 01:06:20, after 02:00 UTC at 02:02:40.
    expect(ids).toEqual(['00:03', '01:06', '02:02'])
  })

  test('a request comes before anything due; it counts as a song', () => {
    const start = Date.UTC(2026, 0, 5, 12, 0)
    const programme = new Programme({ slots: [], jingles: { everyTracks: 1 }, timeZone: 'UTC' }, start)
    const first = programme.decide(start, { request: false, jingle: true })
    expect(first.kind).toBe('rotation')
    programme.played(first, start)
    expect(programme.decide(start + MIN, { request: true, jingle: true }).kind).toBe('request')
    expect(programme.decide(start + MIN, { request: false, jingle: true }).kind).toBe('jingle')
    expect(programme.decide(start + MIN, { request: false, jingle: false }).kind).toBe('rotation')
  })

  test('every M minutes: at the first track that starts M minutes after the last jingle', () => {
    const start = Date.UTC(2026, 0, 5, 12, 0)
    const programme = new Programme({ slots: [], jingles: { everyMinutes: 15 }, timeZone: 'UTC' }, start)
    const played = simulate(programme, start, start + HOUR, { music: 4 * MIN, jingle: 30_000 })
    const ids = played.filter((p) => p.kind === 'jingle').map((p) => new Date(p.at).toISOString().slice(11, 19))
    expect(ids).toEqual(['12:16:00', '12:32:30', '12:49:00'])
  })
})
