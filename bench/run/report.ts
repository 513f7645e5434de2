import type { LoadResult } from '../load/result.ts'

/** One server at one N: what the orchestrator records. */
export interface RunRecord {
  readonly server: string
  readonly version?: string
  readonly listeners: number
  readonly logDir: string
  readonly result?: LoadResult
  /** Why the run produced no result (the server did not start, the load generator failed). */
  readonly error?: string
}

/** The figures of one row of the table. */
export interface Row {
  readonly server: string
  readonly listeners: number
  readonly ok?: number
  readonly failed?: number
  readonly underruns?: number
  readonly ttfbP50?: number
  readonly ttfbP99?: number
  readonly stallMax?: number
  readonly cpu?: number
  /** % of one core per 1,000 listeners ok. */
  readonly cpuPer1k?: number
  readonly peakRss?: number
  readonly rssPerListener?: number
  readonly loadgenCpu?: number
  readonly helperCpu?: number
  readonly error?: string
}

/** Reduces a run to its row. */
export const row = (run: RunRecord): Row => {
  const r = run.result
  if (!r) return { server: run.server, listeners: run.listeners, error: run.error }
  const server = r.server[0]
  const cpu = server?.cpuPercent
  return {
    server: run.server,
    listeners: run.listeners,
    ok: r.listeners.ok,
    failed: r.listeners.failed,
    underruns: r.underruns,
    ttfbP50: r.firstByteMs.p50,
    ttfbP99: r.firstByteMs.p99,
    stallMax: r.stallMs.max,
    cpu,
    cpuPer1k: cpu !== undefined && r.listeners.ok > 0 ? (cpu / r.listeners.ok) * 1000 : undefined,
    peakRss: server?.peakRss,
    rssPerListener: server?.rssPerListener,
    loadgenCpu: r.loadgen.cpuPercent,
    helperCpu: r.server[1]?.cpuPercent,
  }
}

const f = (
  value: number | undefined,
  digits: number,
  unit = '',
): string => (value === undefined ? '–' : `${value.toFixed(digits)}${unit}`)
const ms = (
  value: number | undefined,
): string => (value === undefined
  ? '–'
  : value < 10
  ? `${value.toFixed(1)} ms`
  : value < 10_000
  ? `${Math.round(value)} ms`
  : `${(value / 1000).toFixed(1)} s`)
const MiB = 1024 * 1024

/** The results as a Markdown table, one row per server and N. */
export const resultsTable = (runs: readonly RunRecord[]): string => {
  const head =
    '| server | listeners | ok | failed | underruns | TTFB p50 | TTFB p99 | longest stall | CPU % of a core | CPU % per 1k listeners | peak RSS | RSS per listener | load gen CPU % |\n' +
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
  const lines = runs.map((run) => {
    const r = row(run)
    if (r.error) {
      return `| ${r.server} | ${r.listeners.toLocaleString('en-US')} | – | – | – | – | – | – | – | – | – | – | – |  ← ${
        r.error.split('\n')[0]
      }`
    }
    return `| ${r.server} | ${r.listeners.toLocaleString('en-US')} | ${r.ok} | ${r.failed} | ${r.underruns} | ${
      ms(r.ttfbP50)
    } | ${ms(r.ttfbP99)} | ${ms(r.stallMax)} | ${f(r.cpu, 1)} | ${f(r.cpuPer1k, 2)} | ${
      f(r.peakRss === undefined ? undefined : r.peakRss / MiB, 0, ' MiB')
    } | ${f(r.rssPerListener === undefined ? undefined : r.rssPerListener / 1024, 1, ' KiB')} | ${f(r.loadgenCpu, 1)} |`
  })
  return head + lines.join('\n') + '\n'
}

/** Each server's CPU and RSS per listener divided by Icecast's at the same N, as a Markdown table. */
export const ratiosTable = (runs: readonly RunRecord[]): string => {
  const rows = runs.map(row)
  const icecast = new Map(rows.filter((r) => r.server === 'icecast' && !r.error).map((r) => [r.listeners, r]))
  const lines = rows
    .filter((r) => !r.server.startsWith('icecast') && !r.error)
    .map((r) => {
      const base = icecast.get(r.listeners)
      const cpu = base?.cpuPer1k && r.cpuPer1k !== undefined ? r.cpuPer1k / base.cpuPer1k : undefined
      const rss = base?.rssPerListener && r.rssPerListener !== undefined
        ? r.rssPerListener / base.rssPerListener
        : undefined
      return `| ${r.server} | ${r.listeners.toLocaleString('en-US')} | ${f(cpu, 2, 'x')} | ${f(rss, 1, 'x')} |`
    })
  if (icecast.size === 0 || lines.length === 0) return ''
  return '| server | listeners | CPU per listener vs Icecast | RSS per listener vs Icecast |\n|---|---:|---:|---:|\n' +
    lines.join('\n') + '\n'
}

/** The N at which the scale targets are checked: 10,000 when the run has it, else its largest. */
const TARGET_N = 10_000

/**
 * The targets, checked: zero failed connects and zero underruns on every airwave server at the
 * largest N; at 10,000 (or the largest N below it) a p99 first byte under 100 ms, CPU per listener
 * within 1.0x of Icecast's on Node and 0.5x on the best runtime, at most 16 KiB of RSS per listener
 * on every runtime and 8 KiB on the best.
 */
export const verdict = (runs: readonly RunRecord[]): string[] => {
  const rows = runs.map(row)
  const mark = (pass: boolean) => (pass ? 'PASS' : 'FAIL')
  const largest = Math.max(...rows.map((r) => r.listeners))
  const ours = (n: number) => rows.filter((r) => r.listeners === n && r.server !== 'icecast' && !/[:+]/.test(r.server))
  const out: string[] = []
  for (const r of ours(largest)) {
    const pass = !r.error && r.failed === 0 && r.underruns === 0
    out.push(
      `${mark(pass)} ${r.server} at ${largest}: ${
        r.error ? `no result (${r.error.split('\n')[0]})` : `${r.failed} failed, ${r.underruns} underruns`
      }`,
    )
  }
  const n = rows.some((r) => r.listeners === TARGET_N) ? TARGET_N : largest
  const at = ours(n).filter((r) => !r.error)
  const icecast = rows.find((r) => r.listeners === n && r.server === 'icecast' && !r.error)
  for (const r of at) {
    if (r.ttfbP99 !== undefined) {
      out.push(
        `${mark(r.ttfbP99 < 100)} ${r.server} at ${n}: p99 first byte ${Math.round(r.ttfbP99)} ms (target < 100 ms)`,
      )
    }
  }
  if (icecast?.cpuPer1k) {
    const cpu = (r: Row) => r.cpuPer1k! / icecast.cpuPer1k!
    for (const r of at.filter((r) => r.server.startsWith('node') && r.cpuPer1k !== undefined)) {
      out.push(
        `${mark(cpu(r) <= 1)} ${r.server} at ${n}: CPU per listener ${cpu(r).toFixed(2)}x Icecast's (target <= 1.0x)`,
      )
    }
    const best = at.filter((r) => r.cpuPer1k !== undefined).sort((a, b) => a.cpuPer1k! - b.cpuPer1k!)[0]
    if (best) {
      out.push(
        `${mark(cpu(best) <= 0.5)} best runtime ${best.server} at ${n}: CPU per listener ${
          cpu(best).toFixed(2)
        }x Icecast's (target <= 0.5x)`,
      )
    }
  }
  const kib = (r: Row) => r.rssPerListener! / 1024
  const measured = at.filter((r) => r.rssPerListener !== undefined)
  for (const r of measured) {
    out.push(`${mark(kib(r) <= 16)} ${r.server} at ${n}: ${kib(r).toFixed(1)} KiB RSS per listener (target <= 16 KiB)`)
  }
  const leanest = [...measured].sort((a, b) => a.rssPerListener! - b.rssPerListener!)[0]
  if (leanest) {
    out.push(
      `${mark(kib(leanest) <= 8)} best runtime ${leanest.server} at ${n}: ${
        kib(leanest).toFixed(1)
      } KiB RSS per listener (target <= 8 KiB)`,
    )
  }
  return out
}

/**
 * Pairs of runs at the same N, a base server and a variant of it (`variantOf(base)` names it), as a
 * Markdown table of CPU and RSS per listener with the change.
 */
const pairedTable = (
  runs: readonly RunRecord[],
  variantOf: (server: string) => string | undefined,
  labels: readonly [string, string],
): string => {
  const rows = runs.map(row).filter((r) => !r.error)
  const lines: string[] = []
  for (const base of rows) {
    const name = variantOf(base.server)
    const variant = name ? rows.find((r) => r.server === name && r.listeners === base.listeners) : undefined
    if (!variant) continue
    const change = (
      a: number | undefined,
      b: number | undefined,
    ) => (a && b !== undefined ? `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(0)}%` : '–')
    const kibOf = (bytes: number | undefined) => f(bytes === undefined ? undefined : bytes / 1024, 1, ' KiB')
    lines.push(
      `| ${base.server} | ${base.listeners.toLocaleString('en-US')} | ${f(base.cpu, 1)} | ${f(variant.cpu, 1)} | ${
        change(base.cpu, variant.cpu)
      } | ${kibOf(base.rssPerListener)} | ${kibOf(variant.rssPerListener)} | ${
        change(base.rssPerListener, variant.rssPerListener)
      } | ${base.underruns}/${variant.underruns} |`,
    )
  }
  if (lines.length === 0) return ''
  const [a, b] = labels
  return (
    `| server | listeners | CPU % ${a} | CPU % ${b} | CPU change | RSS/listener ${a} | RSS/listener ${b} | RSS change | underruns ${a}/${b} |\n` +
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n' +
    lines.join('\n') +
    '\n'
  )
}

/** For each runtime run both ways at the same N: cloned chunks against shared ones. */
export const chunksTable = (runs: readonly RunRecord[]): string =>
  pairedTable(runs, (server) => (server.endsWith(':shared') ? server.replace(/:shared$/, ':cloned') : undefined), [
    'shared',
    'cloned',
  ])

/** For each server run both ways at the same N: listeners asking for ICY metadata against plain ones. */
export const icyTable = (runs: readonly RunRecord[]): string =>
  pairedTable(runs, (server) => (server.endsWith('+icy') ? undefined : `${server}+icy`), ['plain', 'ICY'])

/**
 * For each server run with and without idle event streams open at the same N: failures, underruns
 * and first-byte times of the joining listeners (the target: p99 within 2x).
 */
export const sseTable = (runs: readonly RunRecord[]): string => {
  const rows = runs.map(row).filter((r) => !r.error)
  const lines = rows.flatMap((base) => {
    const variant = rows.find((r) => r.server === `${base.server}+sse` && r.listeners === base.listeners)
    if (!variant) return []
    const ratio = base.ttfbP99 && variant.ttfbP99 !== undefined ? variant.ttfbP99 / base.ttfbP99 : undefined
    return [
      `| ${base.server} | ${
        base.listeners.toLocaleString('en-US')
      } | ${base.failed}/${variant.failed} | ${base.underruns}/${variant.underruns} | ${ms(base.ttfbP99)} | ${
        ms(variant.ttfbP99)
      } | ${f(ratio, 2, 'x')} | ${f(base.stallMax, 0, ' ms')} / ${f(variant.stallMax, 0, ' ms')} |`,
    ]
  })
  if (lines.length === 0) return ''
  return '| server | listeners | failed plain/SSE | underruns plain/SSE | TTFB p99 plain | TTFB p99 SSE | p99 ratio | longest stall plain / SSE |\n' +
    '|---|---:|---:|---:|---:|---:|---:|---:|\n' + lines.join('\n') + '\n'
}

/** What a run streamed, as saved in its JSON `options` (`format` is missing in runs before `--format`). */
export interface StreamOptions {
  readonly format?: 'mp3' | 'opus'
  readonly bitrate?: number
  readonly opus?: { readonly encoderKbps: number; readonly streamKbps: number; readonly pageSeconds: number }
}

/** The title of an Opus run's tables (an MP3 run's tables have none, as before `--format`). */
export const streamTitle = (options: StreamOptions | undefined): string | undefined => {
  if (options?.format !== 'opus') return undefined
  const opus = options.opus
  return opus
    ? `Opus: Ogg Opus ${opus.encoderKbps} kbit/s CBR, 48 kHz stereo (${opus.streamKbps} kbit/s with the Ogg framing, pages of ${
      Math.round(opus.pageSeconds * 1000)
    } ms), the same files on every server`
    : 'Opus'
}

/** A load-generator loop lag beyond this is called out: the stalls it measured may be its own. */
const LAG_WARNING_MS = 100

/**
 * Everything the orchestrator prints at the end of a run: the table, the ratios to Icecast, shared
 * against cloned chunks and the targets.
 */
export const fullReport = (runs: readonly RunRecord[], stream?: StreamOptions): string => {
  const ratios = ratiosTable(runs)
  const chunks = chunksTable(runs)
  const icy = icyTable(runs)
  const sse = sseTable(runs)
  const title = streamTitle(stream)
  const lines = [...(title ? [`${title}\n`] : []), resultsTable(runs)]
  if (ratios) {
    lines.push(
      `Ratios to Icecast at the same N${stream?.format === 'opus' ? ', Opus' : ''} (lower is better):\n\n${ratios}`,
    )
  }
  if (chunks) {
    lines.push(`Shared chunks (the design) against a copy per listener (bench/server-variant.ts):\n\n${chunks}`)
  }
  if (icy) lines.push(`Listeners asking for ICY metadata (Icy-MetaData: 1) against plain listeners:\n\n${icy}`)
  if (sse) lines.push(`Listeners joining with idle event streams (/api/events) open, against without:\n\n${sse}`)
  if (runs.some((r) => r.server === 'icecast')) lines.push(verdict(runs).join('\n') + '\n')
  const notes = runs.flatMap((r) => {
    const helper = r.result?.server[1]
    const lag = r.result?.loadgen.loopLagMs.max
    return [
      ...(helper
        ? [
          `note: ${r.server} at ${r.listeners}: its source (ffmpeg) used ${helper.cpuPercent}% of a core, not counted above\n`,
        ]
        : []),
      ...(lag !== undefined && lag > LAG_WARNING_MS
        ? [
          `note: ${r.server} at ${r.listeners}: the load generator's own event loop lagged up to ${
            Math.round(lag)
          } ms; stalls up to that long may be its own\n`,
        ]
        : []),
    ]
  })
  if (notes.length > 0) lines.push(notes.join(''))
  return lines.join('\n')
}
