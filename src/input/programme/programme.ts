import type { JingleReason, JingleRule, JingleState } from './jingle-rule.ts'
import { jingleDue } from './jingle-rule.ts'
import type { ScheduleSlot } from './schedule.ts'
import { activeSlot } from './schedule.ts'

/** What plays next, and the slot of the schedule on air when it was chosen (undefined: the default rotation). */
export type Pick<S extends ScheduleSlot = ScheduleSlot> =
  | { readonly kind: 'request'; readonly slot: S | undefined }
  | { readonly kind: 'jingle'; readonly slot: S | undefined; readonly reason: JingleReason }
  | { readonly kind: 'rotation'; readonly slot: S | undefined }

/** A programme's rules: the schedule's slots (first listed wins an overlap), the jingles', and the clock they read. */
export interface ProgrammeRules<S extends ScheduleSlot = ScheduleSlot> {
  readonly slots: readonly S[]
  readonly jingles?: JingleRule
  /** The IANA time zone the schedule and the top of the hour are read in. */
  readonly timeZone: string
}

/** What is on offer at a track boundary besides the schedule. */
export interface Offer {
  /** A request is queued. */
  readonly request: boolean
  /** The jingle playlist has a file to play (false: no jingle, whatever is due). */
  readonly jingle: boolean
}

/**
 * The station's running order: at each track boundary it says what plays next. A queued request
 * first; else a jingle when one is due (see `jingleDue`); else the rotation of the schedule's slot
 * open now, else the default rotation. It keeps the counts the jingle rules need, and tells when a
 * change of slot should cut the track playing.
 *
 * @example
 * const programme = new Programme({ slots, jingles: { everyTracks: 4, topOfHour: true }, timeZone: 'Europe/Berlin' }, Date.now())
 * const pick = programme.decide(Date.now(), { request: false, jingle: true })
 * programme.played(pick, Date.now())
 */
export class Programme<S extends ScheduleSlot = ScheduleSlot> {
  #rules: ProgrammeRules<S>
  #state: JingleState

  /** `startedAt` (ms since the epoch) counts as the last jingle: none is due at once. */
  constructor(rules: ProgrammeRules<S>, startedAt: number) {
    this.#rules = rules
    this.#state = { tracksSince: 0, lastAt: startedAt, lastWasJingle: false }
  }

  get rules(): ProgrammeRules<S> {
    return this.#rules
  }

  /** New rules (a reload); the counts since the last jingle carry on. */
  set rules(rules: ProgrammeRules<S>) {
    this.#rules = rules
  }

  /** The slot open at `now`, if any. */
  slotAt(now: number): S | undefined {
    return activeSlot(this.#rules.slots, now, this.#rules.timeZone)
  }

  /** What should play from `now` (ms since the epoch), given what is on offer; it changes nothing. */
  decide(now: number, offer: Offer): Pick<S> {
    const slot = this.slotAt(now)
    if (offer.request) return { kind: 'request', slot }
    const rule = this.#rules.jingles
    const reason = rule && offer.jingle ? jingleDue(rule, this.#state, now, this.#rules.timeZone) : undefined
    if (reason) return { kind: 'jingle', slot, reason }
    return { kind: 'rotation', slot }
  }

  /** `pick` went on air at `now`: the jingle counts move on. */
  played(pick: Pick<S>, now: number): void {
    this.#state = pick.kind === 'jingle'
      ? { tracksSince: 0, lastAt: now, lastWasJingle: true }
      : { ...this.#state, tracksSince: this.#state.tracksSince + 1, lastWasJingle: false }
  }

  /**
   * Whether the track of `pick` should end at `now` for a change of slot: the slot open now is not
   * the one it was chosen in (by name: a reload keeps a slot), and either of them cuts in.
   */
  shouldCut(pick: Pick<S>, now: number): boolean {
    // Without a slot that cuts in, nothing is cut: no need to read the clock of the zone.
    if (pick.slot?.cutIn !== true && !this.#rules.slots.some((slot) => slot.cutIn)) return false
    const slot = this.slotAt(now)
    return slot?.name !== pick.slot?.name && (slot?.cutIn === true || pick.slot?.cutIn === true)
  }
}
