/**
 * A strict parser of Prometheus' text exposition format 0.0.4, written from the format's
 * specification (prometheus.io, "Exposition formats": text format details), for checking what
 * `/metrics` sends. It throws on anything the format forbids, naming the line; its result has the
 * shape of prom2json and the npm package parse-prometheus-text-format, which parses our output the
 * same way but accepts malformed input silently (an unterminated label value, a value of "abc",
 * a family split in two, a second TYPE line), so it cannot tell a valid exposition from a broken one.
 */

export type MetricTypeName = 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'

export interface Sample {
  /** The value as written (`"1"`, `"0.5"`, `"NaN"`, `"+Inf"`). */
  value: string
  labels?: Record<string, string>
  timestamp_ms?: string
}

export interface Family {
  name: string
  help: string
  type: MetricTypeName
  metrics: Sample[]
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf)|NaN)$/
const TIMESTAMP = /^-?\d+$/
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])

/** The family a sample belongs to: histogram and summary samples carry suffixes. */
const familyOf = (name: string, families: Map<string, Family>): string => {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined
    const type = base ? families.get(base)?.type : undefined
    if (base && (type === 'HISTOGRAM' || (type === 'SUMMARY' && suffix !== '_bucket'))) return base
  }
  return name
}

/** Reads `{name="value",…}` from `text` at `start` (just after `{`); returns the labels and where they end. */
const readLabels = (
  text: string,
  start: number,
  fail: (why: string) => never,
): { labels: Record<string, string>; end: number } => {
  const labels: Record<string, string> = {}
  let i = start
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++
    if (text[i] === '}') return { labels, end: i + 1 }
    const nameEnd = text.indexOf('=', i)
    if (nameEnd < 0) fail('label without "="')
    const name = text.slice(i, nameEnd).trim()
    if (!LABEL_NAME.test(name)) fail(`bad label name "${name}"`)
    if (name.startsWith('__')) fail(`label name "${name}" is reserved`)
    if (name in labels) fail(`label "${name}" twice`)
    i = nameEnd + 1
    while (text[i] === ' ' || text[i] === '\t') i++
    if (text[i] !== '"') fail(`label "${name}" value not quoted`)
    i++
    let value = ''
    for (;;) {
      const c = text[i]
      if (c === undefined) fail(`label "${name}" value not terminated`)
      if (c === '"') break
      if (c === '\\') {
        const next = text[i + 1]
        if (next === '\\') value += '\\'
        else if (next === '"') value += '"'
        else if (next === 'n') value += '\n'
        else fail(`bad escape \\${next ?? ''} in label "${name}"`)
        i += 2
      } else {
        value += c
        i++
      }
    }
    labels[name] = value
    i++
    while (text[i] === ' ' || text[i] === '\t') i++
    if (text[i] === ',') i++
    else if (text[i] !== '}') fail(`expected "," or "}" after label "${name}"`)
  }
}

const unescapeHelp = (text: string, fail: (why: string) => never): string =>
  text.replace(/\\(.?)/g, (_, c: string) => (c === '\\' ? '\\' : c === 'n' ? '\n' : fail(`bad escape \\${c} in HELP`)))

/**
 * Parses an exposition; throws an Error naming the line on anything the format forbids.
 *
 * @example
 * const families = parsePrometheusText(await (await fetch(url + '/metrics')).text())
 */
export const parsePrometheusText = (text: string): Family[] => {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the exposition must end with a line feed')
  const families = new Map<string, Family>()
  /** Families whose samples are over (another family's began): they may not continue. */
  const closed = new Set<string>()
  const seenSeries = new Set<string>()
  const sampled = new Set<string>()
  const helped = new Set<string>()
  const typed = new Set<string>()
  let current: string | undefined
  const family = (name: string): Family => {
    let f = families.get(name)
    if (!f) families.set(name, f = { name, help: '', type: 'UNTYPED', metrics: [] })
    return f
  }
  const lines = text.split('\n').slice(0, -1)
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`)
    }
    if (line.trim() === '') return
    if (line.startsWith('#')) {
      const match = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line)
      if (!match) return // a comment
      const [, keyword, name, rest = ''] = match
      if (!METRIC_NAME.test(name!)) fail(`bad metric name "${name}"`)
      if (closed.has(name!) || (sampled.has(name!) && keyword === 'TYPE')) {
        fail(`${keyword} of ${name} after its samples`)
      }
      if (current !== undefined && current !== name) closed.add(current)
      current = name
      const f = family(name!)
      if (keyword === 'HELP') {
        if (helped.has(name!)) fail(`second HELP for ${name}`)
        helped.add(name!)
        f.help = unescapeHelp(rest, fail)
      } else {
        if (!TYPES.has(rest.trim())) fail(`unknown type "${rest}"`)
        if (typed.has(name!)) fail(`second TYPE for ${name}`)
        typed.add(name!)
        f.type = rest.trim().toUpperCase() as MetricTypeName
      }
      return
    }
    const nameMatch = /^[^\s{]+/.exec(line)
    const name = nameMatch?.[0] ?? fail('no metric name')
    if (!METRIC_NAME.test(name)) fail(`bad metric name "${name}"`)
    let i = name.length
    let labels: Record<string, string> | undefined
    if (line[i] === '{') {
      const read = readLabels(line, i + 1, fail)
      labels = read.labels
      i = read.end
    }
    const fields = line.slice(i).trim().split(/[ \t]+/)
    if (line.slice(i).trim() === '' || fields.length > 2) fail('expected a value and at most a timestamp')
    const [value, timestamp] = fields as [string, string | undefined]
    if (!VALUE.test(value)) fail(`bad value "${value}"`)
    if (timestamp !== undefined && !TIMESTAMP.test(timestamp)) fail(`bad timestamp "${timestamp}"`)
    const familyName = familyOf(name, families)
    if (closed.has(familyName)) fail(`samples of ${familyName} are not together`)
    if (current !== undefined && current !== familyName) closed.add(current)
    current = familyName
    const series = `${name}${JSON.stringify(Object.entries(labels ?? {}).sort())}`
    if (seenSeries.has(series)) fail('the same series twice')
    seenSeries.add(series)
    sampled.add(familyName)
    family(familyName).metrics.push({
      value,
      ...(labels && Object.keys(labels).length > 0 ? { labels } : {}),
      ...(timestamp ? { timestamp_ms: timestamp } : {}),
    })
  })
  return [...families.values()]
}
