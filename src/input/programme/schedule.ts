import { zonedTime } from '../../util/zoned-time.ts'

/** A window of the schedule: a playlist that plays on some days between two wall-clock times. */
export interface ScheduleSlot {
  /** What the operator calls it (`Morning show`); the API and the log show it. */
  readonly name: string
  /** Days (0 = Sunday … 6 = Saturday) on which the window opens. */
  readonly days: readonly number[]
  /** Minutes after midnight the window opens. */
  readonly from: number
  /** Minutes after midnight it closes; at or before `from`, it closes the next day (across midnight). */
  readonly to: number
  /** Changes into and out of this slot cut the track playing, instead of waiting for it to end. */
  readonly cutIn: boolean
}

/** Today's part of a slot: when it opens and closes on today's clock (minutes; `to` up to 1440). */
export interface SlotToday {
  readonly slot: ScheduleSlot
  readonly from: number
  readonly to: number
}

const isOpenAt = (slot: ScheduleSlot, weekday: number, minutes: number): boolean => {
  const yesterday = (weekday + 6) % 7
  if (slot.from < slot.to) return slot.days.includes(weekday) && minutes >= slot.from && minutes < slot.to
  return (slot.days.includes(weekday) && minutes >= slot.from) || (slot.days.includes(yesterday) && minutes < slot.to)
}

/**
 * The slot on air at `instant`, read on the wall clock of `timeZone`: the first one listed whose
 * window is open (the order of the list settles overlaps), or undefined for the default rotation.
 * A window is open from its `from` (included) to its `to` (excluded) by the local clock, so on the
 * night clocks go forward an hour that never happens is skipped, and on the night they go back an
 * hour read twice is open twice.
 *
 * @example
 * activeSlot(slots, Date.now(), 'Europe/Berlin')?.name // 'Morning show'
 */
export const activeSlot = <S extends ScheduleSlot>(
  slots: readonly S[],
  instant: number,
  timeZone: string,
): S | undefined => {
  if (slots.length === 0) return undefined
  const { weekday, minutes } = zonedTime(instant, timeZone)
  return slots.find((slot) => isOpenAt(slot, weekday, minutes))
}

/**
 * The slots of the day holding `instant` (local), in the order they open: windows opening today,
 * and the end of those that opened yesterday across midnight. Overlaps are left as configured
 * (`activeSlot` settles them).
 *
 * @example
 * slotsOfDay(slots, Date.now(), 'UTC') // [{ slot, from: 360, to: 600 }]
 */
export const slotsOfDay = <S extends ScheduleSlot>(
  slots: readonly S[],
  instant: number,
  timeZone: string,
): (SlotToday & { slot: S })[] => {
  if (slots.length === 0) return []
  const { weekday } = zonedTime(instant, timeZone)
  const yesterday = (weekday + 6) % 7
  const today: (SlotToday & { slot: S })[] = []
  for (const slot of slots) {
    const overnight = slot.from >= slot.to
    if (overnight && slot.days.includes(yesterday) && slot.to > 0) today.push({ slot, from: 0, to: slot.to })
    if (slot.days.includes(weekday)) today.push({ slot, from: slot.from, to: overnight ? 1440 : slot.to })
  }
  return today.sort((a, b) => a.from - b.from)
}

/**
 * Minutes after midnight as the config writes them.
 *
 * @example
 * clockTime(390) // '06:30'
 */
export const clockTime = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
