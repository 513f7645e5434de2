import type { LoadResult, ProcessFigures } from './result.ts'

const MiB = 1024 * 1024

/** A number of bytes as MiB with one decimal. */
export const mib = (
  bytes: number | undefined,
): string => (bytes === undefined ? '?' : `${(bytes / MiB).toFixed(1)} MiB`)

/** A number of bytes as KiB with one decimal. */
export const kib = (
  bytes: number | undefined,
): string => (bytes === undefined ? '?' : `${(bytes / 1024).toFixed(1)} KiB`)

/** A millisecond figure, or '?'. */
export const ms = (
  value: number | undefined,
): string => (value === undefined ? '?' : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`)

const pct = (value: number | undefined): string => (value === undefined ? '?' : `${value.toFixed(1)}%`)

const proc = (label: string, p: ProcessFigures, listeners: number, withPerListener: boolean): string => {
  const perK = p.cpuPercent !== undefined && listeners > 0
    ? ` (${((p.cpuPercent / listeners) * 1000).toFixed(2)}% per 1,000 listeners)`
    : ''
  return (
    `${label.padEnd(11)} pid ${p.pid}${p.name ? ` (${p.name})` : ''}${p.alive ? '' : ' GONE'}: CPU ${
      pct(p.cpuPercent)
    } of one core over the window (kernel ${pct(p.systemCpuPercent)})${withPerListener ? perK : ''}` +
    `, ${pct(p.rampCpuPercent)} during the ramp; RSS idle ${mib(p.idleRss)}, peak ${mib(p.peakRss)}` +
    (withPerListener ? ` (${kib(p.rssPerListener)} per listener)` : '')
  )
}

/**
 * The human-readable summary of one load run.
 *
 * @example
 * process.stdout.write(formatResult(result))
 */
export const formatResult = (r: LoadResult): string => {
  const s = r.settings
  const f = r.listeners.failures
  const lines = [
    `${s.listeners} listeners -> ${s.url} (HTTP/${s.httpVersion}, ramp ${s.rampPerSecond}/s, window ${
      r.windowSeconds.toFixed(1)
    } s, nominal ${s.bitrate} kbit/s${s.format === 'opus' ? ' Ogg Opus' : ''})`,
    `listeners   ok ${r.listeners.ok}, failed ${r.listeners.failed} (connect ${f.connect}, timeout ${f.timeout}, status ${f.status}, protocol ${f.protocol}, closed ${f.closed}); all settled after ${r.rampSeconds} s`,
    ...Object.entries(r.listeners.errors)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([error, count]) => `              ${count} x ${error}`),
    `underruns   ${r.underruns} (rate after the burst < ${(s.bitrate * s.underrunRatio).toFixed(1)} kbit/s); rate min ${
      r.rateKbps.min ?? '?'
    }, p1 ${r.rateKbps.p1 ?? '?'}, p50 ${r.rateKbps.p50 ?? '?'} kbit/s`,
    `first byte  p50 ${ms(r.firstByteMs.p50)}, p99 ${ms(r.firstByteMs.p99)}, max ${
      ms(r.firstByteMs.max)
    } (connect p99 ${ms(r.connectMs.p99)})`,
    `burst       p50 ${kib(r.burstBytes.p50)}, min ${
      kib(r.burstBytes.min)
    } in the first ${s.burstWindowSeconds} s after the first byte; ahead of real time at the end: min ${
      r.aheadSeconds.min ?? '?'
    } s, p50 ${r.aheadSeconds.p50 ?? '?'} s`,
    `stall       longest ${ms(r.stallMs.max)} (p99 ${ms(r.stallMs.p99)}, p50 ${
      ms(r.stallMs.p50)
    } of each listener's longest); in the window: longest ${ms(r.windowStallMs.max)}`,
    `throughput  ${mib(r.throughput)}/s to all listeners, ${r.readsPerSecond.p50 ?? '?'} reads/s per listener (p50)`,
    ...r.server.map((p) => proc('server', p, r.listeners.ok, true)),
    proc(`load gen`, r.loadgen, r.listeners.ok, false) +
    ` [${r.loadgen.runtime}]; its event loop lagged p99 ${ms(r.loadgen.loopLagMs.p99)}, max ${
      ms(r.loadgen.loopLagMs.max)
    }`,
  ]
  return `${lines.join('\n')}\n`
}
