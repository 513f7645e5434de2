import type { ProcSample } from './proc.ts'
import { cpuPercent, systemPercent } from './proc.ts'
import type { FailureKind, StreamFormat, StreamListener } from './listener.ts'
import type { Distribution } from './stats.ts'
import { distribution } from './stats.ts'

/** How the load was run. */
export interface LoadSettings {
  readonly url: string
  readonly listeners: number
  readonly rampPerSecond: number
  readonly durationSeconds: number
  readonly settleSeconds: number
  readonly burstWindowSeconds: number
  readonly timeoutSeconds: number
  readonly httpVersion: '1.0' | '1.1'
  /** Whether listeners asked for ICY metadata. */
  readonly icy: boolean
  /** What the stream is: with `opus`, each listener's payload is checked to be Ogg pages (`OggPageScanner`). */
  readonly format: StreamFormat
  /**
   * Nominal bitrate, kbit/s: payload bytes per second of audio (for Ogg, the page framing
   * included). Underruns and time ahead are payload bytes against it.
   */
  readonly bitrate: number
  /** A listener whose rate after the burst is below this fraction of the bitrate underran. */
  readonly underrunRatio: number
  readonly pids: readonly number[]
}

/** CPU and memory of one process over the run. */
export interface ProcessFigures {
  readonly pid: number
  readonly name?: string
  /** % of one core over the measurement window. */
  readonly cpuPercent?: number
  /** The part of `cpuPercent` spent in the kernel (stime): syscalls and TCP over loopback. */
  readonly systemCpuPercent?: number
  /** % of one core while listeners were being connected (ramp). */
  readonly rampCpuPercent?: number
  /** VmRSS before the first listener, bytes. */
  readonly idleRss?: number
  /** VmHWM at the end of the window (peak RSS since the process started), bytes. */
  readonly peakRss?: number
  /** (peak RSS - idle RSS) / listeners ok, bytes. */
  readonly rssPerListener?: number
  /** Whether the process was still alive at the end. */
  readonly alive: boolean
}

/** Everything one load run measured; what `--json` prints. */
export interface LoadResult {
  readonly settings: LoadSettings
  readonly startedAt: string
  /** Seconds the measurement window actually lasted. */
  readonly windowSeconds: number
  /** Seconds from the first connect to the last listener settled. */
  readonly rampSeconds: number
  readonly listeners: {
    readonly ok: number
    readonly failed: number
    readonly failures: Record<FailureKind, number>
    readonly errors: Record<string, number>
  }
  /** Listeners ok whose rate after the burst fell below `underrunRatio` × bitrate. */
  readonly underruns: number
  /** Per-listener rate over the window, kbit/s (listeners ok; see `rateOver`). */
  readonly rateKbps: Distribution
  /** Time to first payload byte, ms, from the start of connect (all that got one). */
  readonly firstByteMs: Distribution
  /** Time to connect, ms. */
  readonly connectMs: Distribution
  /** Payload bytes in the burst window, per listener ok. */
  readonly burstBytes: Distribution
  /**
   * Per listener ok, seconds of audio received beyond real time at the end of the window: what a
   * player would hold in its buffer (the burst, less what the listener fell behind). Below 0 it ran dry.
   */
  readonly aheadSeconds: Distribution
  /** Per-listener longest gap between reads after the first byte, ms (listeners ok). */
  readonly stallMs: Distribution
  /** Per-listener longest gap between reads inside the window, ms (listeners ok). */
  readonly windowStallMs: Distribution
  /** Reads per second per listener over the window (listeners ok): how finely the server splits its writes. */
  readonly readsPerSecond: Distribution
  /** Payload throughput over the window, all listeners, bytes/s. */
  readonly throughput: number
  /** The servers' processes (`--pid`). */
  readonly server: readonly ProcessFigures[]
  /** The load generator itself; `loopLagMs`: how late its 20 ms timer fired during the window. */
  readonly loadgen: ProcessFigures & { readonly runtime: string; readonly loopLagMs: Distribution }
  /** Per-listener records, with `--raw`. */
  readonly raw?: readonly object[]
}

/** Samples of one process at the run's milestones. */
export interface ProcTimeline {
  readonly pid: number
  readonly name?: string
  idle?: ProcSample
  rampEnd?: ProcSample
  windowStart?: ProcSample
  windowEnd?: ProcSample
}

const figures = (timeline: ProcTimeline, ok: number): ProcessFigures => {
  const { idle, windowStart, windowEnd } = timeline
  const peak = windowEnd?.hwm
  return {
    pid: timeline.pid,
    name: timeline.name,
    cpuPercent: windowStart && windowEnd ? Number(cpuPercent(windowStart, windowEnd).toFixed(2)) : undefined,
    systemCpuPercent: windowStart && windowEnd ? Number(systemPercent(windowStart, windowEnd).toFixed(2)) : undefined,
    rampCpuPercent: idle && timeline.rampEnd ? Number(cpuPercent(idle, timeline.rampEnd).toFixed(2)) : undefined,
    idleRss: idle?.rss,
    peakRss: peak,
    rssPerListener: peak !== undefined && idle && ok > 0 ? Math.round((peak - idle.rss) / ok) : undefined,
    alive: windowEnd !== undefined,
  }
}

/**
 * Turns the listeners' counters and the process samples into the run's figures.
 *
 * @example
 * const result = summarize({ settings, listeners, window, ... })
 */
export const summarize = (input: {
  settings: LoadSettings
  startedAt: Date
  listeners: readonly StreamListener[]
  window: { start: number; end: number }
  rampSeconds: number
  servers: readonly ProcTimeline[]
  self: ProcTimeline & { runtime: string }
  loopLagMs: readonly number[]
  raw: boolean
}): LoadResult => {
  const { settings, listeners, window } = input
  const windowSeconds = (window.end - window.start) / 1000
  const ok = listeners.filter((l) => l.failure === undefined && l.firstByteAt !== undefined)
  const isOk = new Set(ok)
  const failed = listeners.filter((l) => !isOk.has(l))
  const failures: Record<FailureKind, number> = { connect: 0, timeout: 0, status: 0, protocol: 0, closed: 0 }
  const errors: Record<string, number> = {}
  for (const l of failed) {
    const kind = l.failure ?? 'timeout'
    failures[kind]++
    const key = `${kind}: ${l.error ?? 'no first byte'}`
    errors[key] = (errors[key] ?? 0) + 1
  }
  const rate = (l: StreamListener) => rateOver(l, window.end) / 1000
  const threshold = settings.bitrate * settings.underrunRatio
  // A listener that stopped receiving before the window ended stalled until its end.
  const trailing = (l: StreamListener) => (l.lastReadAt === undefined ? 0 : Math.max(0, window.end - l.lastReadAt))
  const stall = (l: StreamListener) => Math.max(l.maxGap, trailing(l))
  const windowStall = (l: StreamListener) => Math.max(l.maxGapInWindow, trailing(l))
  return {
    settings,
    startedAt: input.startedAt.toISOString(),
    windowSeconds: Number(windowSeconds.toFixed(3)),
    rampSeconds: Number(input.rampSeconds.toFixed(2)),
    listeners: { ok: ok.length, failed: failed.length, failures, errors },
    underruns: ok.filter((l) => rate(l) < threshold).length,
    rateKbps: distribution(ok.map(rate), 2),
    firstByteMs: distribution(
      listeners.flatMap((l) => (l.firstByteAt === undefined ? [] : [l.firstByteAt - l.startedAt])),
    ),
    connectMs: distribution(
      listeners.flatMap((l) => (l.connectedAt === undefined ? [] : [l.connectedAt - l.startedAt])),
    ),
    burstBytes: distribution(ok.map((l) => l.burstBytes), 0),
    aheadSeconds: distribution(
      ok.map((l) => (l.bytes * 8) / (settings.bitrate * 1000) - (window.end - l.firstByteAt!) / 1000),
      2,
    ),
    stallMs: distribution(ok.map(stall)),
    windowStallMs: distribution(ok.map(windowStall)),
    readsPerSecond: distribution(ok.map((l) => l.windowReads / windowSeconds)),
    throughput: Math.round(ok.reduce((sum, l) => sum + l.windowBytes, 0) / windowSeconds),
    server: input.servers.map((s) => figures(s, ok.length)),
    loadgen: {
      ...figures(input.self, ok.length),
      rssPerListener: undefined,
      runtime: input.self.runtime,
      loopLagMs: distribution(input.loopLagMs),
    },
    raw: input.raw
      ? listeners.map((l) => ({
        id: l.id,
        startedAt: round1(l.startedAt - window.start),
        connectMs: l.connectedAt === undefined ? null : round1(l.connectedAt - l.startedAt),
        firstByteMs: l.firstByteAt === undefined ? null : round1(l.firstByteAt - l.startedAt),
        bytes: l.bytes,
        burstBytes: l.burstBytes,
        windowBytes: l.windowBytes,
        rateKbps: round1(rate(l)),
        stallMs: round1(stall(l)),
        reads: l.reads,
        ...(l.oggPages !== undefined && { oggPages: l.oggPages }),
        failure: l.failure ?? null,
        error: l.error ?? null,
      }))
      : undefined,
  }
}

/** A gap before the window's end longer than this means the listener stopped receiving. */
const TRAILING_STALL_MS = 1000

/**
 * A listener's rate (bit/s) over the window, from its first read in the window to its last, so
 * the figure does not depend on where chunk boundaries fall relative to the window's edges (the
 * bytes of the first read arrived at its start). If its reads stopped more than a second before
 * the window's end, the time up to the end counts too.
 */
export const rateOver = (l: StreamListener, windowEnd: number): number => {
  if (l.windowFirstReadAt === undefined || l.lastReadAt === undefined) return 0
  const last = windowEnd - l.lastReadAt > TRAILING_STALL_MS ? windowEnd : l.lastReadAt
  const span = last - l.windowFirstReadAt
  return span > 0 ? ((l.windowBytes - l.windowFirstReadBytes) * 8) / (span / 1000) : 0
}

const round1 = (value: number): number => Math.round(value * 10) / 10
