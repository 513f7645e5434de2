import type { FailureKind } from './listener.ts'
import type { LoadResult, ProcessFigures } from './result.ts'
import type { Distribution } from './stats.ts'
import { distribution } from './stats.ts'

/** The per-listener record `--raw` adds to a result. */
interface RawListener {
  readonly connectMs: number | null
  readonly firstByteMs: number | null
  readonly burstBytes: number
  readonly rateKbps: number
  readonly stallMs: number
  readonly failure: string | null
}

const rawOf = (result: LoadResult): RawListener[] => (result.raw ?? []) as RawListener[]

/** The worst of the shards' figures, field by field (for what the shards measured over their own windows). */
const worst = (all: readonly Distribution[]): Distribution => ({
  count: all.reduce((n, d) => n + d.count, 0),
  min: Math.min(...all.map((d) => d.min ?? Number.POSITIVE_INFINITY)),
  p1: Math.min(...all.map((d) => d.p1 ?? Number.POSITIVE_INFINITY)),
  p50: Math.max(...all.map((d) => d.p50 ?? 0)),
  p90: Math.max(...all.map((d) => d.p90 ?? 0)),
  p99: Math.max(...all.map((d) => d.p99 ?? 0)),
  max: Math.max(...all.map((d) => d.max ?? 0)),
})

/**
 * One result from the results of several load generators run side by side against one server
 * (one process may hold only 20,000 sockets): counts and throughput added up, distributions
 * recomputed from every listener's record (`--raw`), stalls and time ahead as the worst shard's,
 * the server's figures from the shard that sampled it with memory per listener over all listeners.
 *
 * @example
 * const result = mergeShards(await Promise.all(shards.map((s) => runLoadgen(runtime, s))))
 */
export const mergeShards = (results: readonly LoadResult[]): LoadResult => {
  const [first] = results
  if (!first) throw new Error('no shard results to merge')
  const raw = results.flatMap(rawOf)
  const ok = raw.filter((l) => l.failure === null && l.firstByteMs !== null)
  const failures = { ...first.listeners.failures }
  const errors: Record<string, number> = {}
  for (const r of results) {
    for (const [kind, n] of Object.entries(r.listeners.failures)) {
      if (r !== first) failures[kind as FailureKind] += n
    }
    for (const [error, n] of Object.entries(r.listeners.errors)) errors[error] = (errors[error] ?? 0) + n
  }
  const okCount = results.reduce((n, r) => n + r.listeners.ok, 0)
  const server: ProcessFigures[] = first.server.map((p) => ({
    ...p,
    rssPerListener: p.peakRss !== undefined && p.idleRss !== undefined && okCount > 0
      ? Math.round((p.peakRss - p.idleRss) / okCount)
      : undefined,
  }))
  const sum = (pick: (r: LoadResult) => number | undefined) =>
    Number(results.reduce((n, r) => n + (pick(r) ?? 0), 0).toFixed(2))
  return {
    ...first,
    settings: {
      ...first.settings,
      listeners: sum((r) => r.settings.listeners),
      rampPerSecond: sum((r) => r.settings.rampPerSecond),
    },
    rampSeconds: Math.max(...results.map((r) => r.rampSeconds)),
    listeners: { ok: okCount, failed: sum((r) => r.listeners.failed), failures, errors },
    underruns: sum((r) => r.underruns),
    rateKbps: distribution(ok.map((l) => l.rateKbps), 2),
    firstByteMs: distribution(raw.flatMap((l) => (l.firstByteMs === null ? [] : [l.firstByteMs]))),
    connectMs: distribution(raw.flatMap((l) => (l.connectMs === null ? [] : [l.connectMs]))),
    burstBytes: distribution(ok.map((l) => l.burstBytes), 0),
    aheadSeconds: worst(results.map((r) => r.aheadSeconds)),
    stallMs: distribution(ok.map((l) => l.stallMs)),
    windowStallMs: worst(results.map((r) => r.windowStallMs)),
    readsPerSecond: worst(results.map((r) => r.readsPerSecond)),
    throughput: sum((r) => r.throughput),
    server,
    loadgen: {
      ...first.loadgen,
      cpuPercent: sum((r) => r.loadgen.cpuPercent),
      systemCpuPercent: sum((r) => r.loadgen.systemCpuPercent),
      rampCpuPercent: sum((r) => r.loadgen.rampCpuPercent),
      peakRss: sum((r) => r.loadgen.peakRss),
      loopLagMs: worst(results.map((r) => r.loadgen.loopLagMs)),
    },
    raw: undefined,
  }
}
