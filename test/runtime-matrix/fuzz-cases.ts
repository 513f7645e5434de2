import { Buffer } from 'node:buffer'

/** A seeded source of randomness (mulberry32): the same seed gives the same cases. */
export interface Rng {
  /** A number in [0, 1). */
  next(): number
  /** An integer in [0, n). */
  int(n: number): number
  /** An integer in [min, max]. */
  between(min: number, max: number): number
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
  bytes(n: number): Buffer
}

export const seededRng = (seed: number): Rng => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (p) => next() < p,
    pick: (items) => items[int(items.length)]!,
    bytes: (n) => {
      const out = Buffer.allocUnsafe(n)
      for (let i = 0; i < n; i++) out[i] = int(256)
      return out
    },
  }
}

/** One exchange of the fuzzer: what it writes to which port, and how. */
export interface FuzzCase {
  /** What it tries, for the report. */
  kind: string
  port: 'listen' | 'source'
  /** Written one after another, with a short pause between them. */
  writes: Buffer[]
  /** Hang up right after the last write, without reading (a client giving up mid-request). */
  abort: boolean
  /** Write everything after the first piece only once the server has answered (a source waiting for `100 Continue`). */
  awaitAnswer: boolean
  /** The loopback address it connects from (127.0.0.2 …), so that failed logins throttle only some of the cases. */
  localAddress: string
  /** How long it reads before hanging up, at most. */
  readMs: number
  /** A valid request mixed in as a control: the status it must get. */
  expect?: number
}

/** The credentials the fuzzed station is started with. */
export const SOURCE_PASSWORD = 'fuzz-src'
export const ADMIN_PASSWORD = 'fuzz-adm'

const basic = (credentials: string) => `Basic ${Buffer.from(credentials, 'latin1').toString('base64')}`

const METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'OPTIONS',
  'CONNECT',
  'TRACE',
  'PATCH',
  'PRI',
  'SOURCE',
  'FOO',
  'get',
  'Get',
  'G\0ET',
  'G ET',
  '',
  '-',
  'GET\t',
  'X'.repeat(300),
  'ICY',
  'M-SEARCH',
]
const VERSIONS = [
  'HTTP/1.1',
  'HTTP/1.0',
  '',
  'HTTP/0.9',
  'HTTP/2.0',
  'HTTP/1.1x',
  'HTTP/9.9',
  'ICE/1.0',
  'http/1.1',
  'HTTP/',
]
/** What players, pages and scripts ask the listener port for. */
const VALID_TARGETS = [
  '/stream',
  '/stream/',
  '/stream.m3u',
  '/stream.pls',
  '/api/mounts',
  '/api/mounts/stream',
  '/api/mounts/stream/events',
  '/api/events',
  '/status-json.xsl',
  '/metrics',
  '/',
  '/embed/stream',
  '/assets/player.js',
  '/assets/..%2f..%2fpackage.json',
  '/admin/',
  '/admin/stats',
  '/admin/listmounts.json',
  '/admin/listclients.json?mount=/stream',
  '/admin/metadata?mount=/stream&mode=updinfo&song=%E2%98%83',
  '/admin/dashboard.json',
]
const TARGETS = [
  ...VALID_TARGETS,
  '*',
  'http://127.0.0.1/stream',
  'http://[::1/stream',
  '//stream',
  '/%',
  '/%zz',
  '/%E0%A4%A',
  '/%C0%AF',
  '/%FF%FE',
  '/%00',
  '/stream%00',
  '/api/mounts/%',
  '/api/mounts/%ZZ/events',
  '/embed/%',
  '/admin/%',
  '/admin/metadata?mount=%&song=%',
  '/admin/listclients.json?mount=%E0',
  '/stream?%',
  '/stream#frag',
  '/../../etc/passwd',
  '/\u00e9\u00ff',
  '/stream%0D%0A2026-01-01T00:00:00.000Z%20error%20%20injected',
  '/%1B[2J%07',
  '',
  '?',
]
const HOSTS = [
  '127.0.0.1',
  '[::1',
  '[::1]:99999',
  '::1',
  ':::',
  '',
  ' ',
  'a b',
  'host:-1',
  'host:65536',
  'host:abc',
  '@evil',
  'user@host',
  'http://x',
  '\0',
  '[',
  ']',
  '%00',
  'h'.repeat(5000),
  '\u00ff\u00fe',
  '127.0.0.1:0',
  '[::ffff:127.0.0.1]:80',
]
/** The right credentials, and plausible wrong ones. */
const LOGINS = [
  basic(`admin:${ADMIN_PASSWORD}`),
  basic(`source:${SOURCE_PASSWORD}`),
  basic('admin:wrong'),
  basic('source:wrong'),
]
const AUTHS = [
  ...LOGINS,
  basic('nobody:'),
  basic(':'),
  basic('no-colon'),
  basic('admin:\0\u00ff'),
  'Basic',
  'Basic ',
  'Basic !!!',
  'Basic ====',
  'basic YWRtaW46',
  'Bearer x',
  'Digest username="admin"',
  `Basic ${'A'.repeat(20_000)}`,
  '\0',
]
const WEIRD_HEADERS: [string, string][] = [
  ['Icy-MetaData', '1'],
  ['Icy-MetaData', '0'],
  ['Icy-MetaData', '-1'],
  ['Icy-MetaData', '99999999999999999999'],
  ['Icy-MetaData', 'yes'],
  ['Range', 'bytes=0-'],
  ['Range', 'bytes=999999999999-1'],
  ['Range', 'bytes=--'],
  ['Accept-Encoding', 'gzip, br, zstd, deflate'],
  ['Accept-Encoding', '*;q=abc'],
  ['Origin', 'https://evil.example'],
  ['Origin', 'null'],
  ['Access-Control-Request-Method', 'FOO'],
  ['Access-Control-Request-Headers', 'x-a, \u00ff'],
  ['Last-Event-ID', '-1'],
  ['Last-Event-ID', '99999999999999999999999'],
  ['If-None-Match', '"x"'],
  ['If-Modified-Since', 'yesterday'],
  ['Connection', 'Upgrade'],
  ['Upgrade', 'websocket'],
  ['Upgrade', 'h2c'],
  ['HTTP2-Settings', 'AAMAAABkAARAAAAAAAIAAAAA'],
  ['Expect', '100-continue'],
  ['Expect', 'the unexpected'],
  ['Content-Length', '-1'],
  ['Content-Length', 'abc'],
  ['Content-Length', '99999999999999999999'],
  ['Content-Length', '5'],
  ['Transfer-Encoding', 'chunked'],
  ['Transfer-Encoding', 'gzip, chunked'],
  ['Transfer-Encoding', 'identity'],
  ['X-Forwarded-For', '1.2.3.4, [::1'],
  ['Forwarded', 'for="[::1";proto=gopher'],
  ['Cookie', '%'],
  ['Referer', '\u00ff'.repeat(100)],
  ['User-Agent', '\x1b[31mred\x1b[0m\x07'],
  ['Sec-Fetch-Site', 'cross-site'],
  ['Sec-Fetch-Mode', 'navigate'],
]
const CONTENT_TYPES = [
  'audio/mpeg',
  'audio/aac',
  'audio/aacp',
  'audio/mp3',
  'AUDIO/MPEG; charset=x',
  'audio/ogg',
  'application/ogg',
  'application/octet-stream',
  'audio/mpeg\0',
  'audio/\x1b[31mmpeg\rforged',
  '',
  ';;;',
  'audio/',
  'x'.repeat(3000),
]
const ICE_HEADERS = [
  'ice-name',
  'ice-description',
  'ice-genre',
  'ice-url',
  'ice-public',
  'ice-bitrate',
  'ice-audio-info',
  'icy-name',
  'icy-genre',
  'icy-br',
  'icy-pub',
  'icy-url',
  'User-Agent',
]
const ICE_VALUES = [
  'Fuzz FM',
  '\x01\x02\x1b[2J\x7f',
  '\u00e9\u00e8\u00ff',
  'samplerate=abc;channels=99;bitrate=-1',
  'samplerate=8000;channels=0',
  'channels=2;samplerate=44100',
  ';;;==;',
  '1e999',
  '-1',
  'http://[::1',
  'javascript:alert(1)',
  '<script>alert(1)</script>',
  'x'.repeat(8000),
  '',
]
const SOURCE_PATHS = [
  '/stream',
  '/stream',
  '/stream',
  '/nope',
  '/',
  '/%',
  '/stream%00',
  '/stream%0A2026-01-01T00:00:00.000Z%20error%20%20injected',
  '/%1B[2J%07',
  '*',
  '/stream?x=%',
  '//stream',
]

interface Request {
  method: string
  target: string
  version: string
  headers: [string, string][]
  body: Buffer
}

const serialize = (request: Request, eol: string): Buffer => {
  const start = [request.method, request.target, request.version].filter((part, i) => i < 2 || part !== '').join(' ')
  const head = [start, ...request.headers.map(([name, value]) => `${name}: ${value}`)].join(eol)
  return Buffer.concat([Buffer.from(`${head}${eol}${eol}`, 'latin1'), request.body])
}

/** Any Host will do (no runtime checks it against the port), and a fixed one keeps a seed's cases byte for byte. */
const HOST: [string, string] = ['Host', 'localhost:8000']

/** A valid listener-port request, as players, pages and scripts send them. */
const listenRequest = (rng: Rng): Request => {
  const target = rng.pick(VALID_TARGETS)
  const headers: [string, string][] = [HOST, ['User-Agent', 'airwave-fuzz']]
  if (target.startsWith('/stream')) headers.push(['Icy-MetaData', '1'])
  if (target.startsWith('/admin') && rng.chance(0.6)) headers.push(['Authorization', rng.pick(LOGINS)])
  if (rng.chance(0.2)) headers.push(['Origin', 'https://player.example'])
  const method = rng.pick(['GET', 'GET', 'GET', 'HEAD', 'OPTIONS'])
  if (method === 'OPTIONS') headers.push(['Access-Control-Request-Method', 'GET'])
  return { method, target, version: 'HTTP/1.1', headers, body: Buffer.alloc(0) }
}

const chunkedBody = (rng: Rng): Buffer => {
  const pieces: string[] = []
  for (let i = rng.between(0, 3); i > 0; i--) {
    const data = rng.bytes(rng.between(1, 200)).toString('latin1')
    pieces.push(`${data.length.toString(16)}\r\n${data}\r\n`)
  }
  pieces.push(
    rng.pick([
      'zz\r\n',
      '-1\r\n',
      'ffffffffffffffffffffffff\r\nabc',
      'f'.repeat(300) + '\r\n',
      '5\r\nabc\r\n',
      '5\r\nabcdefgh\r\n',
      '5;ext=1\r\nhello\r\n0\r\n\r\n',
      '0x10\r\n',
      ' 5 \r\nhello\r\n',
      '1'.repeat(2000),
      '0\r\n\r\n',
      '0\r\nTrailer: x\r\n\r\n',
      '\r\n\r\n',
      '',
    ]),
  )
  return Buffer.from(pieces.join(''), 'latin1')
}

/** One structural change to a request: its method, target, version, a header, its body. */
const mutateRequest = (rng: Rng, request: Request): void => {
  const headers = request.headers
  switch (rng.int(12)) {
    case 0:
      request.method = rng.pick(METHODS)
      break
    case 1:
      request.target = rng.pick(TARGETS)
      break
    case 2:
      request.version = rng.pick(VERSIONS)
      break
    case 3: {
      const host = rng.pick(HOSTS)
      const at = headers.findIndex(([name]) => name === 'Host')
      const how = rng.pick(['another', 'none', 'instead', 'instead', 'instead'])
      if (at < 0 || how === 'another') headers.unshift(['Host', host])
      else if (how === 'none') headers.splice(at, 1)
      else headers[at] = ['Host', host]
      break
    }
    case 4:
      headers.push([
        rng.pick(['X-Long', 'Cookie', 'User-Agent', 'Icy-MetaData']),
        'x'.repeat(rng.between(4_000, 80_000)),
      ])
      break
    case 5:
      for (let i = rng.between(100, 3000); i > 0; i--) headers.push([`X-H${i}`, String(i)])
      break
    case 6:
      headers.push(rng.pick(WEIRD_HEADERS))
      break
    case 7:
      headers.push(
        rng.pick<[string, string]>([
          ['No Colon Here', ''],
          ['Bad Name', 'x'],
          ['', 'empty name'],
          ['X-Fold', 'a\r\n folded'],
          ['X-Nul\0', 'x'],
          ['X-Ctl', 'a\x01b\x7fc'],
          ['X-CR', 'a\rb'],
          ['\u00ff', '\u00ff'],
          [':', ':'],
        ]),
      )
      break
    case 8: {
      const at = headers.findIndex(([name]) => name === 'Authorization')
      const auth: [string, string] = ['Authorization', rng.pick(AUTHS)]
      if (at >= 0) headers[at] = auth
      else headers.push(auth)
      break
    }
    case 9:
      if (rng.chance(0.5)) {
        headers.push(['Transfer-Encoding', 'chunked'])
        request.body = chunkedBody(rng)
      } else {
        request.body = rng.bytes(rng.between(0, 300))
        headers.push(['Content-Length', String(request.body.length + rng.between(-5, 5))])
      }
      break
    case 10:
      if (headers.length > 0) headers.splice(rng.int(headers.length), 1)
      break
    default: {
      if (headers.length === 0) break
      const at = rng.int(headers.length)
      const [name, value] = headers[at]!
      const cut = rng.int(value.length + 1)
      headers[at] = [
        name,
        `${value.slice(0, cut)}${rng.pick(['\0', '\r', '\n', '\x7f', '\u00ff', '%'])}${value.slice(cut)}`,
      ]
    }
  }
}

/** One byte-level change: a flipped, inserted, deleted or repeated byte range, or the end cut off. */
const mutateBytes = (rng: Rng, bytes: Buffer): Buffer => {
  if (bytes.length === 0) return rng.bytes(rng.between(1, 64))
  const at = rng.int(bytes.length)
  const length = rng.between(1, Math.min(64, bytes.length - at))
  switch (rng.int(5)) {
    case 0: {
      const copy = Buffer.from(bytes)
      for (let i = at; i < at + length; i++) copy[i] = rng.chance(0.5) ? copy[i]! ^ (1 << rng.int(8)) : rng.int(256)
      return copy
    }
    case 1:
      return Buffer.concat([
        bytes.subarray(0, at),
        rng.chance(0.5)
          ? Buffer.from(rng.pick(['\0', '\r\n', '\n', '\r', ' ', ':', '\x7f', '\r\n\r\n']))
          : rng.bytes(length),
        bytes.subarray(at),
      ])
    case 2:
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + length)])
    case 3:
      return Buffer.concat([
        bytes.subarray(0, at + length),
        bytes.subarray(at, at + length),
        bytes.subarray(at + length),
      ])
    default:
      return bytes.subarray(0, at)
  }
}

/** Splits bytes into a few pieces at random offsets (a request that arrives in fragments). */
const fragments = (rng: Rng, bytes: Buffer): Buffer[] => {
  const cuts = [...new Set(Array.from({ length: rng.between(1, 5) }, () => rng.int(bytes.length)))].sort((a, b) =>
    a - b
  )
  const pieces: Buffer[] = []
  let from = 0
  for (const cut of [...cuts, bytes.length]) {
    if (cut > from) pieces.push(bytes.subarray(from, cut))
    from = cut
  }
  return pieces
}

const loopback = (rng: Rng) => `127.0.0.${rng.between(2, 254)}`

/** Writes `bytes` at once, in fragments, or only in part before hanging up. */
const delivered = (
  rng: Rng,
  kind: string,
  port: FuzzCase['port'],
  bytes: Buffer,
  readMs: number,
): FuzzCase => {
  const roll = rng.next()
  const base = { port, awaitAnswer: false, localAddress: loopback(rng), readMs }
  if (roll < 0.1 && bytes.length > 1) {
    return {
      ...base,
      kind: `${kind}, aborted mid-request`,
      writes: fragments(rng, bytes.subarray(0, rng.int(bytes.length))),
      abort: true,
    }
  }
  if (roll < 0.3) return { ...base, kind: `${kind}, in fragments`, writes: fragments(rng, bytes), abort: false }
  return { ...base, kind, writes: [bytes], abort: false }
}

const listenCase = (rng: Rng): FuzzCase => {
  const roll = rng.next()
  if (roll < 0.12) {
    return delivered(rng, 'random bytes', 'listen', rng.bytes(rng.between(1, rng.chance(0.9) ? 512 : 70_000)), 300)
  }
  const eol = rng.chance(0.9) ? '\r\n' : '\n'
  if (roll < 0.27) {
    const requests = Array.from({ length: rng.between(2, 6) }, () => {
      const request = listenRequest(rng)
      if (rng.chance(0.5)) mutateRequest(rng, request)
      return serialize(request, eol)
    })
    return delivered(rng, 'pipelined requests', 'listen', Buffer.concat(requests), 400)
  }
  const request = listenRequest(rng)
  const changes = rng.between(1, 3)
  for (let i = 0; i < changes; i++) mutateRequest(rng, request)
  let bytes = serialize(request, eol)
  const byteChanges = rng.chance(0.4) ? rng.between(1, 3) : 0
  for (let i = 0; i < byteChanges; i++) bytes = mutateBytes(rng, bytes)
  return delivered(rng, `${request.method.slice(0, 10) || '(no method)'} mutated`, 'listen', bytes, 300)
}

const sourceCase = (rng: Rng): FuzzCase => {
  if (rng.chance(0.08)) {
    return delivered(rng, 'random bytes', 'source', rng.bytes(rng.between(1, rng.chance(0.9) ? 512 : 40_000)), 300)
  }
  if (rng.chance(0.1)) {
    const request = listenRequest(rng)
    request.target = rng.pick([
      '/admin/metadata?mount=/stream&mode=updinfo&song=Fuzz%20-%20Title',
      '/admin/metadata?mount=/stream&mode=updinfo&song=%',
      '/admin/metadata?mount=%&mode=updinfo',
      '/admin/listmounts',
      '/admin/',
      '/admin/%',
      '/admin/stats',
    ])
    request.headers.push(['Authorization', rng.pick(AUTHS)])
    for (let i = rng.between(0, 2); i > 0; i--) mutateRequest(rng, request)
    return delivered(rng, 'admin request on the source port', 'source', serialize(request, '\r\n'), 300)
  }
  const headers: [string, string][] = []
  const auth = rng.next()
  if (auth < 0.45) headers.push(['Authorization', basic(`source:${SOURCE_PASSWORD}`)])
  else if (auth < 0.85) headers.push(['Authorization', rng.pick(AUTHS)])
  if (rng.chance(0.85)) headers.push(['Content-Type', rng.chance(0.6) ? 'audio/mpeg' : rng.pick(CONTENT_TYPES)])
  for (let i = rng.between(0, 4); i > 0; i--) headers.push([rng.pick(ICE_HEADERS), rng.pick(ICE_VALUES)])
  const expect = rng.chance(0.4)
  if (expect) headers.push(['Expect', '100-continue'])
  const chunked = rng.chance(0.3)
  if (chunked) headers.push(['Transfer-Encoding', rng.pick(['chunked', 'chunked', 'Chunked', 'gzip, chunked'])])
  const request: Request = {
    method: rng.pick(['SOURCE', 'PUT', 'PUT', 'put', 'SOURCE', 'POST', 'GET']),
    target: rng.pick(SOURCE_PATHS),
    version: rng.pick(['HTTP/1.1', 'HTTP/1.0', 'ICE/1.0']),
    headers,
    body: Buffer.alloc(0),
  }
  if (rng.chance(0.3)) mutateRequest(rng, request)
  let head = serialize(request, rng.chance(0.9) ? '\r\n' : '\n')
  if (rng.chance(0.25)) head = mutateBytes(rng, head)
  const body = chunked && rng.chance(0.7) ? chunkedBody(rng) : Buffer.alloc(0)
  const garbage = Array.from({ length: rng.between(0, 6) }, () => rng.bytes(rng.between(1, 6000)))
  const kind = `${request.method || '(no method)'} source${chunked ? ', chunked' : ''}${expect ? ', expects 100' : ''}`
  const readMs = rng.between(150, 700)
  if (expect && rng.chance(0.7)) {
    return {
      kind,
      port: 'source',
      writes: [head, body, ...garbage],
      abort: false,
      awaitAnswer: true,
      localAddress: loopback(rng),
      readMs,
    }
  }
  return delivered(rng, kind, 'source', Buffer.concat([head, body, ...garbage]), readMs)
}

/** Valid requests mixed in with the fuzz, from 127.0.0.1 (which never fails a login): each must get its status. */
const controlCase = (rng: Rng): FuzzCase => {
  const host = `Host: ${HOST[1]}\r\n`
  const [which, text, status] = rng.pick<[FuzzCase['port'], string, number]>([
    ['listen', `GET /api/mounts HTTP/1.1\r\n${host}\r\n`, 200],
    ['listen', `GET /status-json.xsl HTTP/1.1\r\n${host}\r\n`, 200],
    ['listen', `HEAD /stream HTTP/1.1\r\n${host}Icy-MetaData: 1\r\n\r\n`, 200],
    ['listen', `GET /admin/stats HTTP/1.1\r\n${host}\r\n`, 401],
    ['listen', `GET /no-such-mount HTTP/1.1\r\n${host}\r\n`, 404],
    [
      'listen',
      `OPTIONS /stream HTTP/1.1\r\n${host}Origin: https://a.example\r\nAccess-Control-Request-Method: GET\r\n\r\n`,
      204,
    ],
    ['listen', `CONNECT /stream HTTP/1.1\r\n${host}\r\n`, 405],
    ['listen', `GET /stream HTTP/1.0\r\nIcy-MetaData: 1\r\n\r\n`, 200],
    ['source', `SOURCE /stream HTTP/1.0\r\nContent-Type: audio/mpeg\r\n\r\n`, 401],
    ['source', `PUT /nope HTTP/1.1\r\n${host}Authorization: ${basic(`source:${SOURCE_PASSWORD}`)}\r\n\r\n`, 404],
    ['source', `GET /stream HTTP/1.1\r\n${host}\r\n`, 405],
    ['source', `SOURCE /stream HTTP/1.0\r\nX-Padding: ${'x'.repeat(20_000)}\r\n\r\n`, 431],
  ])
  return {
    kind: `control: ${text.split('\r\n')[0]}`,
    port: which,
    writes: [Buffer.from(text, 'latin1')],
    abort: false,
    awaitAnswer: false,
    localAddress: '127.0.0.1',
    readMs: 10_000,
    expect: status,
  }
}

/**
 * `count` fuzz cases, the same for the same seed: random bytes and mutated requests (pipelined,
 * fragmented, aborted) to the listener port, random bytes and mutated source handshakes with their
 * garbage streams to the source port, and every 25th a valid control request.
 */
export const fuzzCases = (seed: number, count: number): FuzzCase[] => {
  const rng = seededRng(seed)
  return Array.from({ length: count }, (_, i) => {
    if (i % 25 === 12) return controlCase(rng)
    return rng.chance(0.6) ? listenCase(rng) : sourceCase(rng)
  })
}
