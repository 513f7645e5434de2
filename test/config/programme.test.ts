import { describe, expect, test } from 'bun:test'
import { ConfigError, parseStationConfig } from '../../src/config/schema.ts'

const problems = (input: unknown): readonly string[] => {
  try {
    parseStationConfig(input, 'airwave.json')
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  throw new Error('the config was accepted')
}

describe('config: the programme', () => {
  test('schedule slots, jingles, request folders and the time zone, with their defaults', () => {
    const config = parseStationConfig({
      timeZone: 'Europe/Berlin',
      mounts: [{
        path: '/stream',
        playlist: 'music',
        schedule: [
          { name: 'Morning show', playlist: 'morning', days: ['weekdays'], from: '06:00', to: '10:00' },
          { playlist: ['late'], days: ['Sat', 'sun'], from: '22:00', to: '02:00', cutIn: true, shuffle: true },
          { playlist: 'all-day', from: '00:00', to: '24:00' },
        ],
        jingles: { playlist: 'ids', everyTracks: 4, topOfHour: true },
        requestFolders: ['/srv/requests'],
      }],
    }, 'airwave.json')
    const mount = config.mounts[0]!
    expect(mount.timeZone).toBe('Europe/Berlin')
    expect(mount.schedule).toEqual([
      {
        name: 'Morning show',
        playlist: ['morning'],
        days: [1, 2, 3, 4, 5],
        from: 360,
        to: 600,
        shuffle: false,
        cutIn: false,
      },
      { playlist: ['late'], days: [0, 6], from: 1320, to: 120, shuffle: true, cutIn: true },
      { playlist: ['all-day'], days: [0, 1, 2, 3, 4, 5, 6], from: 0, to: 1440, shuffle: false, cutIn: false },
    ])
    expect(mount.jingles).toEqual({
      playlist: ['ids'],
      everyTracks: 4,
      topOfHour: true,
      shuffle: true,
      showTitles: true,
    })
    expect(mount.requestFolders).toEqual(['/srv/requests'])
  })

  test("without a time zone, the machine's", () => {
    const config = parseStationConfig({ mounts: [{ path: '/s', playlist: 'm' }] }, 'x')
    expect(config.mounts[0]!.timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone)
  })

  test('mistakes name the field and what was expected', () => {
    expect(problems({
      timeZone: 'Berlin',
      mounts: [{
        path: '/stream',
        playlist: 'music',
        schedule: [
          { playlist: 'a', days: ['someday'], from: '6:00', to: '25:00' },
          { name: 'Same', playlist: 'b', from: '10:00', to: '10:00' },
          { name: 'Same', playlist: 'c', from: '24:00', to: '01:00' },
        ],
        jingles: { playlist: 'ids' },
      }],
    })).toEqual([
      'timeZone: an IANA time zone such as "Europe/Berlin", "America/New_York" or "UTC"',
      'mounts[0].schedule[0].days[0]: a day: mon, tue, wed, thu, fri, sat, sun, weekdays, weekends or daily',
      'mounts[0].schedule[0].from: a time like "06:00" (24-hour clock; "24:00" ends the day)',
      'mounts[0].schedule[0].to: a time like "06:00" (24-hour clock; "24:00" ends the day)',
      'mounts[0].schedule[1].to: the same time as "from": for the whole day use "from": "00:00", "to": "24:00"',
      'mounts[0].schedule[2].from: a slot cannot open at 24:00: use 00:00',
      'mounts[0].jingles: say when jingles play: "everyTracks", "everyMinutes" and/or "topOfHour": true',
      'mounts[0].schedule[2].name: "Same" names another slot too',
    ])
  })

  test('a programme needs the default rotation, and slot names are unique', () => {
    expect(problems({
      sourcePassword: 'x',
      mounts: [{
        path: '/live',
        schedule: [{ name: 'A', playlist: 'a', from: '06:00', to: '07:00' }],
        jingles: { playlist: 'ids', everyTracks: 2 },
      }, {
        path: '/auto',
        playlist: 'm',
        schedule: [
          { name: 'A', playlist: 'a', from: '06:00', to: '07:00' },
          { name: 'A', playlist: 'b', from: '08:00', to: '09:00' },
        ],
      }],
    })).toEqual([
      `mounts[0].schedule: needs the mount's "playlist" too: it is the default rotation the programme returns to`,
      `mounts[0].jingles: needs the mount's "playlist" too: it is the default rotation the programme returns to`,
      'mounts[1].schedule[1].name: "A" names another slot too',
    ])
  })
})
