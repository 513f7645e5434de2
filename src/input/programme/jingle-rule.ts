import { topOfHour } from '../../util/zoned-time.ts'

/** When the jingle playlist (station IDs, sweepers) plays; any rule that is due plays one. */
export interface JingleRule {
  /** After this many tracks that were not jingles. */
  readonly everyTracks?: number
  /** Once this many minutes have passed since the last jingle (at the next track's start). */
  readonly everyMinutes?: number
  /** At the first track that starts in a new hour of the station's clock. */
  readonly topOfHour?: boolean
}

/** What the rules look at: the tracks and the time since the last jingle (or since the programme began). */
export interface JingleState {
  /** Tracks that were not jingles since the last jingle. */
  readonly tracksSince: number
  /** When the last jingle (or, before the first, the programme) began: ms since the epoch. */
  readonly lastAt: number
  /** Whether the track before was a jingle (a jingle never follows one). */
  readonly lastWasJingle: boolean
}

/** Why a jingle is due. */
export type JingleReason = 'every-tracks' | 'every-minutes' | 'top-of-hour'

/**
 * Whether a jingle plays before the track starting at `now` (ms since the epoch), and which rule
 * asks for it: never right after a jingle; else after `everyTracks` tracks, after `everyMinutes`
 * minutes, or when an hour began on the station's clock since the last jingle. Each jingle starts
 * every count afresh.
 *
 * @example
 * jingleDue({ everyTracks: 4 }, { tracksSince: 4, lastAt: 0, lastWasJingle: false }, Date.now(), 'UTC') // 'every-tracks'
 */
export const jingleDue = (
  rule: JingleRule,
  state: JingleState,
  now: number,
  timeZone: string,
): JingleReason | undefined => {
  if (state.lastWasJingle) return undefined
  if (rule.topOfHour && topOfHour(now, timeZone) > state.lastAt) return 'top-of-hour'
  if (rule.everyTracks !== undefined && state.tracksSince >= rule.everyTracks) return 'every-tracks'
  if (rule.everyMinutes !== undefined && now - state.lastAt >= rule.everyMinutes * 60_000) return 'every-minutes'
  return undefined
}
