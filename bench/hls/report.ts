import type { LoadResult } from '../load/result.ts'
import type { HlsLoadResult } from './load.ts'

/** How the clients reached airwave in one leg. */
export type HlsLeg = 'direct' | 'nginx' | 'stream'

/** One server, one leg: what bench/hls.ts records. */
export interface HlsRunRecord {
  readonly server: string
  readonly version?: string
  readonly leg: HlsLeg
  readonly clients: number
  readonly logDir: string
  /** HLS legs: the players' load generator's result. */
  readonly hls?: HlsLoadResult
  /** The stream leg: bench/load.ts's result for as many continuous listeners. */
  readonly stream?: LoadResult
  readonly error?: string
}

/** The figures of one row. */
export interface HlsRow {
  readonly server: string
  readonly leg: HlsLeg
  readonly clients: number
  readonly cpu?: number
  readonly cpuPer1k?: number
  readonly peakRss?: number
  readonly requestsPerSecond?: number
  readonly servedPerSegment?: number
  readonly sessions?: number
  readonly errors?: number
  readonly late?: number
  readonly nginxCpu?: number
  readonly loadgenCpu?: number
  readonly error?: string
}

const LEG_LABELS: Record<HlsLeg, string> = {
  direct: 'HLS, direct',
  nginx: 'HLS, through nginx',
  stream: 'stream (continuous)',
}

/** Reduces a run to its row. */
export const hlsRow = (run: HlsRunRecord): HlsRow => {
  const base = { server: run.server, leg: run.leg, clients: run.clients }
  if (run.hls) {
    const r = run.hls
    const origin = r.servers[0]
    const errors = Object.values(r.counters.errors).reduce((a, b) => a + b, 0)
    const requests = r.origin ? r.origin.playlists + r.origin.segments : undefined
    return {
      ...base,
      cpu: origin?.cpuPercent,
      cpuPer1k: origin?.cpuPercent === undefined ? undefined : (origin.cpuPercent / run.clients) * 1000,
      peakRss: origin?.peakRss,
      requestsPerSecond: requests === undefined ? undefined : requests / r.windowSeconds,
      // airwave's segment answers over the players' segment fetches, times the players: N when
      // every fetch reaches airwave, 1 when it serves each segment once (within the window's edges).
      servedPerSegment: r.origin && r.counters.segments > 0
        ? (r.origin.segments / r.counters.segments) * r.settings.players
        : undefined,
      sessions: r.origin?.sessions,
      errors,
      late: r.counters.late,
      nginxCpu: r.servers[1]?.cpuPercent,
      loadgenCpu: r.loadgen.cpuPercent,
    }
  }
  if (run.stream) {
    const r = run.stream
    const origin = r.server[0]
    return {
      ...base,
      cpu: origin?.cpuPercent,
      cpuPer1k: origin?.cpuPercent === undefined || r.listeners.ok === 0
        ? undefined
        : (origin.cpuPercent / r.listeners.ok) * 1000,
      peakRss: origin?.peakRss,
      errors: r.listeners.failed,
      late: r.underruns,
      loadgenCpu: r.loadgen.cpuPercent,
    }
  }
  return { ...base, error: run.error ?? 'no result' }
}

const f = (value: number | undefined, digits: number, unit = ''): string =>
  value === undefined
    ? '–'
    : `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })}${unit}`
const MiB = 1024 * 1024

/** The results as a Markdown table: one row per server and leg. */
export const hlsTable = (runs: readonly HlsRunRecord[]): string => {
  const head = '| server | clients | how | origin CPU % of a core | CPU % per 1k clients | origin peak RSS | ' +
    'origin requests/s | segments served per segment | HLS sessions counted | client errors | late segments | ' +
    'nginx CPU % | load gen CPU % |\n' +
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
  const lines = runs.map((run) => {
    const r = hlsRow(run)
    const start = `| ${r.server} | ${r.clients.toLocaleString('en-US')} | ${LEG_LABELS[r.leg]} |`
    if (r.error) return `${start} – | – | – | – | – | – | – | – | – | – |  ← ${r.error.split('\n')[0]}`
    const late = r.leg === 'stream' ? `${r.late} underruns` : f(r.late, 0)
    return `${start} ${f(r.cpu, 1)} | ${f(r.cpuPer1k, 2)} | ${f(r.peakRss && r.peakRss / MiB, 0, ' MiB')} | ${
      f(r.requestsPerSecond, 0)
    } | ${f(r.servedPerSegment, r.servedPerSegment !== undefined && r.servedPerSegment < 10 ? 2 : 0)} | ${
      f(r.sessions, 0)
    } | ${f(r.errors, 0)} | ${late} | ${f(r.nginxCpu, 1)} | ${f(r.loadgenCpu, 1)} |`
  })
  return head + lines.join('\n') + '\n'
}

/** For each server: its origin CPU per 1k clients through nginx and for continuous listeners, against HLS direct. */
export const hlsRatios = (runs: readonly HlsRunRecord[]): string => {
  const rows = runs.map(hlsRow).filter((r) => !r.error)
  const lines = rows.filter((r) => r.leg === 'direct').map((direct) => {
    const of = (leg: HlsLeg) =>
      rows.find((r) => r.server === direct.server && r.leg === leg && r.clients === direct.clients)
    const ratio = (r: HlsRow | undefined) =>
      r?.cpuPer1k !== undefined && direct.cpuPer1k ? `${(r.cpuPer1k / direct.cpuPer1k).toFixed(2)}x` : '–'
    return `| ${direct.server} | ${direct.clients.toLocaleString('en-US')} | ${f(direct.cpuPer1k, 2)} | ${
      f(of('nginx')?.cpuPer1k, 2)
    } (${ratio(of('nginx'))}) | ${f(of('stream')?.cpuPer1k, 2)} (${ratio(of('stream'))}) |`
  })
  if (lines.length === 0) return ''
  return '| server | clients | origin CPU % per 1k, HLS direct | through nginx (vs direct) | continuous stream (vs HLS direct) |\n' +
    '|---|---:|---:|---:|---:|\n' + lines.join('\n') + '\n'
}

/** Everything bench/hls.ts prints at the end. */
export const hlsReport = (runs: readonly HlsRunRecord[]): string => {
  const ratios = hlsRatios(runs)
  const notes = runs.flatMap((run) => {
    const lag = run.hls?.loadgen.loopLagMs.max ?? run.stream?.loadgen.loopLagMs.max
    const errors = Object.entries(run.hls?.errors ?? {}).map(([message, n]) => `${n}× ${message}`)
    return [
      ...(lag !== undefined && lag > 100
        ? [`note: ${run.server} ${run.leg}: the load generator's event loop lagged up to ${Math.round(lag)} ms`]
        : []),
      ...(errors.length > 0 ? [`note: ${run.server} ${run.leg}: players' first errors: ${errors.join('; ')}`] : []),
    ]
  })
  return [
    hlsTable(runs),
    ...(ratios ? [`Origin CPU per 1,000 clients against HLS served directly:\n\n${ratios}`] : []),
    ...(notes.length > 0 ? [notes.join('\n') + '\n'] : []),
  ].join('\n')
}
