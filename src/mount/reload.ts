import type { MountConfig } from '../config/schema.ts'
import type { ProgrammeOptions } from '../input/playlist/playlist-source.ts'

/**
 * What a mount's AutoDJ plays, from its config: the default rotation, the schedule's slots, the
 * jingles, the time zone and the request folders (every key present, so a reload also clears).
 *
 * @example
 * new PlaylistSource({ ...programmeOptions(config), baseDir, log })
 */
export const programmeOptions = (config: MountConfig): ProgrammeOptions => ({
  entries: config.playlist ?? [],
  shuffle: config.shuffle,
  schedule: config.schedule?.map(({ playlist, name, ...slot }, i) => ({
    ...slot,
    name: name ?? `slot ${i + 1}`,
    entries: playlist,
  })),
  jingles: config.jingles && (({ playlist, ...rule }) => ({ ...rule, entries: playlist }))(config.jingles),
  timeZone: config.timeZone,
  requestFolders: config.requestFolders,
})

/** A mount's AutoDJ settings: kept all together when its playlist cannot be added or removed. */
const PROGRAMME_SETTINGS: readonly string[] = ['playlist', 'shuffle', 'schedule', 'jingles', 'requestFolders']

/** Settings a running mount keeps until a restart: changing them would break its listeners' streams. */
export const RESTART_SETTINGS = ['format', 'burst', 'chunkDuration', 'slowListenerLimit', 'hls'] as const

/**
 * The settings of `next` that differ from `running` but need a restart, by name; adding or removing
 * a mount's playlist is one (its listeners' stream would change under them).
 *
 * @example
 * restartSettings(mount.config, reloaded) // ['burst']
 */
export const restartSettings = (running: MountConfig, next: MountConfig): string[] => [
  ...RESTART_SETTINGS.filter((key) => JSON.stringify(running[key]) !== JSON.stringify(next[key])),
  ...((running.playlist === undefined) !== (next.playlist === undefined) ? ['playlist'] : []),
]

/**
 * The settings a mount runs with after a reload: `next`, but the `kept` settings (see
 * `restartSettings`) as they were.
 *
 * @example
 * mount.config = keepSettings(running, next, restartSettings(running, next))
 */
export const keepSettings = (running: MountConfig, next: MountConfig, kept: readonly string[]): MountConfig => ({
  ...next,
  ...Object.fromEntries(
    [...RESTART_SETTINGS, ...(kept.includes('playlist') ? PROGRAMME_SETTINGS : [])]
      .filter((key) => kept.includes(key) || PROGRAMME_SETTINGS.includes(key))
      .map((key) => [key, running[key as 'burst']]),
  ),
})
