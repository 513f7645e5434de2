/**
 * The time source for pacing. Injected everywhere time matters, so tests can run hours of audio in
 * milliseconds and the pacer never reads a global clock.
 */
export interface Clock {
  /** Monotonic time in milliseconds (never jumps with the wall clock). */
  now(): number
  /** Resolves after `ms` milliseconds, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** Wall-clock time, ms since the epoch, for what follows the calendar (the schedule); `Date.now()` when absent. */
  wall?(): number
}

/**
 * The wall-clock time of `clock` (ms since the epoch): its own `wall()`, else `Date.now()`.
 *
 * @example
 * activeSlot(slots, wallTime(clock), 'Europe/Berlin')
 */
export const wallTime = (clock: Clock): number => clock.wall?.() ?? Date.now()

/**
 * The real clock: `performance.now()` and `setTimeout`, the same on Node, Bun and Deno.
 *
 * @example
 * await systemClock.sleep(target - systemClock.now())
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve()
      const done = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, ms))
      signal?.addEventListener('abort', done, { once: true })
    }),
}
