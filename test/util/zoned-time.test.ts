import { describe, expect, test } from 'bun:test'
import { isTimeZone, topOfHour, zonedTime } from '../../src/util/zoned-time.ts'

describe('zonedTime', () => {
  test('reads the wall clock of the zone, daylight-saving time included', () => {
    expect(zonedTime(Date.UTC(2026, 9, 25, 0, 30), 'Europe/Berlin')).toMatchObject({ weekday: 0, minutes: 150 })
    expect(zonedTime(Date.UTC(2026, 9, 25, 1, 30), 'Europe/Berlin')).toMatchObject({ weekday: 0, minutes: 150 })
    expect(zonedTime(Date.UTC(2026, 0, 1, 23, 59, 30), 'UTC')).toMatchObject({ weekday: 4, minutes: 1439, day: 1 })
    expect(zonedTime(Date.UTC(2026, 5, 1, 4, 0), 'America/New_York')).toMatchObject({ weekday: 1, minutes: 0 })
  })

  test("the top of the hour is the zone's: half past on UTC's clock in India", () => {
    expect(topOfHour(Date.UTC(2026, 0, 1, 10, 20, 5, 7), 'Asia/Kolkata')).toBe(Date.UTC(2026, 0, 1, 9, 30))
    expect(topOfHour(Date.UTC(2026, 0, 1, 10, 20, 5, 7), 'UTC')).toBe(Date.UTC(2026, 0, 1, 10, 0))
  })

  test('knows IANA names, and not others', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true)
    expect(isTimeZone('UTC')).toBe(true)
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false)
  })
})
