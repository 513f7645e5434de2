import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import type { HlsStream } from '../../src/hls/hls-stream.ts'
import type { SegmentLookup } from '../../src/hls/segment-window.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import type { Edge } from '../helpers/nginx.ts'
import { startEdge } from '../helpers/nginx.ts'
import { startStation } from '../helpers/station.ts'

// docs/nginx-hls-cache.conf, the edge cache operators are given, run by the real nginx (Debian's
// nginx-light) in front of a station, with 1,000 HLS players behind it: the cache takes the
// segments off airwave, hands out a playlist no older than nginx's cache allows, and still lets
// airwave count every player (its `mirror` sends each playlist request on).

/** Players, each with its own `?session=`. */
const PLAYERS = 1000
/** Seconds over which the players start, evenly, so their reloads are spread as a real audience's are. */
const RAMP_SECONDS = 4
/** Seconds every player keeps playing once the last one has started. */
const PLAY_SECONDS = 30
/** The default: what the playlist's freshness through nginx is promised for (see the staleness spec). */
const SEGMENT_SECONDS = 6
/** The playlist's `max-age` airwave sends: half a segment. */
const PLAYLIST_MAX_AGE = Math.floor(SEGMENT_SECONDS / 2)
const USER_AGENT = 'airwave-spec-player/1.0'

/** What one player saw. */
interface PlayerLog {
  id: number
  playlists: number
  /** The cache's word on each playlist (`X-Cache-Status`: HIT, STALE, UPDATING, MISS …), counted. */
  cache: Map<string, number>
  /** For each playlist: airwave's newest segment when the player asked, less the newest it got. */
  behind: number[]
  /** For each playlist: how long (ms) before the player asked airwave had published the first segment it lacked (0: none). */
  lacking: number[]
  /** Segments received whole and byte for byte as airwave made them, by sequence number. */
  segments: Set<number>
  /** The first segment it wanted, and the last one it saw listed. */
  first?: number
  last?: number
  problems: string[]
  /** The headers of its first playlist and first segment, as nginx passed them on. */
  playlistHeaders?: Headers
  segmentHeaders?: Headers
}

let station: Awaited<ReturnType<typeof startStation>>
let edge: Edge | undefined
let hls: HlsStream
const players: PlayerLog[] = []
/** Requests for each segment that reached airwave (and found it), by name. */
const originServed = new Map<string, number>()
/** When airwave published each segment (`performance.now()`). */
const published = new Map<number, number>()
/** What airwave's own counters said before the players started. */
let before = { segments: 0, playlists: 0 }
/** Sessions airwave counted, sampled four times a second while every player was reloading. */
const sessionSamples: number[] = []

/** Connections nginx closed itself to airwave's `port` in the last minute (its side in TIME_WAIT, from /proc/net/tcp). */
const closedTowards = (port: number): number =>
  ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) => readFileSync(table, 'utf8').split('\n').slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) =>
      fields.length > 3 && Number.parseInt(fields[2]!.split(':')[1]!, 16) === port && fields[3] === '06'
    )
    .length
let closedByNginx = 0

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A live media playlist's first sequence number and segment names. */
const parsePlaylist = (text: string) => ({
  sequence: Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? NaN),
  names: text.split('\n').filter((line) => line && !line.startsWith('#')),
})

/**
 * One player, as hls.js and Safari behave on a live playlist: it starts three segments from the
 * end, fetches each segment it has not had yet, and reloads the playlist once per target duration,
 * over keep-alive connections. Each segment's bytes are compared with the segment airwave made.
 */
const play = async (id: number, until: number, edgeUrl: string): Promise<PlayerLog> => {
  const log: PlayerLog = {
    id,
    playlists: 0,
    cache: new Map(),
    behind: [],
    lacking: [],
    segments: new Set(),
    problems: [],
  }
  const base = `${edgeUrl}/hls/stream`
  const headers = { 'User-Agent': USER_AGENT }
  let next: number | undefined
  while (performance.now() < until && log.problems.length === 0) {
    const asked = performance.now()
    const originLast = hls.segmenter.window.last!.sequence
    const response = await fetch(`${base}/live.m3u8?session=player-${id}`, { headers })
    const text = await response.text()
    log.playlists++
    log.playlistHeaders ??= response.headers
    const cache = response.headers.get('x-cache-status') ?? 'none'
    log.cache.set(cache, (log.cache.get(cache) ?? 0) + 1)
    if (response.status !== 200) {
      log.problems.push(`playlist: ${response.status} ${text.trim()}`)
      break
    }
    const { sequence, names } = parsePlaylist(text)
    const last = sequence + names.length - 1
    log.behind.push(originLast - last)
    const lacked = published.get(last + 1)
    log.lacking.push(lacked !== undefined && lacked <= asked ? asked - lacked : 0)
    next ??= Math.max(sequence, last - 2)
    log.first ??= next
    log.last = last
    if (next < sequence) log.problems.push(`segments ${next}-${sequence - 1} left the playlist before it got them`)
    for (let seq = Math.max(next, sequence); seq <= last; seq++) {
      const name = names[seq - sequence]!
      const segment = await fetch(`${base}/${name}`, { headers })
      const body = new Uint8Array(await segment.arrayBuffer())
      log.segmentHeaders ??= segment.headers
      const made = hls.segmenter.window.find(seq)
      if (segment.status !== 200) log.problems.push(`${name}: ${segment.status}`)
      else if (!made.found) log.problems.push(`${name}: gone from airwave before it could be compared`)
      else if (!Buffer.from(body).equals(made.segment.data)) {
        log.problems.push(`${name}: ${body.length} bytes unlike the ${made.segment.data.length} airwave made`)
      } else log.segments.add(seq)
    }
    next = Math.max(next, last + 1)
    await sleep(asked + SEGMENT_SECONDS * 1000 + (Math.random() - 0.5) * 200 - performance.now())
  }
  return log
}

beforeAll(async () => {
  station = await startStation([
    {
      path: '/stream',
      playlist: [200, 400, 600].map((hz) => fixtures.chirp(11, hz, { title: `Chirp ${hz}`, artist: 'Edge Tests' })),
      hls: { segmentSeconds: SEGMENT_SECONDS, segments: 6 },
    },
  ])
  hls = station.station.mount('/stream')!.hls!
  // What reaches airwave: every segment request ends in this lookup (cross-checked with
  // hls.stats below), and every segment made goes through the window's push.
  const lookup = hls.segment.bind(hls)
  hls.segment = (name: string): SegmentLookup => {
    const found = lookup(name)
    if (found.found) originServed.set(name, (originServed.get(name) ?? 0) + 1)
    return found
  }
  const push = hls.segmenter.window.push.bind(hls.segmenter.window)
  hls.segmenter.window.push = (segment) => {
    published.set(segment.sequence, performance.now())
    push(segment)
  }
  edge = await startEdge({ origin: `127.0.0.1:${station.port}` })
  // Three segments to start from, as a player wants.
  await waitFor(() => (hls.segmenter.window.last?.sequence ?? -1) >= 2, 30_000, 'three segments')

  before = { segments: hls.stats.segments, playlists: hls.stats.playlists }
  const start = performance.now()
  const until = start + (RAMP_SECONDS + PLAY_SECONDS) * 1000
  // From when every player has reloaded twice until the first ones stop.
  const steady = [start + (RAMP_SECONDS + 2 * SEGMENT_SECONDS + 1) * 1000, until - 500]
  const sampler = setInterval(() => {
    const now = performance.now()
    if (now > steady[0]! && now < steady[1]!) sessionSamples.push(hls.sessions.count)
  }, 250)
  const url = edge.url
  try {
    const logs = await Promise.all(
      Array.from({ length: PLAYERS }, async (_, id) => {
        await sleep((id * RAMP_SECONDS * 1000) / PLAYERS)
        return await play(id, until, url)
      }),
    )
    players.push(...logs)
  } finally {
    clearInterval(sampler)
  }
  // nginx answers a player before its mirrored request has reached airwave: let the last ones land.
  const asked = players.reduce((sum, p) => sum + p.playlists, 0)
  await waitFor(() => hls.stats.playlists - before.playlists >= asked, 10_000, 'the mirrored playlist requests')
  closedByNginx = closedTowards(station.port)
}, 120_000)

afterAll(async () => {
  await edge?.stop()
  await station?.stop()
})

const total = (pick: (p: PlayerLog) => number) => players.reduce((sum, p) => sum + pick(p), 0)

describe(`docs/nginx-hls-cache.conf (the real nginx) in front of airwave, ${PLAYERS} HLS players`, () => {
  test('every player got every segment from its first to the last listed, each byte for byte as airwave made it', () => {
    const short = players.filter((p) =>
      p.problems.length > 0 || p.first === undefined || p.segments.size !== p.last! - p.first + 1
    )
    expect(short.map((p) => `player ${p.id}: ${p.segments.size} segments, ${p.problems.join('; ')}`)).toEqual([])
    expect(players).toHaveLength(PLAYERS)
    // Each played ~30 s of segments of 5-6 s (tracks of 11 s: a segment of 5.75 s, then one of 5).
    expect(Math.min(...players.map((p) => p.segments.size))).toBeGreaterThanOrEqual(6)
  })

  test('airwave served each segment at most twice (once, as measured: the cache lock), and nginx the thousand other requests', () => {
    // Measured: exactly one request per segment in every run. A second one comes only when a request
    // waits on nginx's cache lock longer than proxy_cache_lock_timeout (5 s) and goes to airwave
    // itself: allowed once per segment for a machine that stalled that long.
    const counts = [...originServed.values()]
    expect(counts.length).toBeGreaterThanOrEqual(6)
    expect(Math.max(...counts)).toBeLessThanOrEqual(2)
    // Every segment any player got came through airwave's segment route (what hls.stats counts).
    const got = new Set(players.flatMap((p) => [...p.segments]))
    const name = (seq: number) => `${hls.segmenter.prefix}-${seq}.ts`
    expect([...got].filter((seq) => !originServed.has(name(seq)))).toEqual([])
    expect(counts.reduce((a, b) => a + b, 0)).toBe(hls.stats.segments - before.segments)
    expect(total((p) => p.segments.size)).toBeGreaterThan(100 * counts.length)
  })

  test(
    `no playlist was more than one segment behind airwave's: nginx holds it at most its max-age (${PLAYLIST_MAX_AGE} s) and a second, less than a segment`,
    () => {
      // nginx counts a cached copy's age in whole seconds, so it hands out a max-age=3 playlist up to
      // about 4 s after it fetched it (and, while it refreshes it under proxy_cache_use_stale
      // updating, as long again as airwave takes to answer): less than a 6 s segment, so a player is
      // never two behind. (With 2 s segments, max-age=1 lasts up to 2 s at nginx, and 0.05-1.5 % of
      // playlists were measured two behind: short segments are for players that reach airwave.)
      const behind = players.flatMap((p) => p.behind)
      expect(behind.length).toBe(total((p) => p.playlists))
      expect(Math.max(...behind)).toBeLessThanOrEqual(1)
      const lacking = players.flatMap((p) => p.lacking)
      expect(Math.max(...lacking)).toBeLessThan(SEGMENT_SECONDS * 1000)
    },
  )

  test('airwave counted each player as an HLS session through the mirror, though the cache answered nearly every playlist itself', () => {
    const asked = total((p) => p.playlists)
    const cache = new Map<string, number>()
    for (const p of players) for (const [status, n] of p.cache) cache.set(status, (cache.get(status) ?? 0) + n)
    const fromCache = (cache.get('HIT') ?? 0) + (cache.get('UPDATING') ?? 0) + (cache.get('STALE') ?? 0)
    expect(fromCache / asked).toBeGreaterThan(0.99)
    // Each request reached airwave once through the mirror; the cache's own fetches come on top, one
    // per expiry (max-age 1 s, nginx's whole seconds: about one every 2 s).
    const reached = hls.stats.playlists - before.playlists
    expect(reached).toBeGreaterThanOrEqual(asked)
    expect(reached - asked).toBeLessThanOrEqual(RAMP_SECONDS + PLAY_SECONDS + 5)
    // Every player seen within the last two segment lengths, nobody else: the cache's fetches carry
    // the query of the player that caused them, so they make no session of their own.
    sessionSamples.sort((a, b) => a - b)
    expect(sessionSamples.length).toBeGreaterThan(20)
    expect(sessionSamples[Math.floor(sessionSamples.length / 2)]).toBeGreaterThanOrEqual(PLAYERS - 5)
    expect(sessionSamples.at(-1)).toBeLessThanOrEqual(PLAYERS)
    expect(hls.sessions.peak).toBeGreaterThanOrEqual(PLAYERS - 5)
    expect(hls.sessions.peak).toBeLessThanOrEqual(PLAYERS)
  })

  test('nginx kept its connections to airwave open: the mirror asks with HEAD, so no answer has a body nginx would not read', () => {
    // Measured: a handful; 9,344 (of ~14,500 playlist requests) when the mirror asked with GET.
    expect(closedByNginx).toBeLessThan(100)
  })

  test("nginx passed airwave's headers on: CORS, the playlist's max-age and ETag, the segments' immutable hour", () => {
    const { playlistHeaders, segmentHeaders } = players[0]!
    expect(playlistHeaders?.get('access-control-allow-origin')).toBe('*')
    expect(playlistHeaders?.get('cache-control')).toBe(`public, max-age=${PLAYLIST_MAX_AGE}`)
    expect(playlistHeaders?.get('etag')).toMatch(/^"[0-9a-z]+-\d+-\d+"$/)
    expect(playlistHeaders?.get('content-type')).toBe('application/vnd.apple.mpegurl')
    expect(segmentHeaders?.get('access-control-allow-origin')).toBe('*')
    expect(segmentHeaders?.get('cache-control')).toBe('public, max-age=3600, immutable')
    expect(segmentHeaders?.get('content-type')).toBe('video/mp2t')
  })
})
