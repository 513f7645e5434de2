import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { basename } from 'node:path'

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux x86-64). */
export const CLOCK_TICKS = 100

/** One reading of a process's CPU time and memory. */
export interface ProcSample {
  /** `now()` ms when taken. */
  readonly at: number
  /** utime + stime, in seconds, all threads. */
  readonly cpuSeconds: number
  /** stime alone (time in the kernel: syscalls, TCP), seconds. */
  readonly systemSeconds: number
  /** VmRSS, bytes. */
  readonly rss: number
  /** VmHWM (peak RSS since start), bytes. */
  readonly hwm: number
}

/**
 * Reads `/proc/<pid>/stat` (utime + stime, which cover every thread) and `/proc/<pid>/status`
 * (VmRSS, VmHWM). Returns undefined when the process is gone.
 *
 * @example
 * const before = sampleProc(pid, performance.now())
 */
export const sampleProc = (pid: number, at: number): ProcSample | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12]) // utime, stime (fields 14 and 15)
    const status = readFileSync(`/proc/${pid}/status`, 'latin1')
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024
    return {
      at,
      cpuSeconds: ticks / CLOCK_TICKS,
      systemSeconds: Number(fields[12]) / CLOCK_TICKS,
      rss: kib('VmRSS'),
      hwm: kib('VmHWM'),
    }
  } catch {
    return undefined
  }
}

/** The processes started by `pid` (its children, theirs, …), from each process's parent in `/proc/<pid>/stat`. */
const descendants = (pid: number): number[] => {
  const parents = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      parents.set(parent, [...(parents.get(parent) ?? []), Number(entry)])
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = []
  const queue = [pid]
  while (queue.length > 0) {
    const children = parents.get(queue.shift()!) ?? []
    found.push(...children)
    queue.push(...children)
  }
  return found
}

/**
 * Samples a process and every process it started (a station's worker processes) as one: CPU times
 * and RSS added up (peak RSS too: the sum of each one's peak). Undefined when `pid` is gone.
 *
 * @example
 * const before = sampleTree(pid, performance.now())
 */
export const sampleTree = (pid: number, at: number): ProcSample | undefined => {
  const root = sampleProc(pid, at)
  if (!root) return undefined
  return descendants(pid).reduce<ProcSample>((sum, child) => {
    const s = sampleProc(child, at)
    return s
      ? {
        at,
        cpuSeconds: sum.cpuSeconds + s.cpuSeconds,
        systemSeconds: sum.systemSeconds + s.systemSeconds,
        rss: sum.rss + s.rss,
        hwm: sum.hwm + s.hwm,
      }
      : sum
  }, root)
}

/** CPU used between two samples, as a percentage of one core. */
export const cpuPercent = (from: ProcSample, to: ProcSample): number =>
  to.at > from.at ? ((to.cpuSeconds - from.cpuSeconds) / ((to.at - from.at) / 1000)) * 100 : 0

/** Kernel (system) CPU time between two samples, as a percentage of one core. */
export const systemPercent = (from: ProcSample, to: ProcSample): number =>
  to.at > from.at ? ((to.systemSeconds - from.systemSeconds) / ((to.at - from.at) / 1000)) * 100 : 0

/** The file name of the program a process runs (`/proc/<pid>/exe`), e.g. `bun` or `icecast2`. */
export const processName = (pid: number): string | undefined => {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`))
  } catch {
    return undefined
  }
}
