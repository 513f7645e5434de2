import { describe, expect, test } from 'bun:test'
import { activeSlot, clockTime, slotsOfDay } from '../../../src/input/programme/schedule.ts'
import type { ScheduleSlot } from '../../../src/input/programme/schedule.ts'

const morning: ScheduleSlot = { name: 'Morning', days: [1, 2, 3, 4, 5], from: 360, to: 600, cutIn: false }
const late: ScheduleSlot = { name: 'Late', days: [5], from: 1320, to: 120, cutIn: true }
const weekday: ScheduleSlot = { name: 'All weekday', days: [1, 2, 3, 4, 5], from: 0, to: 1440, cutIn: false }
const utc = (day: number, hour: number, minute = 0) => Date.UTC(2026, 10, 29 + day, hour, minute) // day 1: Monday 30 Nov

describe('the schedule', () => {
  test('a window is open from its start (included) to its end (excluded), on its days', () => {
    expect(activeSlot([morning], utc(1, 5, 59), 'UTC')).toBeUndefined()
    expect(activeSlot([morning], utc(1, 6), 'UTC')).toBe(morning)
    expect(activeSlot([morning], utc(1, 9, 59), 'UTC')).toBe(morning)
    expect(activeSlot([morning], utc(1, 10), 'UTC')).toBeUndefined()
    expect(activeSlot([morning], utc(6, 7), 'UTC')).toBeUndefined() // Saturday
  })

  test('a window across midnight belongs to the day it opens: Friday 22:00 to Saturday 02:00', () => {
    expect(activeSlot([late], utc(5, 22), 'UTC')).toBe(late)
    expect(activeSlot([late], utc(6, 1, 59), 'UTC')).toBe(late)
    expect(activeSlot([late], utc(6, 2), 'UTC')).toBeUndefined()
    expect(activeSlot([late], utc(4, 23), 'UTC')).toBeUndefined() // Thursday night
    expect(activeSlot([late], utc(5, 1), 'UTC')).toBeUndefined() // Friday early: Thursday's night is not in it
  })

  test('overlaps: the first listed wins', () => {
    expect(activeSlot([morning, weekday], utc(1, 7), 'UTC')).toBe(morning)
    expect(activeSlot([weekday, morning], utc(1, 7), 'UTC')).toBe(weekday)
    expect(activeSlot([morning, weekday], utc(1, 11), 'UTC')).toBe(weekday)
  })

  test("a day's slots, in the order they open, the end of last night's included", () => {
    const saturday = slotsOfDay([morning, late], utc(6, 12), 'UTC')
    expect(saturday.map(({ slot, from, to }) => `${slot.name} ${clockTime(from)}-${clockTime(to)}`)).toEqual([
      'Late 00:00-02:00',
    ])
    const friday = slotsOfDay([late, morning], utc(5, 12), 'UTC')
    expect(friday.map(({ slot, from, to }) => `${slot.name} ${clockTime(from)}-${clockTime(to)}`)).toEqual([
      'Morning 06:00-10:00',
      'Late 22:00-24:00',
    ])
  })
})
