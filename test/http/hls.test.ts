import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { fixtures } from '../helpers/fixtures.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { startStation } from '../helpers/station.ts'

let station: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  station = await startStation(
    [
      {
        path: '/stream',
        playlist: [fixtures.chirp(3, 200, { title: 'Rising', artist: 'Chirps' }), fixtures.chirp(3, 700)],
        hls: { segmentSeconds: 2, segments: 3 },
      },
      {
        path: '/jazz/hq',
        playlist: [fixtures.aac(3, 440), fixtures.aac(3, 660)],
        hls: { segmentSeconds: 2, segments: 3 },
      },
      {
        path: '/opus',
        playlist: [fixtures.opus(3, 440), fixtures.opus(3, 660)],
        hls: { segmentSeconds: 2, segments: 3 },
      },
      { path: '/vorbis', playlist: [fixtures.vorbis(3)] },
      { path: '/quiet', playlist: [fixtures.mp3(3)], hls: false },
      { path: '/live', sourcePassword: 'dj' },
    ],
  )
  const hls = (path: string) => station.station.mount(path)!.hls!.segmenter.window
  // Long enough that the oldest segments have left the window.
  await waitFor(
    () =>
      hls('/stream').find(0).found === false && hls('/stream').last !== undefined &&
      hls('/jazz/hq').last !== undefined && hls('/opus').last !== undefined,
    40_000,
    'segments',
  )
}, 40_000)
afterAll(() => station.stop())

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${station.url}${path}`, { headers })

/** The playlist's segment names and tags. */
const parse = (text: string) => ({
  lines: text.trim().split('\n'),
  segments: text.split('\n').filter((line) => line && !line.startsWith('#')),
  tag: (name: string) => text.split('\n').filter((line) => line.startsWith(`#${name}`)),
})

describe('GET /hls/<mount>/live.m3u8', () => {
  test('a live media playlist: a sliding window of segments with exact durations and dates, no end', async () => {
    const response = await get('/hls/stream/live.m3u8')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/vnd.apple.mpegurl')
    const { lines, segments, tag } = parse(await response.text())
    expect(lines.slice(0, 3)).toEqual(['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2'])
    for (const name of segments) expect(name).toMatch(/^[0-9a-z]+-\d+\.ts$/)
    const sequence = Number(tag('EXT-X-MEDIA-SEQUENCE')[0]!.split(':')[1])
    expect(segments.map((name) => Number(name.split(/[-.]/)[1]))).toEqual(segments.map((_, i) => sequence + i))
    const durations = tag('EXTINF').map((line) => Number(line.slice(8, -1)))
    for (const duration of durations) expect(duration).toBeGreaterThan(0)
    for (const duration of durations) expect(duration).toBeLessThanOrEqual(2)
    // It spans its 3 segments of 2 s, however short a track change made some.
    const span = durations.reduce((sum, d) => sum + d, 0)
    expect(span).toBeGreaterThanOrEqual(6)
    expect(span - durations[0]!).toBeLessThan(6)
    // Each segment's date follows from the one before and its duration (the stream ran without a gap).
    const dates = tag('EXT-X-PROGRAM-DATE-TIME').map((line) => Date.parse(line.split(':').slice(1).join(':')))
    expect(dates).toHaveLength(segments.length)
    for (let i = 1; i < dates.length; i++) {
      expect(Math.abs(dates[i]! - dates[i - 1]! - durations[i - 1]! * 1000)).toBeLessThan(2)
    }
    expect(Math.abs(dates.at(-1)! + durations.at(-1)! * 1000 - Date.now())).toBeLessThan(4000)
    expect(lines).not.toContain('#EXT-X-ENDLIST')
  })

  test("a track's first segment is dated when the track went on air: the API's startedAt", () => {
    const mount = station.station.mount('/stream')!
    const segments = mount.hls!.segmenter.window.listed
    const starts = segments.filter((segment, i) => i > 0 && segment.track !== segments[i - 1]!.track)
    expect(starts.length).toBeGreaterThan(0)
    const onAir = [...mount.history, mount.onAir!]
    for (const segment of starts) {
      const track = onAir.find((entry) => entry.track === segment.track)!
      expect(Math.abs(segment.programDateTime - track.startedAt.getTime())).toBeLessThan(50)
    }
  })

  test('cacheable for at most half a segment, with an ETag: a conditional GET of an unchanged playlist is 304', async () => {
    const response = await get('/hls/stream/live.m3u8')
    expect(response.headers.get('cache-control')).toBe('public, max-age=1')
    const etag = response.headers.get('etag')!
    expect(etag).toMatch(/^"[0-9a-z]+-\d+-\d+"$/)
    await response.text()
    const again = await get('/hls/stream/live.m3u8', { 'If-None-Match': etag })
    // Unless a segment was completed in between, which changes the playlist and its tag.
    if (again.status === 200) expect(again.headers.get('etag')).not.toBe(etag)
    else {
      expect(again.status).toBe(304)
      expect(again.headers.get('etag')).toBe(etag)
      expect(await again.text()).toBe('')
    }
  })

  test('open to players on any site (CORS), as the streams are', async () => {
    const response = await get('/hls/stream/live.m3u8', { Origin: 'https://example.org' })
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    const preflight = await fetch(`${station.url}/hls/stream/live.m3u8`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'GET' },
    })
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
  })

  test('a mount whose stream has not begun answers 503 with when to try again', async () => {
    const response = await get('/hls/live/live.m3u8')
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('6')
    expect(await response.text()).toContain('starts once its first segment is complete')
  })

  test('no HLS where it is off or for Vorbis and FLAC mounts (404, saying why); no mount, 404', async () => {
    const off = await get('/hls/quiet/live.m3u8')
    expect([off.status, await off.text()]).toEqual([404, 'HLS is off for /quiet (its config sets "hls": false).\n'])
    const vorbis = await get('/hls/vorbis/live.m3u8')
    expect([vorbis.status, await vorbis.text()]).toEqual([
      404,
      'HLS carries MP3, AAC and Opus mounts; /vorbis is Vorbis.\n',
    ])
    expect((await get('/hls/nowhere/live.m3u8')).status).toBe(404)
    expect((await get('/hls/live.m3u8')).status).toBe(404)
  })
})

describe('GET /hls/<mount>/<segment>', () => {
  test('MP3 segments are MPEG-TS, immutable for an hour; AAC segments packed audio; a mount path may be deep', async () => {
    for (const [path, type, sync] of [['stream', 'video/mp2t', 0x47], ['jazz/hq', 'audio/aac', 0x49]] as const) {
      const { segments } = parse(await (await get(`/hls/${path}/live.m3u8`)).text())
      const response = await get(`/hls/${path}/${segments.at(-1)}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe(type)
      expect(response.headers.get('cache-control')).toBe('public, max-age=3600, immutable')
      expect(response.headers.get('access-control-allow-origin')).toBe('*')
      const body = new Uint8Array(await response.arrayBuffer())
      expect(Number(response.headers.get('content-length'))).toBe(body.length)
      expect(body[0]).toBe(sync)
    }
  })

  test('Opus segments are fragmented MP4 (version 6 playlist), each needing the init segment EXT-X-MAP names', async () => {
    const text = await (await get('/hls/opus/live.m3u8')).text()
    const { lines, segments, tag } = parse(text)
    expect(lines[1]).toBe('#EXT-X-VERSION:6')
    const [map] = tag('EXT-X-MAP')
    const init = /URI="([^"]+)"/.exec(map!)![1]!
    expect(init).toMatch(/^[0-9a-z]+-init-\d+\.mp4$/)
    // The map comes before the first segment it applies to.
    expect(lines.indexOf(map!)).toBeLessThan(lines.indexOf(segments[0]!))
    const initResponse = await get(`/hls/opus/${init}`)
    expect(initResponse.headers.get('content-type')).toBe('audio/mp4')
    expect(initResponse.headers.get('cache-control')).toBe('public, max-age=3600, immutable')
    const initBytes = new Uint8Array(await initResponse.arrayBuffer())
    expect(new TextDecoder().decode(initBytes.subarray(4, 8))).toBe('ftyp')
    expect(new TextDecoder('latin1').decode(initBytes)).toContain('dOps')
    const segment = await get(`/hls/opus/${segments.at(-1)}`)
    expect(segment.headers.get('content-type')).toBe('audio/mp4')
    const body = new TextDecoder('latin1').decode(new Uint8Array(await segment.arrayBuffer()))
    // The title travels in an emsg box (an ID3 tag) before the fragment.
    expect(body.indexOf('emsg')).toBeLessThan(body.indexOf('moof'))
    expect(body).toContain('https://aomedia.org/emsg/ID3')
    expect(body).toContain('TIT2')
    expect((await get(`/hls/opus/${init.replace(/init-\d+/, 'init-99')}`)).status).toBe(404)
    expect((await get(`/hls/opus/${init.replace(/^[0-9a-z]+/, 'zzz')}`)).status).toBe(404)
  })

  test('a segment that has left the window is 410 Gone for a while (still served just after); a name never made is 404', async () => {
    const { segments } = parse(await (await get('/hls/stream/live.m3u8')).text())
    const [prefix, first] = segments[0]!.split(/[-.]/)
    // Just left the playlist: still served to a player whose playlist is a little old.
    expect((await get(`/hls/stream/${prefix}-${Number(first) - 1}.ts`)).status).toBe(200)
    const gone = await get(`/hls/stream/${prefix}-0.ts`)
    expect(gone.status).toBe(410)
    expect(await gone.text()).toContain('has left the live window')
    expect((await get(`/hls/stream/${prefix}-99999.ts`)).status).toBe(404)
    expect((await get(`/hls/stream/zzz-${first}.ts`)).status).toBe(404)
    expect((await get(`/hls/stream/${prefix}-${first}.aac`)).status).toBe(404)
    // A name in a format the mount never made was never made, however old its number.
    expect((await get(`/hls/stream/${prefix}-0.aac`)).status).toBe(404)
  })

  test('a segment asked for again with its ETag is 304 (weak or not); a HEAD sends no bytes and counts none', async () => {
    const { segments } = parse(await (await get('/hls/jazz/hq/live.m3u8')).text())
    const url = `/hls/jazz/hq/${segments.at(-1)}`
    const first = await get(url)
    const etag = first.headers.get('etag')!
    await first.arrayBuffer()
    for (const tag of [etag, `W/${etag}`, '*']) expect((await get(url, { 'If-None-Match': tag })).status).toBe(304)
    const stats = station.station.mount('/jazz/hq')!.hls!.stats
    const before = { ...stats }
    const head = await fetch(`${station.url}${url}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0)
    expect(stats).toEqual(before)
  })
})

describe('HLS sessions', () => {
  test('counted from playlist requests: by the session id in the URL, else by address and user agent', async () => {
    const sessions = station.station.mount('/jazz/hq')!.hls!.sessions
    const before = sessions.count
    for (const id of ['player-one', 'player-two', 'player-two']) {
      await (await get(`/hls/jazz/hq/live.m3u8?session=${id}`)).text()
    }
    for (let i = 0; i < 3; i++) {
      await (await get('/hls/jazz/hq/live.m3u8', { 'User-Agent': 'AppleCoreMedia/1.0' })).text()
    }
    // A cache on this machine asks on behalf of the clients it names.
    for (const address of ['203.0.113.7', '203.0.113.8']) {
      await (await get('/hls/jazz/hq/live.m3u8', { 'User-Agent': 'VLC', 'X-Forwarded-For': address })).text()
    }
    expect(sessions.count - before).toBe(5)
  })

  test('the API, status and metrics show them apart from stream listeners; none for a mount without HLS', async () => {
    const count = station.station.mount('/jazz/hq')!.hls!.sessions.count
    const api = await (await get('/api/mounts/jazz/hq')).json()
    expect(api.hls).toEqual({
      url: `${station.url}/hls/jazz/hq/live.m3u8`,
      segmentSeconds: 2,
      sessions: count,
      peakSessions: count,
    })
    expect(api.listeners.current).toBe(0)
    expect((await (await get('/api/mounts/quiet')).json()).hls).toBeNull()
    expect((await (await get('/api/mounts/vorbis')).json()).hls).toBeNull()
    const metrics = await (await get('/metrics')).text()
    expect(metrics).toContain(`airwave_hls_sessions{mount="/jazz/hq"} ${count}\n`)
    expect(metrics).toMatch(/airwave_hls_requests_total\{mount="\/jazz\/hq",kind="segment"\} [1-9]/)
    expect(metrics).toMatch(/airwave_hls_segment_bytes_total\{mount="\/jazz\/hq"\} [1-9]/)
    expect(metrics).not.toContain('airwave_hls_sessions{mount="/quiet"}')
  })
})
