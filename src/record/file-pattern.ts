import { basename, isAbsolute, resolve, sep } from 'node:path'
import { zonedTime } from '../util/zoned-time.ts'

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const DIRECTIVE = /%(.)/g

/** What each directive matches in a name it made. */
const MATCHES: Record<string, string> = {
  Y: '\\d{4}',
  m: '\\d{2}',
  d: '\\d{2}',
  H: '\\d{2}',
  M: '\\d{2}',
  S: '\\d{2}',
  j: '\\d{3}',
  a: `(?:${WEEKDAYS.join('|')})`,
  b: `(?:${MONTHS.join('|')})`,
  '%': '%',
}

/** The extensions a recording may get from its stream's format, when its pattern names none. */
export const RECORDING_EXTENSIONS: readonly string[] = ['.mp3', '.aac', '.opus', '.ogg', '.oga']

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/**
 * `pattern` with its strftime directives (%Y %m %d %H %M %S %j %a %b %%) read on a wall clock in
 * `timeZone` at `instant` (ms since the epoch); anything else is left as it is.
 *
 * @example
 * strftime('%Y-%m-%d/%H%M%S', Date.UTC(2026, 6, 1, 22, 5, 9), 'Europe/Berlin') // '2026-07-02/000509'
 */
export const strftime = (pattern: string, instant: number, timeZone: string): string => {
  const t = zonedTime(instant, timeZone)
  const values: Record<string, string> = {
    Y: String(t.year),
    m: pad(t.month),
    d: pad(t.day),
    H: pad(Math.floor(t.minutes / 60)),
    M: pad(t.minutes % 60),
    S: pad(Math.floor(t.intoHour / 1000) % 60),
    j: pad((Date.UTC(t.year, t.month - 1, t.day) - Date.UTC(t.year, 0, 1)) / 86_400_000 + 1, 3),
    a: WEEKDAYS[t.weekday]!,
    b: MONTHS[t.month - 1]!,
    '%': '%',
  }
  return pattern.replace(DIRECTIVE, (whole, letter: string) => values[letter] ?? whole)
}

/**
 * A mount's path as a file name's part: no leading slash, the others as `-`.
 *
 * @example
 * mountSlug('/jazz/hq') // 'jazz-hq'
 */
export const mountSlug = (mount: string): string => mount.replace(/^\/+/, '').replaceAll('/', '-')

/**
 * The `n`th name for a file that must not overwrite another: `path` itself, then `-1`, `-2`… before
 * its extension.
 *
 * @example
 * uniqueName('/rec/120000-stream.mp3', 2) // '/rec/120000-stream-2.mp3'
 */
export const uniqueName = (path: string, n: number): string => {
  if (n === 0) return path
  const name = basename(path)
  const dot = name.lastIndexOf('.')
  if (dot <= 0) return `${path}-${n}`
  const at = path.length - name.length + dot
  return `${path.slice(0, at)}-${n}${path.slice(at)}`
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const varies = (segment: string) => segment.replaceAll('%%', '').includes('%')
const matcher = (text: string) =>
  text.split(/(%.)/).map((part) => (/^%.$/s.test(part) ? (MATCHES[part[1]!] ?? escape(part)) : escape(part))).join('')
const extensionOf = (segment: string) => segment.match(/\.[A-Za-z0-9]{1,5}$/)?.[0]

/** A recording path pattern, ready to name files and to recognise the files it named. */
export interface FilePattern {
  /** The absolute pattern, `{mount}` filled in (without the stream's extension when it names none). */
  readonly pattern: string
  /** The deepest folder the pattern never varies: where its files are looked for. */
  readonly root: string
  /** Below `root`, one expression per folder level and last the file name, matching what it made. */
  readonly levels: readonly RegExp[]
  /** The file to open at `instant` for a stream whose extension is `extension` (with its dot). */
  nameAt(instant: number, timeZone: string, extension: string): string
}

/**
 * Compiles a mount's `record.path`: `{mount}` filled in, relative to `baseDir` (default: the working
 * folder). A pattern whose file name has no extension gets the stream's.
 *
 * @example
 * const pattern = filePattern('rec/%Y/%H%M-{mount}', '/jazz', '/etc/airwave')
 * pattern.nameAt(Date.UTC(2026, 0, 1, 9), 'UTC', '.mp3') // '/etc/airwave/rec/2026/0900-jazz.mp3'
 * pattern.root // '/etc/airwave/rec'
 */
export const filePattern = (path: string, mount: string, baseDir?: string): FilePattern => {
  const filled = path.replaceAll('{mount}', mountSlug(mount))
  const absolute = isAbsolute(filled) ? resolve(filled) : resolve(baseDir ?? '.', filled)
  const segments = absolute.split(sep)
  const first = segments.findIndex(varies)
  const fixed = first < 0 ? segments.length - 1 : Math.min(first, segments.length - 1)
  const root = segments.slice(0, fixed).join(sep) || sep
  const own = extensionOf(segments.at(-1)!)
  const levels = segments.slice(fixed).map((segment, i, all) => {
    if (i < all.length - 1) return new RegExp(`^${matcher(segment)}$`)
    const stem = own ? segment.slice(0, -own.length) : segment
    const extensions = own ? [own] : RECORDING_EXTENSIONS
    return new RegExp(`^${matcher(stem)}(?:-\\d+)?(?:${extensions.map(escape).join('|')})$`)
  })
  return {
    pattern: absolute,
    root,
    levels,
    nameAt: (instant, timeZone, extension) => {
      const name = strftime(absolute, instant, timeZone)
      return own ? name : `${name}${extension}`
    },
  }
}
