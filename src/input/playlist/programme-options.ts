import type { JingleRule } from '../programme/jingle-rule.ts'
import type { ScheduleSlot } from '../programme/schedule.ts'

/** A slot of the schedule, with the playlist it plays. */
export interface SlotOptions extends ScheduleSlot {
  readonly entries: readonly string[]
  readonly shuffle?: boolean
}

/** The jingle playlist (station IDs, sweepers) and when it plays. */
export interface JingleOptions extends JingleRule {
  readonly entries: readonly string[]
  /** Default true: jingles in a new order at each loop. */
  readonly shuffle?: boolean
  /** Default true: a jingle's title goes out like any track's; false keeps the title of the track before. */
  readonly showTitles?: boolean
}

/** What a playlist source plays: its default rotation, and the programme around it. */
export interface ProgrammeOptions {
  /** Files, folders and playlist files of the default rotation, as configured. */
  entries: readonly string[]
  shuffle?: boolean
  /** The schedule's slots; the first listed wins an overlap. */
  schedule?: readonly SlotOptions[]
  jingles?: JingleOptions
  /** IANA time zone of the schedule and the top of the hour (default: the machine's). */
  timeZone?: string
  /** Folders whose files may be requested, besides the playlists' own files. */
  requestFolders?: readonly string[]
}
