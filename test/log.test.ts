import { describe, expect, test } from 'bun:test'
import type { FloodGuard, LoggerOptions } from '../src/log.ts'
import { createLogger, escapeControls, escapeQuoted, throttleLine } from '../src/log.ts'
import { CONTROL, LOG_LINE } from './helpers/log-lines.ts'
import { ManualClock } from './helpers/manual-clock.ts'

const T0 = Date.UTC(2026, 10, 25, 18, 45)

/** A logger on a manual clock, its lines collected. */
const logged = (options: LoggerOptions = {}) => {
  const clock = new ManualClock()
  const lines: string[] = []
  const access: string[] = []
  const log = createLogger({
    level: 'debug',
    write: (line) => lines.push(line),
    writeAccess: (line) => access.push(line),
    now: () => new Date(T0 + clock.now()),
    clock,
    ...options,
  })
  return { clock, log, lines, access }
}

/** The lines the flood guard held back, as its summaries say. */
const suppressed = (lines: string[]) =>
  lines.map((l) => l.match(/flood guard: (\d+) lines? not written/)?.[1]).filter(Boolean).map(Number)
    .reduce((a, b) => a + b, 0)

describe('a log line is always one line', () => {
  test.each([
    ['line feed and carriage return (C0)', 'a\nb\rc', 'a\\nb\\rc'],
    ['tab, backspace, vertical tab', 'a\tb\bc\vd', 'a\\tb\\bc\\vd'],
    ['other C0: NUL, ESC (terminal escapes), form feed', '\x00\x1b[31mred\x0c', '\\x00\\x1b[31mred\\x0c'],
    ['DEL', 'a\x7fb', 'a\\x7fb'],
    ['C1: NEL and CSI', 'a\x85b\x9b2J', 'a\\x85b\\x9b2J'],
    ['the Unicode line and paragraph separators', 'a\u2028b\u2029c', 'a\\u{2028}b\\u{2029}c'],
    ['a lone high surrogate', 'a\ud83cb', 'a\\u{d83c}b'],
    ['a lone low surrogate', 'a\udfb5b', 'a\\u{dfb5}b'],
    ['a surrogate pair the wrong way round', '\udfb5\ud83c', '\\u{dfb5}\\u{d83c}'],
  ])('%s is escaped', (_, message, escaped) => {
    const { log, lines } = logged()
    log.child('/stream').warn(message)
    expect(lines).toEqual([`2026-11-25T18:45:00.000Z warn  [/stream] ${escaped}`])
    expect(escapeControls(message)).toBe(escaped)
  })

  test('everything else is written as it is: accents, emoji (a whole surrogate pair), quotes, backslashes', () => {
    const text = 'Café 🎵 "Ñandú" C:\\Music\\01.mp3 日本語'
    expect(escapeControls(text)).toBe(text)
  })

  test('a forged line in a message or a scope stays inside the line that carries it', () => {
    const { log, lines } = logged()
    log.child('source port').warn('source from 127.0.0.1 asked for /\n2026-01-01T00:00:00.000Z error FORGED')
    log.child('/a\nb').info('on air: One\r\n2026-01-01T00:00:00.000Z error FORGED')
    expect(lines).toEqual([
      '2026-11-25T18:45:00.000Z warn  [source port] source from 127.0.0.1 asked for /\\n2026-01-01T00:00:00.000Z error FORGED',
      '2026-11-25T18:45:00.000Z info  [/a\\nb] on air: One\\r\\n2026-01-01T00:00:00.000Z error FORGED',
    ])
    for (const line of lines) {
      expect(line).toMatch(LOG_LINE)
      expect(line).not.toMatch(CONTROL)
    }
  })

  test('an access-log line is escaped too, and its quoted fields escape " and \\ as Apache and nginx do', () => {
    const { log, access } = logged()
    log.access('1.2.3.4 - - [25/Nov/2026:18:45:00 +0000] "GET /\n" 200 0 "-" "x" 1')
    expect(access).toEqual(['1.2.3.4 - - [25/Nov/2026:18:45:00 +0000] "GET /\\n" 200 0 "-" "x" 1'])
    expect(escapeQuoted('VLC "3" C:\\x\r\n\x1b\u2028')).toBe('VLC \\"3\\" C:\\\\x\\r\\n\\x1b\\u{2028}')
    // Escaping is done once: an escaped line passes the logger unchanged.
    expect(escapeControls(escapeQuoted('a\nb'))).toBe('a\\nb')
  })
})

describe('the flood guard', () => {
  const guard: FloodGuard = { burst: 5, perSecond: 2 }

  test('lets a burst through whole, then counts what it holds back and says so once a line may be written again', async () => {
    const { clock, log, lines } = logged({ flood: guard })
    const port = log.child('source port')
    for (let i = 1; i <= 20; i++) port.warn(`refused ${i}`)
    expect(lines.map((l) => l.slice(25))).toEqual([1, 2, 3, 4, 5].map((i) => `warn  [source port] refused ${i}`))
    await clock.advance(499)
    expect(lines).toHaveLength(5)
    await clock.advance(1)
    expect(lines.slice(5)).toEqual([
      '2026-11-25T18:45:00.500Z warn  [source port] flood guard: 15 lines not written in 0.5 s (over 2 a second after 5 at once)',
    ])
    expect(clock.pending).toBe(0)
  })

  test('the next line written after a burst is preceded by the count of the lines held back', async () => {
    const { clock, log, lines } = logged({ flood: guard })
    const relay = log.child('/edge')
    for (let i = 1; i <= 7; i++) relay.error(`boom ${i}`)
    clock.stall(2000) // the line comes before the summary's timer fires
    relay.error('boom 8')
    expect(lines.slice(5).map((l) => l.slice(25))).toEqual([
      'error [/edge] flood guard: 2 lines not written in 2.0 s (over 2 a second after 5 at once)',
      'error [/edge] boom 8',
    ])
    await clock.advance(1000)
    expect(lines).toHaveLength(7)
  })

  test('under a sustained flood every line is written or counted, and the output stays paced', async () => {
    const { clock, log, lines } = logged({ flood: guard })
    let sent = 0
    for (let ms = 0; ms < 10_000; ms += 100) {
      for (let i = 0; i < 10; i++) log.child('/edge').info(`title ${++sent}`)
      await clock.advance(100)
    }
    await clock.advance(1000)
    const written = lines.filter((l) => !l.includes('flood guard:')).length
    expect(written + suppressed(lines)).toBe(sent)
    // 5 at once, then 2 a second, each after the count of those held back before it: about 45 lines for 1,000.
    expect(written).toBeGreaterThanOrEqual(5 + 2 * 10 - 1)
    expect(written).toBeLessThanOrEqual(5 + 2 * 10 + 1)
    expect(lines.length).toBeLessThanOrEqual(2 * written + 1)
  })

  test('each scope and level has its own allowance: a flood of warnings on the source port silences nothing else', () => {
    const { log, lines } = logged({ flood: guard })
    for (let i = 0; i < 50; i++) log.child('source port').warn('refused')
    log.child('source port').info('connected')
    log.child('/stream').warn('skipping a.mp3')
    log.warn('top level')
    expect(lines.slice(5).map((l) => l.slice(25))).toEqual([
      'info  [source port] connected',
      'warn  [/stream] skipping a.mp3',
      'warn  top level',
    ])
  })

  test('lines below the level are not counted against the allowance', () => {
    const { log, lines } = logged({ flood: guard, level: 'info' })
    for (let i = 0; i < 50; i++) log.debug('chatter')
    for (let i = 0; i < 5; i++) log.info(`line ${i}`)
    expect(lines).toHaveLength(5)
  })

  test("the station's own unscoped lines (banner, signals, an admin's actions) are never held back", async () => {
    const { clock, log, lines } = logged({ flood: guard })
    for (let i = 0; i < 50; i++) log.child('admin').warn('refused')
    for (let i = 0; i < 50; i++) log.info(`admin (192.0.2.1): skipped to the next track ${i}`)
    await clock.advance(10_000)
    expect(lines.filter((l) => l.includes('skipped to the next track'))).toHaveLength(50)
  })

  test('by default 100 lines of a scope pass whole; `flood: false` lets every line through', async () => {
    const guarded = logged()
    for (let i = 0; i < 150; i++) guarded.log.child('/stream').info(`line ${i}`)
    expect(guarded.lines).toHaveLength(100)
    await guarded.clock.advance(100)
    expect(guarded.lines.at(-1)).toContain(
      'flood guard: 50 lines not written in 0.1 s (over 10 a second after 100 at once)',
    )
    const open = logged({ flood: false })
    for (let i = 0; i < 1000; i++) open.log.info(`line ${i}`)
    expect(open.lines).toHaveLength(1000)
    expect(open.clock.pending).toBe(0)
  })
})

describe('throttleLine (what is on air)', () => {
  const onAir = () => {
    const clock = new ManualClock()
    const lines: string[] = []
    const write = throttleLine((line) => lines.push(`${clock.now()} ${line}`), { clock, what: 'title change' })
    return { clock, lines, write }
  }

  test('writes three at once, then about one a second, the latest each time with the count of those it replaced', async () => {
    const { clock, lines, write } = onAir()
    // An upstream changing its title every 64 bytes: 47 times a second, for 3 seconds.
    for (let i = 1; i <= 141; i++) {
      write(`on air: title ${i}`)
      await clock.advance(1000 / 47)
    }
    await clock.advance(2000)
    expect(lines.slice(0, 3).map((l) => l.split(' ').slice(1).join(' '))).toEqual([
      'on air: title 1',
      'on air: title 2',
      'on air: title 3',
    ])
    expect(lines.length).toBeLessThanOrEqual(3 + 4)
    expect(lines.at(-1)).toMatch(/ on air: title 141 \(\d+ title changes in between not logged\)$/)
    const replaced = lines.map((l) => Number(l.match(/\((\d+) title changes?/)?.[1] ?? 0)).reduce((a, b) => a + b, 0)
    expect(lines.length + replaced).toBe(141)
    const times = lines.slice(3).map((l) => Number(l.split(' ')[0]))
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(999)
  })

  test('a line after a quiet spell is written at once, with no count', async () => {
    const { clock, lines, write } = onAir()
    for (let i = 1; i <= 4; i++) write(`on air: ${i}`)
    await clock.advance(1000)
    expect(lines).toEqual(['0 on air: 1', '0 on air: 2', '0 on air: 3', '1000 on air: 4'])
    await clock.advance(5000)
    write('on air: 5')
    expect(lines.at(-1)).toBe('6000 on air: 5')
    expect(clock.pending).toBe(0)
  })
})
