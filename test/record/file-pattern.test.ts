import { describe, expect, test } from 'bun:test'
import { filePattern, mountSlug, strftime, uniqueName } from '../../src/record/file-pattern.ts'
import { nextRotation } from '../../src/record/rotation.ts'
import { parseStationConfig } from '../../src/config/schema.ts'

describe('strftime', () => {
  test('reads every directive on the wall clock of the time zone, not the machine', () => {
    // 22:05:09 UTC on 1 July 2026 is already 2 July in Berlin (CEST, +2) and in Kolkata (+5:30).
    const instant = Date.UTC(2026, 6, 1, 22, 5, 9)
    expect(strftime('%Y-%m-%d %H:%M:%S %j %a %b %%', instant, 'Europe/Berlin')).toBe(
      '2026-07-02 00:05:09 183 Thu Jul %',
    )
    expect(strftime('%Y-%m-%d %H:%M:%S %j %a %b', instant, 'Asia/Kolkata')).toBe('2026-07-02 03:35:09 183 Thu Jul')
    expect(strftime('%Y-%m-%d %H:%M:%S %j %a %b', instant, 'America/New_York')).toBe(
      '2026-07-01 18:05:09 182 Wed Jul',
    )
    expect(strftime('%j %H', Date.UTC(2024, 11, 31, 23), 'UTC')).toBe('366 23')
    expect(strftime('%%Y is literal, %q is left as it is', 0, 'UTC')).toBe('%Y is literal, %q is left as it is')
  })

  test('the config refuses a directive it does not know, and fills in the defaults', () => {
    const parse = (record: unknown) => parseStationConfig({ mounts: [{ path: '/s', playlist: ['x'], record }] }, 'test')
    expect(() => parse({ path: 'rec/%Y-%e' })).toThrow(/"%e" is not a directive airwave knows/)
    expect(() => parse({ path: 'rec/' })).toThrow(/must name a file/)
    expect(parse(true).mounts[0]!.record).toEqual({
      path: 'recordings/%Y-%m-%d/%H%M%S-{mount}',
      rotateMinutes: 60,
      splitAtLive: true,
      liveOnly: false,
    })
    expect(parse(false).mounts[0]!.record).toBeUndefined()
    expect(parse(undefined).mounts[0]!.record).toBeUndefined()
    expect(parse({ liveOnly: true, keepDays: 90, maxTotalMB: 500 }).mounts[0]!.record).toMatchObject({
      liveOnly: true,
      keepDays: 90,
      maxTotalMB: 500,
    })
  })
})

describe('a file pattern', () => {
  test('resolves against the config folder, fills in {mount}, and adds the stream extension when it has none', () => {
    const pattern = filePattern('rec/%Y-%m-%d/%H%M%S-{mount}', '/jazz/hq', '/etc/airwave')
    expect(pattern.root).toBe('/etc/airwave/rec')
    const at = Date.UTC(2026, 0, 5, 9, 0, 0)
    expect(pattern.nameAt(at, 'UTC', '.mp3')).toBe('/etc/airwave/rec/2026-01-05/090000-jazz-hq.mp3')
    expect(pattern.nameAt(at, 'UTC', '.opus')).toBe('/etc/airwave/rec/2026-01-05/090000-jazz-hq.opus')
    const own = filePattern('/var/rec/{mount}/%H.%M-show.mp3', '/stream')
    expect(own.root).toBe('/var/rec/stream')
    expect(own.nameAt(at, 'UTC', '.ogg')).toBe('/var/rec/stream/09.00-show.mp3')
    expect(mountSlug('/stream')).toBe('stream')
  })

  test('recognises only the names it makes (with a -N suffix), level by level', () => {
    const pattern = filePattern('/r/%Y-%m-%d/%H%M%S-{mount}', '/stream')
    const [day, file] = pattern.levels
    expect(day!.test('2026-01-05')).toBe(true)
    expect(day!.test('2026-01-05-old')).toBe(false)
    expect(file!.test('090000-stream.mp3')).toBe(true)
    expect(file!.test('090000-stream-12.opus')).toBe(true)
    expect(file!.test('090000-other.mp3')).toBe(false)
    expect(file!.test('090000-stream.txt')).toBe(false)
    expect(file!.test('notes-stream.mp3')).toBe(false)
    expect(filePattern('/r/%a-%b-{mount}.mp3', '/s').levels[0]!.test('Mon-Jan-s-1.mp3')).toBe(true)
    expect(filePattern('/r/%a-%b-{mount}.mp3', '/s').levels[0]!.test('Mon-Jan-s.ogg')).toBe(false)
  })

  test('unique names insert -1, -2 … before the extension', () => {
    expect(uniqueName('/r/a.b/x.mp3', 0)).toBe('/r/a.b/x.mp3')
    expect(uniqueName('/r/a.b/x.mp3', 2)).toBe('/r/a.b/x-2.mp3')
    expect(uniqueName('/r/a.b/x', 1)).toBe('/r/a.b/x-1')
  })
})

describe('rotation on the clock', () => {
  const at = (h: number, m: number, s = 0) => Date.UTC(2026, 2, 10, h, m, s)
  test('every 60 minutes starts files on the hour; every 15 at :00 :15 :30 :45', () => {
    expect(nextRotation(at(9, 41, 30), 60, 'UTC')).toBe(at(10, 0))
    expect(nextRotation(at(10, 0), 60, 'UTC')).toBe(at(11, 0))
    expect(nextRotation(at(9, 41, 30), 15, 'UTC')).toBe(at(9, 45))
    expect(nextRotation(at(23, 59), 120, 'UTC')).toBe(Date.UTC(2026, 2, 11, 0, 0))
    expect(nextRotation(at(9, 41), 0, 'UTC')).toBeUndefined()
  })

  test('on the hour of the station time zone (Kolkata is at +5:30), and at midnight when the period does not divide a day', () => {
    expect(nextRotation(at(9, 41), 60, 'Asia/Kolkata')).toBe(at(10, 30))
    // 7-minute files: the day's last is cut short at local midnight.
    expect(nextRotation(at(23, 58), 7, 'UTC')).toBe(Date.UTC(2026, 2, 11, 0, 0))
  })
})
