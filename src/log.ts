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
  /** An access-log line (combined log format), written as is. */
  access(line: string): void
  /** A logger whose lines carry `scope` (a mount path, say). */
  child(scope: string): Logger
}

export interface LoggerOptions {
  level?: LogLevel
  /** Receives diagnostic lines (default: standard error). */
  write?: (line: string) => void
  /** Receives access-log lines (default: standard output). */
  writeAccess?: (line: string) => void
  now?: () => Date
}

/**
 * Creates a logger writing `2026-11-25T18:45:00.123Z info  [/stream] message` lines to standard
 * error and access-log lines to standard output, so the two can be piped apart.
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
  const make = (scope: string): Logger => {
    const at = (level: LogLevel) => (message: string) => {
      if (LOG_LEVELS.indexOf(level) < min) return
      write(`${now().toISOString()} ${level.padEnd(5)} ${scope ? `[${scope}] ` : ''}${message}`)
    }
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      access: writeAccess,
      child: (next) => make(scope ? `${scope} ${next}` : next),
    }
  }
  return make('')
}

/** A logger that discards everything. */
export const silentLogger: Logger = createLogger({ write: () => {}, writeAccess: () => {} })
