import type { Listener } from '../../broadcast/listener.ts'
import type { Mount } from '../../mount/mount.ts'
import type { Clock } from '../../clock.ts'
import type { Station } from '../../station/station.ts'
import type { DashboardJson, ListenerJson, MountStateJson } from '../../web/client/api-types.d.ts'
import { hlsOf } from '../hls.ts'
import { onAirJson } from '../mount-json.ts'
import { programmeJson } from '../programme-json.ts'

/** Most listeners listed per mount (the rest are counted; a filter finds any one of them). */
export const DASHBOARD_LISTENER_LIMIT = 100

/** The chart's ranges (seconds) the dashboard offers; the first is the default. */
const DASHBOARD_RANGES: readonly number[] = [3600, 6 * 3600, 24 * 3600]

/** What the dashboard asks for: which listeners (a filter on id, address and user agent) and how much history. */
export interface DashboardQuery {
  filter: string
  /** Seconds of listener history. */
  range: number
}

/**
 * Reads the query of `GET /admin/dashboard.json?filter=…&range=…` (unknown ranges fall back to the default).
 *
 * @example
 * dashboardQuery(new URL('http://x/admin/dashboard.json?range=21600&filter=vlc')) // { filter: 'vlc', range: 21600 }
 */
export const dashboardQuery = (url: URL): DashboardQuery => {
  const range = Number(url.searchParams.get('range'))
  return {
    filter: (url.searchParams.get('filter') ?? '').trim().slice(0, 200),
    range: DASHBOARD_RANGES.includes(range) ? range : DASHBOARD_RANGES[0]!,
  }
}

const listenerJson = (listener: Listener, clock: Clock): ListenerJson => ({
  id: listener.id,
  address: listener.info.address,
  userAgent: listener.info.userAgent,
  ...(listener.info.user !== undefined && { user: listener.info.user }),
  connected: Math.max(0, Math.round((clock.now() - listener.connectedAt) / 1000)),
  bytes: listener.bytesSent,
})

const matches = (listener: Listener, needle: string): boolean =>
  `#${listener.id}\n${listener.info.address}\n${listener.info.userAgent}\n${listener.info.user ?? ''}`.toLowerCase()
    .includes(needle)

const mountState = async (
  station: Station,
  mount: Mount,
  clock: Clock,
  query: DashboardQuery,
): Promise<MountStateJson> => {
  const input = mount.input ?? null
  const source = input === 'live' || input === 'relay' ? mount.source(input) : undefined
  const onAir = input ? mount.onAir : undefined
  const needle = query.filter.toLowerCase()
  const listeners = mount.broadcaster.listeners().filter((l) => !needle || matches(l, needle)).sort((a, b) =>
    a.id - b.id
  )
  const next = input === 'playlist' ? await mount.upcoming() : undefined
  return {
    path: mount.path,
    name: mount.config.name ?? null,
    input,
    serving: station.routing.serving(mount)?.path ?? null,
    stream: mount.describe(),
    hasPlaylist: mount.playlist !== undefined,
    source: source
      ? {
        kind: source.kind,
        origin: source.origin,
        userAgent: source.userAgent,
        name: source.info.name ?? null,
        connectedAt: source.connectedAt.toISOString(),
        connected: Math.max(0, Math.round((Date.now() - source.connectedAt.getTime()) / 1000)),
      }
      : null,
    nowPlaying: onAir ? { ...onAirJson(onAir), elapsed: (clock.now() - onAir.since) / 1000 } : null,
    next: next?.title ?? null,
    programme: programmeJson(mount, clock),
    listeners: {
      ...mount.listenerCounts(),
      matching: listeners.length,
      list: listeners.slice(0, DASHBOARD_LISTENER_LIMIT).map((l) => listenerJson(l, clock)),
    },
    hlsSessions: hlsOf(mount)?.sessions.count ?? null,
    history: mount.listenerHistory.series(query.range * 1000),
  }
}

/**
 * The operator dashboard's state, `GET /admin/dashboard.json` (admin auth): per mount what it
 * plays and from where, the listeners (up to `DASHBOARD_LISTENER_LIMIT`, oldest connection first,
 * optionally filtered) with their address, user agent, seconds connected and bytes sent, and the
 * listener count's history for the chart.
 *
 * @example
 * c.json(await dashboardJson(station, clock, { filter: '', range: 3600 }))
 */
export const dashboardJson = async (station: Station, clock: Clock, query: DashboardQuery): Promise<DashboardJson> => ({
  station: station.config.name ?? null,
  filter: query.filter,
  range: query.range,
  ranges: DASHBOARD_RANGES,
  listenerLimit: DASHBOARD_LISTENER_LIMIT,
  mounts: await Promise.all([...station.mounts.values()].map((mount) => mountState(station, mount, clock, query))),
})
