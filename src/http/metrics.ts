import type { HlsStream } from '../hls/hls-stream.ts'
import type { Mount } from '../mount/mount.ts'
import { hlsOf } from './hls.ts'
import { eventSubscribers } from './event-fanout.ts'
import type { Station } from '../station/station.ts'
import { VERSION } from '../version.ts'

/** The content type of Prometheus' text exposition format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

type MetricType = 'counter' | 'gauge'

interface MetricFamily {
  name: string
  type: MetricType
  help: string
  /** The samples for one mount: extra labels (besides `mount`) and a value. */
  samples: (mount: Mount) => [labels: Record<string, string>, value: number][]
}

const one =
  (value: (mount: Mount) => number) => (mount: Mount): [Record<string, string>, number][] => [[{}, value(mount)]]

/** A sample for mounts that serve HLS; none for the others. */
const hlsSample = (value: (hls: HlsStream) => number) => (mount: Mount): [Record<string, string>, number][] => {
  const hls = hlsOf(mount)
  return hls ? [[{}, value(hls)]] : []
}

/**
 * Per-mount metrics, one family each. Counters count from the station's start (Prometheus handles
 * restarts through `airwave_start_time_seconds` and its own reset detection).
 */
const MOUNT_METRICS: readonly MetricFamily[] = [
  {
    name: 'airwave_listeners',
    type: 'gauge',
    help: 'Listeners connected now (range probes and HEAD requests never count).',
    samples: one((m) => m.listenerCounts().current),
  },
  {
    name: 'airwave_listeners_peak',
    type: 'gauge',
    help: 'Most listeners connected at once since start.',
    samples: one((m) => m.listenerCounts().peak),
  },
  {
    name: 'airwave_listeners_unique',
    type: 'gauge',
    help: 'Distinct (address, user agent) pairs among the listeners connected now.',
    samples: one((m) => m.listenerCounts().unique),
  },
  {
    name: 'airwave_event_subscribers',
    type: 'gauge',
    help: "Event streams (/api/events, the pages) carrying this mount's events now.",
    samples: one((m) => eventSubscribers(m)),
  },
  {
    name: 'airwave_listener_connections_total',
    type: 'counter',
    help: 'Listener connections accepted since start.',
    samples: one((m) => m.broadcaster.stats.connections),
  },
  {
    name: 'airwave_slow_listener_drops_total',
    type: 'counter',
    help: 'Listeners disconnected for falling too far behind.',
    samples: one((m) => m.broadcaster.stats.slowDrops),
  },
  {
    name: 'airwave_sent_bytes_total',
    type: 'counter',
    help: 'Bytes sent to listeners (audio and ICY metadata), all listeners together.',
    samples: one((m) => m.broadcaster.bytesSent()),
  },
  {
    name: 'airwave_stream_bytes_total',
    type: 'counter',
    help: 'Audio bytes the mount has broadcast, each counted once however many listeners got it.',
    samples: one((m) => m.broadcaster.stats.bytes),
  },
  {
    name: 'airwave_stream_seconds_total',
    type: 'counter',
    help: 'Seconds of audio the mount has broadcast (the live edge).',
    samples: one((m) => m.position),
  },
  {
    name: 'airwave_hls_sessions',
    type: 'gauge',
    help: 'HLS listeners now: sessions that asked for the live playlist within two segment lengths.',
    samples: hlsSample((hls) => hls.sessions.count),
  },
  {
    name: 'airwave_hls_sessions_peak',
    type: 'gauge',
    help: 'Most HLS sessions at once since start.',
    samples: hlsSample((hls) => hls.sessions.peak),
  },
  {
    name: 'airwave_hls_requests_total',
    type: 'counter',
    help: 'HLS requests answered: the live playlist (kind="playlist") and segments (kind="segment").',
    samples: (m) => {
      const hls = hlsOf(m)
      return hls ? [[{ kind: 'playlist' }, hls.stats.playlists], [{ kind: 'segment' }, hls.stats.segments]] : []
    },
  },
  {
    name: 'airwave_hls_segment_bytes_total',
    type: 'counter',
    help: 'Bytes of HLS segments sent (a cache in front serves the rest).',
    samples: hlsSample((hls) => hls.stats.segmentBytes),
  },
  {
    name: 'airwave_source_connections_total',
    type: 'counter',
    help: 'Sources admitted since start: live DJs (kind="live") and relay connections (kind="relay").',
    samples: (m) => Object.entries(m.sources.admitted).map(([kind, count]) => [{ kind }, count]),
  },
]

/** Escapes a label value: backslash, double quote and line feed, as the format requires. */
const labelValue = (text: string): string => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

/** A sample value: integers as they are, others with up to 3 decimals. */
const sampleValue = (
  value: number,
): string => (Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3))))

const family = (name: string, type: MetricType, help: string, samples: string[]): string =>
  `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${samples.join('')}`

/**
 * `GET /metrics` in Prometheus' text exposition format (0.0.4): the server's version and start
 * time, and per mount (label `mount`, its path) listeners now, peak and unique, connections, slow
 * drops, bytes sent and broadcast, seconds broadcast, and source connections (label `kind`: live or relay).
 *
 * @example
 * # curl -s localhost:8000/metrics | grep ^airwave_listeners
 * airwave_listeners{mount="/stream"} 3
 */
export const prometheusMetrics = (station: Station): string => {
  const mounts = [...station.mounts.values()]
  const families = [
    family('airwave_info', 'gauge', 'The airwave version serving these metrics (always 1).', [
      `airwave_info{version="${labelValue(VERSION)}"} 1\n`,
    ]),
    family('airwave_start_time_seconds', 'gauge', 'When the station started, in seconds since the Unix epoch.', [
      `airwave_start_time_seconds ${sampleValue(station.startedAt.getTime() / 1000)}\n`,
    ]),
    ...MOUNT_METRICS.map((metric) =>
      family(
        metric.name,
        metric.type,
        metric.help,
        mounts.flatMap((mount) =>
          metric.samples(mount).map(([labels, value]) => {
            const extra = Object.entries(labels).map(([key, text]) => `,${key}="${labelValue(text)}"`).join('')
            return `${metric.name}{mount="${labelValue(mount.path)}"${extra}} ${sampleValue(value)}\n`
          })
        ),
      )
    ),
  ]
  return families.join('')
}
