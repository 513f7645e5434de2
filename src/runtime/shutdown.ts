import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import type { Logger } from '../log.ts'

/** Milliseconds given to closing everything after SIGINT or SIGTERM before the process exits anyway. */
export const SHUTDOWN_GRACE_MS = 3000

export interface ShutdownOptions {
  /** The signal that asked for it, named in the log. */
  signal: string
  log: Logger
  exit: (code: number) => void
  /** Milliseconds `close` is given before the process exits anyway (default SHUTDOWN_GRACE_MS). */
  graceMs?: number
  clock?: Clock
  /** What `close` is still waiting for, named when the grace period runs out. */
  pending?: () => readonly string[]
}

/**
 * Ends the process on a shutdown signal, in bounded time: runs `close`, then exits 0. If `close`
 * has not finished when the grace period runs out (a client that stopped reading, a runtime that
 * keeps a socket), says what it was still waiting for and exits 0 anyway; if `close` fails, says
 * why and exits 1.
 *
 * @example
 * runtime.onShutdownSignal((signal) => shutdown(() => served.close(), { signal, log, exit: runtime.exit }))
 */
export const shutdown = async (close: () => Promise<void>, options: ShutdownOptions): Promise<void> => {
  const { signal, log, exit } = options
  const graceMs = options.graceMs ?? SHUTDOWN_GRACE_MS
  log.info(`${signal}: closing listeners and shutting down`)
  const timer = new AbortController()
  const late = Symbol('late')
  const outcome = await Promise.race([
    close().then(() => undefined, (error: unknown) => error ?? new Error('closing failed')),
    (options.clock ?? systemClock).sleep(graceMs, timer.signal).then(() => late),
  ])
  timer.abort()
  if (outcome === late) {
    const waiting = options.pending?.() ?? []
    log.warn(
      `still shutting down ${graceMs / 1000} s after ${signal}${
        waiting.length ? ` (waiting for ${waiting.join(', ')})` : ''
      }; exiting anyway`,
    )
    return exit(0)
  }
  if (outcome !== undefined) {
    log.error(
      `shutting down failed: ${
        outcome instanceof Error ? (outcome.stack ?? outcome.message) : String(outcome)
      }; exiting with code 1`,
    )
    return exit(1)
  }
  log.info('bye')
  exit(0)
}
