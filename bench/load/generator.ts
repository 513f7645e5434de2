import process from 'node:process'
import type { Target } from './listener.ts'
import { now, StreamListener } from './listener.ts'
import { processName, sampleProc, sampleTree } from './proc.ts'
import type { LoadResult, LoadSettings, ProcTimeline } from './result.ts'
import { summarize } from './result.ts'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Measures how late a 20 ms timer fires, over and over: if the load generator's own event loop
 * lags, the stalls it reports are partly its own. Returns the lags (ms) when stopped.
 */
const watchLoopLag = (): { stop: () => number[] } => {
  const lags: number[] = []
  let expected = now() + 20
  const timer = setInterval(() => {
    const t = now()
    lags.push(Math.max(0, t - expected))
    expected = t + 20
  }, 20)
  return {
    stop: () => {
      clearInterval(timer)
      return lags
    },
  }
}

/** The runtime the load generator runs on, e.g. `bun 1.4.5` or `node 24.21.0`. */
export const selfRuntime = (): string => {
  const versions = process.versions as Record<string, string | undefined>
  return versions.bun
    ? `bun ${versions.bun}`
    : versions.deno
    ? `deno ${versions.deno}`
    : `node ${process.versions.node}`
}

/**
 * Runs one load: opens `settings.listeners` listeners at `rampPerSecond`, waits until each has its
 * first byte (or failed), lets them settle, then measures for `durationSeconds` and closes them
 * all. Samples the `pids` (the server) and itself at each step. Never runs longer than the ramp,
 * the first-byte timeout, the settling and the window together (plus a few seconds).
 *
 * @example
 * const result = await runLoad({ ...settings, listeners: 1000 }, target, { progress: console.error })
 */
export const runLoad = async (
  settings: LoadSettings,
  target: Target,
  options: { progress?: (line: string) => void; raw?: boolean } = {},
): Promise<LoadResult> => {
  const progress = options.progress ?? (() => {})
  const startedAt = new Date()
  const servers: ProcTimeline[] = settings.pids.map((pid) => ({
    pid,
    name: processName(pid),
    idle: sampleTree(pid, now()),
  }))
  const self: ProcTimeline & { runtime: string } = {
    pid: process.pid,
    name: processName(process.pid),
    runtime: selfRuntime(),
    idle: sampleProc(process.pid, now()),
  }
  const sampleAll = (key: 'rampEnd' | 'windowStart' | 'windowEnd') => {
    const at = now()
    for (const s of servers) s[key] = sampleTree(s.pid, at)
    self[key] = sampleProc(self.pid, at)
  }

  const listenerOptions = {
    headerTimeoutMs: settings.timeoutSeconds * 1000,
    burstWindowMs: settings.burstWindowSeconds * 1000,
  }
  const listeners: StreamListener[] = []
  const t0 = now()
  const report = setInterval(() => {
    const receiving = listeners.filter((l) => l.alive).length
    const failed = listeners.filter((l) => l.failure !== undefined).length
    progress(
      `  ${
        ((now() - t0) / 1000).toFixed(0)
      } s: ${listeners.length}/${settings.listeners} opened, ${receiving} receiving, ${failed} failed`,
    )
  }, 5000)
  try {
    // Ramp: open listeners as they fall due, in small batches.
    while (listeners.length < settings.listeners) {
      const due = Math.min(settings.listeners, Math.floor(((now() - t0) / 1000) * settings.rampPerSecond) + 1)
      while (listeners.length < due) {
        const listener = new StreamListener(listeners.length + 1, target, listenerOptions)
        listeners.push(listener)
        listener.open()
      }
      if (listeners.length < settings.listeners) await sleep(Math.max(1, Math.min(20, 1000 / settings.rampPerSecond)))
    }
    // Every listener either gets audio or times out (the timeout is per listener).
    while (!listeners.every((l) => l.settled)) await sleep(50)
    const rampSeconds = (now() - t0) / 1000
    sampleAll('rampEnd')
    progress(
      `  all ${listeners.length} listeners settled after ${
        rampSeconds.toFixed(1)
      } s; settling ${settings.settleSeconds} s, then measuring ${settings.durationSeconds} s`,
    )
    await sleep(settings.settleSeconds * 1000)

    const start = now()
    const end = start + settings.durationSeconds * 1000
    for (const listener of listeners) listener.setWindow(start, Number.POSITIVE_INFINITY)
    sampleAll('windowStart')
    const lag = watchLoopLag()
    await sleep(end - now())
    const loopLagMs = lag.stop()
    // Timers fire late, never early: the window ends now, and no read can come in before the
    // sockets are closed (this runs in one go).
    const windowEnd = now()
    sampleAll('windowEnd')
    for (const listener of listeners) {
      listener.setWindow(start, windowEnd)
      listener.stop()
    }
    return summarize({
      settings,
      startedAt,
      listeners,
      window: { start, end: windowEnd },
      rampSeconds,
      servers,
      self,
      loopLagMs,
      raw: options.raw ?? false,
    })
  } finally {
    clearInterval(report)
    for (const listener of listeners) listener.stop()
  }
}
