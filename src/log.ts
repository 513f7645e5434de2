import type { Clock } from './clock.ts'

/** Log levels, least to most severe. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const

/** A log level's name. */
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Where airwave reports what it does: diagnostics by level, and one access-log line per listener. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
  /** An access-log line (combined log format), written as is but for control characters, which are escaped. */
  access(line: string): void
  /** A logger whose lines carry `scope` (a mount path, say). */
  child(scope: string): Logger
}

/** How many lines of one scope and level are written at once (`burst`), then how many a second. */
export interface FloodGuard {
  burst: number
  perSecond: number
}

/** The flood guard's default: start-up and a playlist's skipped files pass whole, a flood is cut to 10 lines a second. */
export const FLOOD_GUARD: FloodGuard = { burst: 100, perSecond: 10 }

export interface LoggerOptions {
  level?: LogLevel
  /** Receives diagnostic lines (default: standard error). */
  write?: (line: string) => void
  /** Receives access-log lines (default: standard output). */
  writeAccess?: (line: string) => void
  /** The time written on each line. */
  now?: () => Date
  /** Paces the flood guard: monotonic time, and the timer that summarizes a burst (default: the real clock). */
  clock?: Clock
  /** Lines let through per scope and level (default: FLOOD_GUARD); `false` lets every line through. */
  flood?: FloodGuard | false
}

/** C0, DEL, C1, the line and paragraph separators, the bidirectional controls; then a lone surrogate. */
const CONTROL_CLASS = String.raw`\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069`
const LONE_SURROGATE = String.raw`[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]`
const CONTROLS = new RegExp(`[${CONTROL_CLASS}]|${LONE_SURROGATE}`, 'g')
const QUOTED = new RegExp(`["\\\\${CONTROL_CLASS}]|${LONE_SURROGATE}`, 'g')
const NAMED: Record<string, string> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\v': '\\v', '\r': '\\r' }

const escapeOne = (c: string): string => {
  if (NAMED[c]) return NAMED[c]
  const code = c.charCodeAt(0)
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
}

/**
 * Text that stays on one line of a log whatever it holds: control characters (C0, DEL, C1), the
 * Unicode line and paragraph separators and lone surrogates are escaped, as Apache writes them
 * (`\n`, `\t`, `\x1b`; `\u{2028}` beyond Latin-1). Nothing else changes.
 *
 * @example
 * escapeControls('/\n2026-01-01T00:00:00.000Z error FORGED') // '/\\n2026-01-01T00:00:00.000Z error FORGED'
 */
export const escapeControls = (text: string): string => text.replace(CONTROLS, escapeOne)

/**
 * A quoted field of an access-log line (request, referer, user agent) as Apache and nginx write
 * it: `"` and `\` take a backslash, control characters are escaped as by `escapeControls`.
 *
 * @example
 * escapeQuoted('VLC "3"\r\n') // 'VLC \\"3\\"\\r\\n'
 */
export const escapeQuoted = (text: string): string =>
  text.replace(QUOTED, (c) => (c === '"' || c === '\\' ? `\\${c}` : escapeOne(c)))

/** A real clock whose timers never keep the process alive (Node, Bun). */
const unrefClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) =>
    new Promise((resolve) => {
      const timer: unknown = setTimeout(resolve, Math.max(0, ms))
      ;(timer as { unref?: () => void }).unref?.()
    }),
}

/** A token bucket: `burst` at once, refilled at `perSecond`. */
const tokenBucket = ({ burst, perSecond }: FloodGuard, clock: Clock) => {
  let tokens = burst
  let at = clock.now()
  const refill = () => {
    const t = clock.now()
    tokens = Math.min(burst, tokens + ((t - at) * perSecond) / 1000)
    at = t
  }
  return {
    take(): boolean {
      refill()
      if (tokens < 1) return false
      tokens -= 1
      return true
    },
    /** Milliseconds until a token is there. */
    wait(): number {
      refill()
      return Math.max(0, ((1 - tokens) * 1000) / perSecond)
    },
    full(): boolean {
      refill()
      return tokens >= burst
    },
  }
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`

/**
 * Writes the lines of each scope and level through a token bucket. Lines over it are counted, not
 * written; the count is written before the next line that passes, or when the next could have
 * passed if none came: a burst is always summarized, at most once per line let through, and a
 * flood still shows a sample of its lines.
 */
const floodGuard = (
  guard: FloodGuard,
  clock: Clock,
  emit: (level: LogLevel, scope: string, message: string) => void,
) => {
  type State = { bucket: ReturnType<typeof tokenBucket>; dropped: number; since: number; armed: boolean }
  const states = new Map<string, State>()
  const flush = (level: LogLevel, scope: string, s: State) => {
    if (!s.dropped) return
    const seconds = ((clock.now() - s.since) / 1000).toFixed(1)
    const pace = `over ${guard.perSecond} a second after ${guard.burst} at once`
    emit(level, scope, `flood guard: ${plural(s.dropped, 'line')} not written in ${seconds} s (${pace})`)
    s.dropped = 0
  }
  const arm = (level: LogLevel, scope: string, s: State) => {
    s.armed = true
    void clock.sleep(s.bucket.wait()).then(() => {
      s.armed = false
      flush(level, scope, s)
    })
  }
  const stateOf = (key: string): State => {
    const known = states.get(key)
    if (known) return known
    if (states.size >= 256) { for (const [k, s] of states) if (!s.dropped && s.bucket.full()) states.delete(k) }
    const state = { bucket: tokenBucket(guard, clock), dropped: 0, since: 0, armed: false }
    states.set(key, state)
    return state
  }
  return (level: LogLevel, scope: string, message: string): void => {
    const s = stateOf(`${level} ${scope}`)
    if (s.bucket.take()) {
      flush(level, scope, s)
      return emit(level, scope, message)
    }
    if (s.dropped++ === 0) s.since = clock.now()
    if (!s.armed) arm(level, scope, s)
  }
}

/**
 * Creates a logger writing `2026-11-25T18:45:00.123Z info  [/stream] message` lines to standard
 * error and access-log lines to standard output, so the two can be piped apart. Every line is one
 * line: control characters are escaped. A flood of lines (of one scope and level) is cut down by a
 * flood guard, which writes how many lines it held back; the unscoped lines (the station's own: the
 * banner, signals, an admin's actions) are never held back.
 *
 * @example
 * const log = createLogger({ level: 'debug' })
 * log.child('/stream').info('playing track 1')
 */
export const createLogger = (options: LoggerOptions = {}): Logger => {
  const min = LOG_LEVELS.indexOf(options.level ?? 'info')
  const write = options.write ?? ((line: string) => console.error(line))
  const writeAccess = options.writeAccess ?? ((line: string) => console.log(line))
  const now = options.now ?? (() => new Date())
  const emit = (level: LogLevel, scope: string, message: string) =>
    write(escapeControls(`${now().toISOString()} ${level.padEnd(5)} ${scope ? `[${scope}] ` : ''}${message}`))
  const flood = options.flood ?? FLOOD_GUARD
  const line = flood ? floodGuard(flood, options.clock ?? unrefClock, emit) : emit
  const make = (scope: string): Logger => {
    const at = (level: LogLevel) => (message: string) => {
      // The station's own unscoped lines (the banner, signals, an admin's actions) are never held back:
      // nothing from the network writes there.
      if (LOG_LEVELS.indexOf(level) >= min) (scope ? line : emit)(level, scope, message)
    }
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      access: (text) => writeAccess(escapeControls(text)),
      child: (next) => make(scope ? `${scope} ${next}` : next),
    }
  }
  return make('')
}

/** A logger that discards everything. */
export const silentLogger: Logger = createLogger({ write: () => {}, writeAccess: () => {}, flood: false })

export interface ThrottleLineOptions {
  clock: Clock
  /** Lines written at once before the pace applies (default 3). */
  burst?: number
  /** Milliseconds between lines after the burst (default 1000). */
  intervalMs?: number
  /** What a line tells, to count those never written: `title change` (`3 title changes in between not logged`). */
  what: string
}

/**
 * Paces a line that tells the latest state (what is on air): a few at once, then one per
 * `intervalMs`. A line that must wait is written when its turn comes, unless a newer one replaced
 * it; the one written then says how many were replaced, so the latest state is always logged.
 *
 * @example
 * const onAir = throttleLine((line) => log.info(line), { clock, what: 'title change' })
 * onAir('on air: Artist - Title')
 */
export const throttleLine = (write: (line: string) => void, options: ThrottleLineOptions): (line: string) => void => {
  const { clock } = options
  const bucket = tokenBucket({ burst: options.burst ?? 3, perSecond: 1000 / (options.intervalMs ?? 1000) }, clock)
  let held: string | undefined
  let replaced = 0
  let armed = false
  const release = () => {
    armed = false
    if (held === undefined) return
    if (!bucket.take()) return arm()
    write(replaced ? `${held} (${plural(replaced, options.what)} in between not logged)` : held)
    held = undefined
    replaced = 0
  }
  const arm = () => {
    armed = true
    void clock.sleep(bucket.wait()).then(release)
  }
  return (line) => {
    if (held === undefined && bucket.take()) return write(line)
    if (held !== undefined) replaced++
    held = line
    if (!armed) arm()
  }
}
