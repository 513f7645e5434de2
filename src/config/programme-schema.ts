import { z } from 'zod'

/** What a mount's programme is written with: playlist entries, schedule slots, jingles. */

/** Files, folders and .m3u/.m3u8/.pls files; a single string is one entry. */
export const playlistEntries = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1, 'at least one entry')])
  .transform((value) => (typeof value === 'string' ? [value] : value))

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
const DAY_GROUPS: Record<string, readonly number[]> = {
  daily: [0, 1, 2, 3, 4, 5, 6],
  weekdays: [1, 2, 3, 4, 5],
  weekends: [0, 6],
}
const EVERY_DAY: readonly number[] = DAY_GROUPS.daily!

/** Days of the week: `mon` … `sun`, `weekdays`, `weekends`, `daily`; as numbers, Sunday 0. */
const days = z
  .array(
    z.string().transform((day) => day.toLowerCase()).refine(
      (day) => (DAY_NAMES as readonly string[]).includes(day) || day in DAY_GROUPS,
      { message: 'a day: mon, tue, wed, thu, fri, sat, sun, weekdays, weekends or daily' },
    ),
  )
  .min(1, 'at least one day')
  .transform((names) =>
    [...new Set(names.flatMap((day) => DAY_GROUPS[day] ?? [(DAY_NAMES as readonly string[]).indexOf(day)]))].sort()
  )

/** A wall-clock time, `HH:MM` on the 24-hour clock (`24:00`: the end of the day), as minutes after midnight. */
const clockTime = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time like "06:00" (24-hour clock; "24:00" ends the day)')
  .transform((time) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3)))

/** A slot of a mount's schedule: a playlist that plays on some days between two times of the station's clock. */
export const ScheduleSlotSchema = z
  .strictObject({
    /** What the API, the dashboard and the log call it (default: "slot 1", "slot 2" …). */
    name: z.string().min(1).max(100).optional(),
    playlist: playlistEntries,
    /** Days the window opens (default: every day); a window across midnight belongs to the day it opens. */
    days: days.default(() => [...EVERY_DAY]),
    /** When it opens and closes, on the station's clock (`timeZone`); `to` at or before `from` closes the next day. */
    from: clockTime,
    to: clockTime,
    shuffle: z.boolean().default(false),
    /** Cut the track playing when the slot opens and when it closes (default: wait for the track to end). */
    cutIn: z.boolean().default(false),
  })
  .refine((slot) => slot.from !== 1440, { path: ['from'], message: 'a slot cannot open at 24:00: use 00:00' })
  .refine((slot) => slot.from !== slot.to, {
    path: ['to'],
    message: 'the same time as "from": for the whole day use "from": "00:00", "to": "24:00"',
  })

/** A mount's jingles (station IDs, sweepers): their playlist, and when one plays between tracks. */
export const JinglesSchema = z
  .strictObject({
    playlist: playlistEntries,
    /** After this many tracks that were not jingles. */
    everyTracks: z.number().int().min(1).max(1000).optional(),
    /** Once this many minutes have passed since the last jingle, at the next track. */
    everyMinutes: z.number().min(1).max(1440).optional(),
    /** At the first track that starts in each new hour of the station's clock. */
    topOfHour: z.boolean().default(false),
    shuffle: z.boolean().default(true),
    /** Whether listeners see a jingle's title (false: the title of the track before stays). */
    showTitles: z.boolean().default(true),
  })
  .refine((jingles) => jingles.everyTracks !== undefined || jingles.everyMinutes !== undefined || jingles.topOfHour, {
    message: 'say when jingles play: "everyTracks", "everyMinutes" and/or "topOfHour": true',
  })
