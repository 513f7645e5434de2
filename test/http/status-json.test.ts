import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { fixtures } from '../helpers/fixtures.ts'
import { openListener } from '../helpers/listen-client.ts'
import { startStation } from '../helpers/station.ts'

/** Captured from a real Icecast 2.4.4 by scripts/capture-icecast-status.ts. */
const icecast = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/icecast-status-${name}.json`, import.meta.url), 'utf8'))

/** The shape of a JSON value: keys (sorted) and the type of every value, recursively. */
const shape = (value: unknown): unknown => {
  if (value === null) return 'null'
  if (Array.isArray(value)) return value.map(shape)
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object).sort().map((k) => [k, shape((value as Record<string, unknown>)[k])]),
    )
  }
  return typeof value
}

let one: Awaited<ReturnType<typeof startStation>>
let two: Awaited<ReturnType<typeof startStation>>
let ogg: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  one = await startStation([{
    path: '/one',
    playlist: [fixtures.chirp(3, 300, { artist: 'Some Artist', title: 'Some Title' })],
    name: 'First Mount',
    description: 'First Mount description',
    genre: 'Test',
    url: 'https://example.org/',
  }])
  two = await startStation([
    { path: '/one', playlist: [fixtures.mp3(2)], name: 'First Mount' },
    { path: '/two', playlist: [fixtures.aac(2)], name: 'Second Mount' },
  ])
  const about = (kind: string) => ({
    name: `${kind} Title Mount`,
    description: `${kind} Title description`,
    genre: 'Test',
    url: 'https://example.org/',
  })
  ogg = await startStation([
    {
      path: '/opus',
      playlist: [fixtures.opus(3, 440, { title: 'Opus Title', artist: 'Ogg Artist' })],
      ...about('Opus'),
    },
    {
      path: '/vorbis',
      playlist: [fixtures.vorbis(3, 440, { title: 'Vorbis Title', artist: 'Ogg Artist' })],
      ...about('Vorbis'),
    },
  ])
  await Promise.all([one.onAir(), two.onAir(), ogg.onAir()])
}, 30_000)
afterAll(async () => {
  await one.stop()
  await two.stop()
  await ogg.stop()
})

const status = async (station: typeof one) => (await fetch(`${station.url}/status-json.xsl`)).json()

/** A source of Icecast's status, plus the two keys a mount serving HLS adds. */
const add = (source: object) => ({ ...source, hls_listeners: 0, hls_listenurl: '' })

/**
 * Icecast's status, plus the two keys a mount serving HLS adds to its source (Icecast has no HLS):
 * its HLS listeners apart from `listeners`, and its playlist's URL.
 */
const withHls = (status: { icestats: { source: object | object[] } }) => {
  const { source } = status.icestats
  return { icestats: { ...status.icestats, source: Array.isArray(source) ? source.map(add) : add(source) } }
}

describe('/status-json.xsl', () => {
  test('with one mount: the same keys and types as Icecast 2.4.4, `source` an object', async () => {
    const ours = await status(one)
    expect(shape(ours)).toEqual(shape(withHls(icecast('one-mount'))))
    expect(ours.icestats.source).toMatchObject({
      audio_info: 'samplerate=44100;channels=2;bitrate=128',
      bitrate: 128,
      channels: 2,
      samplerate: 44100,
      genre: 'Test',
      listenurl: `${one.url}/one`,
      server_name: 'First Mount',
      server_description: 'First Mount description',
      server_type: 'audio/mpeg',
      server_url: 'https://example.org/',
      title: 'Some Artist - Some Title',
    })
    expect(ours.icestats.server_id).toMatch(/^airwave \d/)
    expect(ours.icestats.server_start_iso8601).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/)
    expect(ours.icestats.server_start).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/)
  })

  test('with two mounts: the same keys and types as Icecast 2.4.4, `source` an array', async () => {
    const ours = await status(two)
    expect(shape(ours)).toEqual(shape(withHls(icecast('two-mounts'))))
    expect(ours.icestats.source.map((s: { server_type: string }) => s.server_type)).toEqual(['audio/mpeg', 'audio/aac'])
  })

  test('Ogg mounts: as Icecast 2.4.4 lists a Vorbis mount, subtype naming the codec; an Opus mount with more keys than Icecast’s, of the same types', async () => {
    const [opus, vorbis] = (await status(ogg)).icestats.source
    const [icecastOpus, icecastVorbis] = icecast('ogg-mounts').icestats.source
    expect(shape(vorbis)).toEqual(shape(icecastVorbis))
    // An Opus mount serves HLS (fragmented MP4); a Vorbis one does not.
    expect(shape(opus)).toEqual(shape(add(icecastVorbis)))
    const opusShape = shape(opus) as Record<string, unknown>
    for (const [key, type] of Object.entries(shape(icecastOpus) as Record<string, unknown>)) {
      expect([key, opusShape[key]]).toEqual([key, type])
    }
    expect(vorbis).toMatchObject({
      subtype: 'Vorbis',
      server_type: 'audio/ogg',
      title: 'Vorbis Title',
      artist: 'Ogg Artist',
      audio_channels: 2,
      audio_samplerate: 44100,
      server_name: 'Vorbis Title Mount',
    })
    expect(opus).toMatchObject({ subtype: 'Opus', title: 'Opus Title', artist: 'Ogg Artist', audio_samplerate: 48000 })
    expect(opus.audio_bitrate).toBe(opus['ice-bitrate'] * 1000)
    // The API says the same, and that an Ogg mount has no ICY titles.
    const api = await (await fetch(`${ogg.url}/api/mounts/opus`)).json()
    expect(api).toMatchObject({ format: 'opus', contentType: 'audio/ogg', metaint: null, sampleRate: 48000 })
    expect(api.nowPlaying).toMatchObject({ artist: 'Ogg Artist', song: 'Opus Title' })
    expect(opus['ice-bitrate']).toBeGreaterThan(60)
  })

  test('listeners and listener_peak follow the audience', async () => {
    const listener = await openListener(`${one.url}/one`)
    expect((await status(one)).icestats.source).toMatchObject({ listeners: 1, listener_peak: 1 })
    await listener.stop()
    await Bun.sleep(50)
    expect((await status(one)).icestats.source).toMatchObject({ listeners: 0, listener_peak: 1 })
  })

  test('HLS listeners are counted apart (hls_listeners), by the sessions that ask for the playlist', async () => {
    const before = (await status(one)).icestats.source
    expect(before.hls_listenurl).toBe(`${one.url}/hls/one/live.m3u8`)
    for (const session of ['first-session', 'second-session']) {
      await (await fetch(`${one.url}/hls/one/live.m3u8?session=${session}`)).arrayBuffer()
    }
    expect((await status(one)).icestats.source).toMatchObject({
      hls_listeners: before.hls_listeners + 2,
      listeners: before.listeners,
    })
  })
})
