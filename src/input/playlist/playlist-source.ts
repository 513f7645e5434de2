import type { AudioFormat, StreamParams } from '../../format/params.ts'
import { describeParams } from '../../format/params.ts'
import type { Logger } from '../../log.ts'
import { silentLogger } from '../../log.ts'
import type { Clock } from '../../clock.ts'
import { systemClock, wallTime } from '../../clock.ts'
import type { AudioFileInfo } from './audio-file.ts'
import { readAudioFrames } from './audio-file.ts'
import { Backoff } from '../../util/backoff.ts'
import type { Result } from '../../util/result.ts'
import type { JingleOptions, ProgrammeOptions, SlotOptions } from './programme-options.ts'
import type { Pick } from '../programme/programme.ts'
import { Programme } from '../programme/programme.ts'
import type { QueuedRequest } from '../programme/request-queue.ts'
import { RequestQueue } from '../programme/request-queue.ts'
import { systemTimeZone } from '../../util/zoned-time.ts'
import { queueRequest } from './request-file.ts'
import type { Ready } from './rotation.ts'
import { PlaylistError, Rotation } from './rotation.ts'
import { SkipReport } from './skip-report.ts'
import type { SourceFrame, Track } from '../track.ts'
import { displayTitle, nextTrackId, titleFromPath } from '../track.ts'
import { FileRefusedError } from './regular-file.ts'

export { PlaylistError } from './rotation.ts'
export type { Ready } from './rotation.ts'
export type { JingleOptions, ProgrammeOptions, SlotOptions } from './programme-options.ts'

export interface PlaylistSourceOptions extends ProgrammeOptions {
  /** Where relative entries are resolved (default: the working directory). */
  baseDir?: string
  /** Only play files of this format (default: the format of the first playable file). */
  format?: AudioFormat
  log?: Logger
  clock?: Clock
  random?: () => number
}

/** The rotations a programme plays from, opened. */
interface Rotations {
  readonly main: Rotation
  readonly slots: readonly (SlotOptions & { rotation: Rotation })[]
  readonly jingles: (JingleOptions & { rotation: Rotation }) | undefined
}

type Slot = Rotations['slots'][number]

/** A file the programme chose, why, and the slot whose playlist gave it. */
interface Chosen {
  readonly ready: Ready
  readonly pick: Pick<Slot>
  readonly from: Slot | undefined
}

/** What is playing: what the programme picked, and when it began (wall time). */
interface Playing {
  readonly pick: Pick<Slot>
  readonly track: Track
  readonly startedAt: number
}

/** How long to wait before looking again when nothing in the playlist plays: 1 s, doubling to 30 s. */
const IDLE_RETRY = { initialMs: 1_000, maxMs: 30_000 }
/** How often (clock ms) a playing track checks whether a slot that cuts in has begun. */
const CUT_CHECK_MS = 1_000

/**
 * The AutoDJ: plays its programme track after track until closed. At each track boundary the
 * programme (see `Programme`) says what comes next: a queued request, a jingle that is due, the
 * playlist of the schedule's slot open now, or the default rotation; each playlist goes round on
 * its own (see `Rotation`). A slot that cuts in ends the track playing when it opens or closes.
 * A reload (`reconfigure`) changes all of it from the next track on, keeping the requests.
 *
 * @example
 * const source = new PlaylistSource({ entries: ['~/Music'], shuffle: true, jingles: { entries: ['ids'], everyTracks: 4 } })
 * const first = await source.open()          // throws PlaylistError if nothing is playable
 * for await (const { frame, track } of source.frames()) …
 */
export class PlaylistSource {
  #options: PlaylistSourceOptions
  readonly #log: Logger
  readonly #clock: Clock
  readonly #skips: SkipReport
  readonly #stop = new AbortController()
  readonly #requests = new RequestQueue<Ready>()
  #rotations: Rotations
  #programme: Programme<Slot> | undefined
  #params: (StreamParams & { bitrate: number }) | undefined
  #playing: Playing | undefined
  #shown: Track | undefined
  readonly #emptySlots = new Set<string>()
  #skip = false
  /** The track on air now, whose title a jingle with its title hidden keeps (default: the last this source played). */
  onAir: (() => Track | undefined) | undefined

  constructor(options: PlaylistSourceOptions) {
    this.#options = options
    this.#log = options.log ?? silentLogger
    this.#clock = options.clock ?? systemClock
    this.#skips = new SkipReport(this.#log)
    this.#rotations = { main: this.#rotation(options.entries, options.shuffle), slots: [], jingles: undefined }
  }

  /** The stream parameters every played file must share, known once `open()` has resolved. */
  get params(): StreamParams & { bitrate: number } {
    if (!this.#params) throw new Error('PlaylistSource.open() has not completed')
    return this.#params
  }

  /** How many files the default rotation resolved to at its last scan. */
  get size(): number {
    return this.#rotations.main.size
  }

  /** How many files of the default rotation were playable when it was opened. */
  get playable(): number {
    return this.#rotations.main.playable
  }

  /** The time zone the schedule is read in. */
  get timeZone(): string {
    return this.#options.timeZone ?? systemTimeZone()
  }

  /** The schedule's slots, the jingle rule, and the slot open now. */
  get programme(): { slots: readonly Slot[]; jingles: JingleOptions | undefined; slotNow: Slot | undefined } {
    return {
      slots: this.#rotations.slots,
      jingles: this.#rotations.jingles,
      slotNow: this.#programme?.slotAt(wallTime(this.#clock)),
    }
  }

  /** The requests waiting, next first. */
  get requests(): RequestQueue<Ready> {
    return this.#requests
  }

  /**
   * Resolves every playlist of the programme and probes its files. The default rotation's first
   * playable file sets the mount's format, sample rate and channels; every other playlist must
   * hold files that match. Throws a PlaylistError naming every file and why when the default
   * rotation has nothing playable; a slot or the jingles with nothing playable are told in the log
   * and passed over until they have.
   */
  async open(): Promise<AudioFileInfo> {
    const first = await this.#rotations.main.open({ format: this.#options.format })
    const { format, sampleRate, channels, bitrate } = first
    this.#params = { format, sampleRate, channels, bitrate }
    this.#rotations = await this.#open(this.#options, this.#rotations.main)
    this.#programme = new Programme(this.#rules(this.#options, this.#rotations), wallTime(this.#clock))
    return first
  }

  /**
   * Prepares a new programme (a reload): every playlist is scanned afresh as at start-up (one that
   * was playing carries on after its last file), against the mount's stream. The function returned
   * applies all of it from the next track on (the track playing finishes, the requests stay
   * queued). Throws a PlaylistError, changing nothing, when the default rotation has nothing playable.
   *
   * @example
   * const apply = await source.prepare({ entries: ['new-music'] })
   * apply()
   */
  async prepare(options: ProgrammeOptions): Promise<() => void> {
    const old = this.#rotations
    const main = this.#rotation(options.entries, options.shuffle)
    const after = old.main.plays(options.entries, options.shuffle) ? old.main.last : undefined
    await main.open({ params: this.params, after }).catch((error) => this.#rethrow(error, 'playlist'))
    const rotations = await this.#open(options, main, old)
    return () => {
      this.#options = { ...this.#options, ...options }
      this.#rotations = rotations
      if (this.#programme) this.#programme.rules = this.#rules(this.#options, rotations)
    }
  }

  /** Stops the loop; a pending `frames()` iteration ends. */
  close(): void {
    this.#stop.abort()
  }

  /**
   * Ends the current track: the next frame yielded is the first of the next track (the current
   * one's file is closed). Asking again before that changes nothing.
   */
  skip(): void {
    this.#skip = true
  }

  /**
   * Queues a file to play next (after the requests already queued): one of the playlists' files, or
   * one under the request folders, matching the mount's stream. Refused, saying why, otherwise.
   */
  async request(path: string): Promise<Result<QueuedRequest<Ready>>> {
    const { main, slots, jingles } = this.#rotations
    return await queueRequest(this.#requests, path, wallTime(this.#clock), {
      rotations: [main, ...slots.map((slot) => slot.rotation), ...(jingles ? [jingles.rotation] : [])],
      folders: this.#options.requestFolders ?? [],
      baseDir: this.#options.baseDir,
      params: this.params,
    })
  }

  /**
   * The track to play after the one on air (whose id is `onAir`), as the programme would choose it
   * when that one ends, with its tags; it has no id until it goes on air. Undefined while nothing
   * is playable.
   */
  async upcoming(onAir?: number): Promise<Track | undefined> {
    if (!this.#programme) return undefined
    const playing = this.#playing
    // Read ahead of the air: a track already begun here but not yet on air (after `onAir`) is next.
    if (playing && onAir !== undefined && playing.track.id > onAir && !playing.track.hidden) return playing.track
    const at = Math.max(wallTime(this.#clock), playing ? playing.startedAt + (playing.track.duration ?? 0) * 1000 : 0)
    const chosen = await this.#choose(at, this.params, false)
    return chosen && { ...this.#track(chosen), id: 0 }
  }

  /** Yields the programme's frames, track after track, until `close()`. */
  async *frames(): AsyncGenerator<SourceFrame> {
    const params = this.params
    const signal = this.#stop.signal
    const idle = new Backoff(IDLE_RETRY)
    while (!signal.aborted) {
      const next = await this.#next(params)
      if (signal.aborted) return
      if (!next) {
        const wait = idle.next()
        this.#log.error(`nothing in the playlist is playable; looking again in ${wait / 1000} s`)
        await this.#clock.sleep(wait, signal)
        continue
      }
      idle.reset()
      const { ready, track, pick } = next
      this.#skip = false
      let dropped = 0
      let checkAt = this.#clock.now() + CUT_CHECK_MS
      try {
        for await (const frame of readAudioFrames(ready.info)) {
          if (frame.sampleRate !== params.sampleRate || frame.channels !== params.channels) {
            dropped++
            continue
          }
          yield { frame, track }
          if (signal.aborted) return
          if (this.#skip) break
          if (this.#clock.now() >= checkAt) {
            checkAt = this.#clock.now() + CUT_CHECK_MS
            if (this.#programme?.shouldCut(pick, wallTime(this.#clock))) {
              this.#log.info(`the schedule cuts in: ending ${track.title} early`)
              break
            }
          }
        }
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        this.#skips.add(ready.file, error instanceof FileRefusedError ? reason : `read failed: ${reason}`)
      }
      if (dropped > 0) this.#skips.add(ready.file, `dropped ${dropped} frame(s) that are not ${describeParams(params)}`)
      this.#skips.flush()
    }
  }

  /** What the programme plays next, now: the file, its track and the pick; undefined when nothing is playable. */
  async #next(params: StreamParams): Promise<{ ready: Ready; track: Track; pick: Pick<Slot> } | undefined> {
    const now = wallTime(this.#clock)
    const chosen = await this.#choose(now, params, true)
    if (!chosen) return undefined
    this.#programme!.played(chosen.pick, now)
    const track = { ...this.#track(chosen), id: nextTrackId() }
    if (!track.hidden) this.#shown = track
    this.#playing = { pick: chosen.pick, track, startedAt: now }
    return { ready: chosen.ready, track, pick: chosen.pick }
  }

  /**
   * The programme's choice at `at` and its file: taken (it plays now), or only looked at. A jingle
   * that has no file gives way to the rotation; a slot whose playlist has nothing playable, to the
   * default rotation (`from`: the slot whose playlist gives the file, if any).
   */
  async #choose(at: number, params: StreamParams, take: boolean): Promise<Chosen | undefined> {
    const programme = this.#programme!
    const get = (rotation: Rotation) => (take ? rotation.take(params) : rotation.peek(params))
    const head = this.#requests.entries[0]
    let pick = programme.decide(at, { request: head !== undefined, jingle: this.#rotations.jingles !== undefined })
    if (pick.kind === 'request') {
      if (take) this.#requests.shift()
      return { ready: head!.item, pick, from: pick.slot }
    }
    let ready = await get(this.#rotationOf(pick))
    if (!ready && pick.kind === 'jingle') {
      pick = programme.decide(at, { request: false, jingle: false })
      ready = await get(this.#rotationOf(pick))
    }
    let from = pick.slot
    if (!ready && pick.slot) {
      if (take && !this.#emptySlots.has(pick.slot.name)) {
        this.#emptySlots.add(pick.slot.name)
        this.#log.warn(`nothing in the playlist of "${pick.slot.name}" is playable; the default rotation plays instead`)
      }
      from = undefined
      ready = await get(this.#rotations.main)
    } else if (take && from) this.#emptySlots.delete(from.name)
    return ready && { ready, pick, from }
  }

  /** The rotation a pick plays from. */
  #rotationOf(pick: Pick<Slot>): Rotation {
    if (pick.kind === 'jingle' && this.#rotations.jingles) return this.#rotations.jingles.rotation
    return pick.slot?.rotation ?? this.#rotations.main
  }

  /** The track a file plays as, for a pick (without its id). */
  #track({ ready: { file, info, tags }, pick, from }: Chosen): Omit<Track, 'id'> {
    const hidden = pick.kind === 'jingle' && this.#rotations.jingles?.showTitles === false &&
      (this.onAir?.() ?? this.#shown)
    const shown = hidden
      ? { title: hidden.title, artist: hidden.artist, song: hidden.song, album: hidden.album, hidden: true }
      : { title: displayTitle(tags, titleFromPath(file.path)), ...tags }
    return {
      origin: 'playlist',
      path: file.path,
      ...shown,
      duration: tags.duration ?? ((info.end - info.start) * 8) / (info.bitrate * 1000),
      ...(pick.kind !== 'rotation' && { role: pick.kind }),
      ...(from && { slot: from.name }),
    }
  }

  #rotation(entries: readonly string[], shuffle: boolean | undefined): Rotation {
    return new Rotation({
      entries,
      shuffle,
      baseDir: this.#options.baseDir,
      log: this.#log,
      skips: this.#skips,
      random: this.#options.random,
    })
  }

  /** Opens the slots' and jingles' playlists (those not already open in `old`), against the mount's stream. */
  async #open(options: ProgrammeOptions, main: Rotation, old?: Rotations): Promise<Rotations> {
    const params = this.params
    // Every playlist is scanned afresh (a reload picks up a rewritten .m3u); one that was playing
    // already carries on after the file it gave last.
    const open = async (entries: readonly string[], shuffle: boolean | undefined, label: string) => {
      if (main.plays(entries, shuffle)) return main
      const before = [old?.main, ...(old?.slots.map((s) => s.rotation) ?? []), old?.jingles?.rotation]
        .find((rotation) => rotation?.plays(entries, shuffle))
      const rotation = this.#rotation(entries, shuffle)
      await rotation.open({ params, after: before?.last }).catch((error) => {
        if (!(error instanceof PlaylistError)) throw error
        const [first, ...more] = error.of(label).message.split('\n')
        this.#log.warn(`${first!.replace(/:$/, '')}; passed over until it has something playable`)
        for (const line of more) this.#log.warn(line)
      })
      return rotation
    }
    const slots = []
    for (const slot of options.schedule ?? []) {
      slots.push({ ...slot, rotation: await open(slot.entries, slot.shuffle, `schedule "${slot.name}"`) })
    }
    const jingles = options.jingles && {
      ...options.jingles,
      rotation: await open(options.jingles.entries, options.jingles.shuffle ?? true, 'jingles'),
    }
    return { main, slots, jingles }
  }

  #rules(options: ProgrammeOptions, rotations: Rotations) {
    return { slots: rotations.slots, jingles: rotations.jingles, timeZone: options.timeZone ?? systemTimeZone() }
  }

  #rethrow(error: unknown, label: string): never {
    throw error instanceof PlaylistError ? error.of(label) : error
  }
}
