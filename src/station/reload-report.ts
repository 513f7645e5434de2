import type { StationConfig } from '../config/schema.ts'

/** What a reload did: mounts added, removed and given new settings, and the settings kept until a restart. */
export interface ReloadReport {
  readonly added: readonly string[]
  readonly removed: readonly string[]
  readonly updated: readonly string[]
  /** Settings that changed in the file but need a restart (`port`, `/stream burst`); the running values stay. */
  readonly kept: readonly string[]
}

/** Station settings bound at start-up: the ports, the processes, the log level, the certificate files (their contents are re-read). */
const STATION_RESTART_SETTINGS = ['host', 'port', 'sourcePort', 'workers', 'logLevel', 'tls'] as const

/**
 * The station settings that differ between `running` and `next` but need a restart.
 *
 * @example
 * stationRestartSettings(station.config, reloaded) // ['port']
 */
export const stationRestartSettings = (
  running: StationConfig,
  next: StationConfig,
): (typeof STATION_RESTART_SETTINGS)[number][] =>
  STATION_RESTART_SETTINGS.filter((key) => JSON.stringify(running[key]) !== JSON.stringify(next[key]))

/**
 * A reload's report as one log line.
 *
 * @example
 * describeReload({ added: ['/new'], removed: [], updated: ['/stream'], kept: ['port'] })
 * // 'configuration reloaded: added /new; updated /stream; kept until a restart: port'
 */
export const describeReload = (report: ReloadReport): string => {
  const parts = [
    report.added.length > 0 && `added ${report.added.join(', ')}`,
    report.removed.length > 0 && `removed ${report.removed.join(', ')}`,
    report.updated.length > 0 && `updated ${report.updated.join(', ')}`,
    report.kept.length > 0 && `kept until a restart: ${report.kept.join(', ')}`,
  ].filter(Boolean)
  return `configuration reloaded: ${parts.length > 0 ? parts.join('; ') : 'nothing changed'}`
}

/**
 * Whether a reload changes station-wide settings that apply at once (credentials, the public URL,
 * the time zone, …): anything but the mounts and the settings `kept` until a restart.
 *
 * @example
 * stationSettingsDiffer(station.config, { ...station.config, adminPassword: 'new' }, []) // true
 */
export const stationSettingsDiffer = (
  running: StationConfig,
  next: StationConfig,
  kept: readonly string[],
): boolean => {
  const keys = new Set([...Object.keys(running), ...Object.keys(next)] as (keyof StationConfig)[])
  return [...keys].some((key) =>
    key !== 'mounts' && !kept.includes(key) && JSON.stringify(running[key]) !== JSON.stringify(next[key])
  )
}
