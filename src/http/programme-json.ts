import type { Clock } from '../clock.ts'
import { wallTime } from '../clock.ts'
import { clockTime, slotsOfDay } from '../input/programme/schedule.ts'
import type { Mount } from '../mount/mount.ts'
import { zonedTime } from '../util/zoned-time.ts'
import type { ProgrammeJson } from '../web/client/api-types.d.ts'

/**
 * A mount's programme as the API shows it: the slot open now (by the clock), today's slots on the station's clock,
 * the jingles' rule and the requests queued (titles only: paths are the admin's). Null for a mount
 * without a playlist.
 *
 * @example
 * programmeJson(mount, clock)?.today // [{ name: 'Morning show', from: '06:00', to: '10:00', cutIn: false, onAir: true }]
 */
export const programmeJson = (mount: Mount, clock: Clock): ProgrammeJson | null => {
  const playlist = mount.playlist
  if (!playlist) return null
  const now = wallTime(clock)
  const { slots, jingles, slotNow } = playlist.programme
  const minutes = zonedTime(now, playlist.timeZone).minutes
  return {
    timeZone: playlist.timeZone,
    slot: slotNow?.name ?? null,
    today: slotsOfDay(slots, now, playlist.timeZone).map(({ slot, from, to }) => ({
      name: slot.name,
      from: clockTime(from),
      to: clockTime(to),
      cutIn: slot.cutIn,
      onAir: slot === slotNow && minutes >= from && minutes < to,
    })),
    jingles: jingles
      ? {
        everyTracks: jingles.everyTracks ?? null,
        everyMinutes: jingles.everyMinutes ?? null,
        topOfHour: jingles.topOfHour === true,
        showTitles: jingles.showTitles !== false,
      }
      : null,
    requests: playlist.requests.entries.map(({ id, title, queuedAt }) => ({
      id,
      title,
      queuedAt: new Date(queuedAt).toISOString(),
    })),
  }
}
