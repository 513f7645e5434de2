import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { openListener } from '../helpers/listen-client.ts'
import { fixtures, noise } from '../helpers/fixtures.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { basicAuth, bitrateRuns, decodeMp3, ffmpegSource, rawSource, sourceHead } from '../helpers/source-client.ts'
import { startStation } from '../helpers/station.ts'

let station: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  station = await startStation(
    [
      // The playlist is 128 kbit/s; the live sources below send 64 kbit/s, so every frame tells which is playing.
      { path: '/stream', playlist: [fixtures.mp3(4, 440), fixtures.mp3(4, 550)], burst: 1 },
      { path: '/aac', playlist: [fixtures.aac(2)], burst: 1 },
      { path: '/quiet', playlist: [fixtures.mp3(4, 330)], burst: 1, sourceTimeout: 1 },
      { path: '/live', fallbackMount: '/stream', burst: 1 },
      { path: '/solo', sourcePassword: 'solo-pw', burst: 1 },
    ],
    { station: { sourcePassword: 's3cret' } },
  )
})
afterAll(() => station.stop())

describe.each([
  { method: 'PUT', legacy: false },
  { method: 'SOURCE', legacy: true },
])('a DJ going live with ffmpeg ($method)', ({ method, legacy }) => {
  test(
    'a listener hears the playlist, then the live audio, then the playlist again, on one unbroken stream that decodes without errors',
    async () => {
      const mount = station.station.mount('/stream')!
      await waitFor(() => mount.input === 'playlist' && mount.source('live') === undefined, 5000, 'the playlist')
      const listener = await openListener(`${station.url}/stream`)
      const dj = ffmpegSource(station.sourcePort!, '/stream', { legacy })
      try {
        await waitFor(() => listener.frames().some((f) => f.bitrate === 64), 10_000, 'the live audio')
        expect(mount.input).toBe('live')
        expect(
          station.logs.some((l) =>
            l.includes('[/stream] live source connected from 127.0.0.1 (Lavf/') && l.includes('"Test DJ"')
          ),
        ).toBe(true)
        await Bun.sleep(2000)
        dj.child.kill('SIGKILL')
        const killedAt = performance.now()
        const liveFrames = () => listener.frames().findIndex((f) => f.bitrate === 64)
        await waitFor(
          () => listener.frames().slice(liveFrames()).some((f) => f.bitrate === 128),
          5000,
          'the playlist to come back',
        )
        const backAfterMs = performance.now() - killedAt
        await Bun.sleep(1000)
        expect(listener.broken).toBe(false)
        await listener.stop()
        expect(listener.response.status).toBe(200)
        const runs = bitrateRuns(listener.frames())
        expect(runs.map(([bitrate]) => bitrate)).toEqual([128, 64, 128])
        // About two seconds of live audio (64 kbit/s frames of 1152 samples: 38.3 per second).
        expect(runs[1]![1] / 38.28).toBeGreaterThan(1.5)
        const decoded = await decodeMp3(listener.bytes())
        expect(decoded.errors).toEqual([])
        expect(decoded.samplesDecoded / 44100).toBeGreaterThan(3)
        // Back to the playlist within about a second of the source dying (its last 0.5 s still plays).
        console.log(`${method}: playlist back ${backAfterMs.toFixed(0)} ms after ffmpeg was killed`)
        expect(backAfterMs).toBeLessThan(2000)
        await waitFor(
          () => station.logs.some((l) => l.includes('[/stream] back to the playlist')),
          2000,
          'the log line',
        )
        expect(station.logs.some((l) => /\[\/stream\] live source from 127\.0\.0\.1 disconnected after \d+ s/.test(l)))
          .toBe(true)
      } finally {
        dj.child.kill('SIGKILL')
        await listener.stop()
      }
    },
    30_000,
  )
})

describe('sources that are refused or dropped', () => {
  /** Runs `action` while a listener of /stream listens; checks it stayed connected and heard only the playlist. */
  const listenersUnaffected = async (action: () => Promise<void>) => {
    const mount = station.station.mount('/stream')!
    // Not even in the burst a new listener gets: only the playlist.
    const playlistOnly = () =>
      mount.source('live') === undefined && mount.input === 'playlist' &&
      mount.broadcaster.burst.chunks().every((c) => c.track.origin === 'playlist')
    await waitFor(playlistOnly, 5000, 'no live source')
    const listener = await openListener(`${station.url}/stream`)
    try {
      await action()
      await Bun.sleep(300)
      expect(listener.broken).toBe(false)
      expect(mount.broadcaster.size).toBeGreaterThanOrEqual(1)
      expect(new Set(listener.frames().map((f) => f.bitrate))).toEqual(new Set([128]))
      expect(mount.input).toBe('playlist')
    } finally {
      await listener.stop()
    }
  }
  const logged = (pattern: RegExp) =>
    waitFor(() => station.logs.some((l) => pattern.test(l)), 3000, `a log line like ${pattern}`)
  const auth = basicAuth('source', 's3cret')

  test('a wrong password: ffmpeg is told 401 Unauthorized, the attempt is logged with the address', async () => {
    await listenersUnaffected(async () => {
      const dj = ffmpegSource(station.sourcePort!, '/stream', { password: 'guess1', seconds: 2 })
      expect(await dj.exited).not.toBe(0)
      expect(dj.stderr.join('\n')).toContain('401 Unauthorized')
      await logged(
        /\[\/stream\] source login refused on \/stream from 127\.0\.0\.1: wrong user name or password \(\d+ different wrong password\(s\) in a row\)/,
      )
    })
    await Bun.sleep(250)
  }, 15_000)

  test('no credentials: 401 with a Basic challenge; a user other than "source" is refused too', async () => {
    await listenersUnaffected(async () => {
      const missing = await rawSource(
        station.sourcePort!,
        sourceHead('PUT', '/stream', { 'Content-Type': 'audio/mpeg', Expect: '100-continue' }),
      )
      expect(missing.status).toBe(401)
      expect(missing.head).toContain('WWW-Authenticate: Basic realm="airwave source"')
      expect(missing.body).toContain('log in as user "source"')
      expect(missing.closed).toBe(true)
      await logged(/source login refused on \/stream from 127\.0\.0\.1: no credentials sent/)
      await Bun.sleep(250)
      const otherUser = await rawSource(
        station.sourcePort!,
        sourceHead('PUT', '/stream', { Authorization: basicAuth('admin', 's3cret'), 'Content-Type': 'audio/mpeg' }),
      )
      expect(otherUser.status).toBe(401)
    })
    await Bun.sleep(250)
  })

  test('repeated failures from an address are slowed down: 429 without checking, with Retry-After', async () => {
    const head = sourceHead('PUT', '/stream', {
      Authorization: basicAuth('source', 'n0pe-pw'),
      'Content-Type': 'audio/mpeg',
    })
    expect((await rawSource(station.sourcePort!, head)).status).toBe(401)
    const throttled = await rawSource(
      station.sourcePort!,
      sourceHead('PUT', '/stream', { Authorization: auth, 'Content-Type': 'audio/mpeg' }),
    )
    expect(throttled.status).toBe(429)
    expect(throttled.head).toMatch(/Retry-After: \d+/)
    await Bun.sleep(250)
  })

  test('wrong admin passwords from an address never keep the DJ with the right source password out', async () => {
    const own = await startStation([{ path: '/live', burst: 1 }], {
      station: { sourcePassword: 'dj-pw', adminPassword: 'admin-pw' },
      authThrottle: { baseMs: 10_000, maxMs: 60_000 },
    })
    try {
      for (const guess of ['a', 'b', 'c']) {
        const answer = await fetch(`${own.url}/admin/listmounts`, {
          headers: { Authorization: basicAuth('admin', guess) },
        })
        expect([401, 429]).toContain(answer.status)
      }
      expect(
        (await fetch(`${own.url}/admin/listmounts`, { headers: { Authorization: basicAuth('admin', 'admin-pw') } }))
          .status,
      )
        .toBe(429)
      const dj = await rawSource(
        own.sourcePort!,
        sourceHead('PUT', '/live', { Authorization: basicAuth('source', 'dj-pw'), 'Content-Type': 'audio/mpeg' }),
        { holdMs: 300 },
      )
      expect(dj.status).toBe(200)
    } finally {
      await own.stop()
    }
  })

  test('a missing or wrong content type is refused (403) with the reason', async () => {
    await listenersUnaffected(async () => {
      const none = await rawSource(
        station.sourcePort!,
        sourceHead('PUT', '/stream', { Authorization: auth, Expect: '100-continue' }),
      )
      expect([none.status, none.body]).toEqual([
        403,
        'No Content-type given: send Content-Type audio/mpeg (MP3), audio/aac (AAC/ADTS) or audio/ogg (Opus, Vorbis, FLAC)\n',
      ])
      const ogg = ffmpegSource(station.sourcePort!, '/stream', { contentType: 'audio/ogg', seconds: 2 })
      expect(await ogg.exited).not.toBe(0)
      expect(ogg.stderr.join('\n')).toContain('403 Forbidden')
      await logged(/refused: Content-type not supported: \/stream plays MP3 \(its playlist\); this source sends Ogg/)
      const video = await rawSource(
        station.sourcePort!,
        sourceHead('PUT', '/stream', { Authorization: auth, 'Content-Type': 'video/mp4' }),
      )
      expect([video.status, video.body]).toEqual([
        403,
        'Content-type not supported: video/mp4 (airwave takes audio/mpeg, audio/aac or audio/ogg)\n',
      ])
      await logged(/source from 127\.0\.0\.1 refused: Content-Type video\/mp4 is not MP3, AAC or Ogg/)
      const aac = await rawSource(
        station.sourcePort!,
        sourceHead('PUT', '/stream', { Authorization: auth, 'Content-Type': 'audio/aac' }),
      )
      expect(aac.status).toBe(403)
      expect(aac.body).toBe('Content-type not supported: /stream plays MP3 (its playlist); this source sends AAC\n')
    })
  }, 15_000)

  test('a second source on a mount that has one is refused: 403 "Mountpoint in use"', async () => {
    const mount = station.station.mount('/stream')!
    const first = ffmpegSource(station.sourcePort!, '/stream', { seconds: 20 })
    try {
      await waitFor(() => mount.input === 'live', 10_000, 'the first source on air')
      const second = ffmpegSource(station.sourcePort!, '/stream', { seconds: 2, frequency: 220 })
      expect(await second.exited).not.toBe(0)
      expect(second.stderr.join('\n')).toContain('403 Forbidden')
      const raw = await rawSource(
        station.sourcePort!,
        sourceHead('PUT', '/stream', { Authorization: auth, 'Content-Type': 'audio/mpeg' }),
      )
      expect(raw.status).toBe(403)
      expect(raw.body).toMatch(/^Mountpoint in use: \/stream already has a live source \(from 127\.0\.0\.1 since /)
      expect(mount.input).toBe('live')
      expect(first.child.exitCode).toBeNull()
    } finally {
      first.child.kill('SIGKILL')
    }
  }, 20_000)

  test('a source that sends garbage is dropped after 64 KiB without a frame; listeners never hear it', async () => {
    await listenersUnaffected(async () => {
      const garbage = await rawSource(
        station.sourcePort!,
        sourceHead('PUT', '/stream', { Authorization: auth, 'Content-Type': 'audio/mpeg', Expect: '100-continue' }),
        { body: noise(100_000, 7) },
      )
      expect(garbage.status).toBe(100)
      expect(garbage.closed).toBe(true)
      await logged(
        /\[\/stream\] live source from 127\.0\.0\.1 dropped after \d+ s \(0\.0 s of audio\): sent \d+ KiB without a single MP3 frame: not MP3 audio, or corrupt/,
      )
    })
  })

  test('a source that sends nothing is dropped after the source timeout; listeners never notice', async () => {
    const quiet = station.station.mount('/quiet')!
    const listener = await openListener(`${station.url}/quiet`)
    try {
      const silent = await rawSource(
        station.sourcePort!,
        sourceHead('SOURCE', '/quiet', { Authorization: auth, 'Content-Type': 'audio/mpeg' }),
        { holdMs: 4000 },
      )
      expect(silent.status).toBe(200)
      expect(silent.closed).toBe(true)
      await logged(
        /\[\/quiet\] live source from 127\.0\.0\.1 dropped after 1 s \(0\.0 s of audio\): no data for 1 s \(source timeout\)/,
      )
      expect(listener.broken).toBe(false)
      expect(quiet.input).toBe('playlist')
    } finally {
      await listener.stop()
    }
  })

  test(
    'a source whose sample rate differs from the playlist is refused: up front when it declares it, else at its first frame',
    async () => {
      await listenersUnaffected(async () => {
        const declared = await rawSource(
          station.sourcePort!,
          sourceHead('PUT', '/stream', {
            Authorization: auth,
            'Content-Type': 'audio/mpeg',
            'ice-audio-info': 'ice-samplerate=48000;ice-bitrate=128;ice-channels=2',
          }),
        )
        expect(declared.status).toBe(403)
        expect(declared.body).toContain(
          '/stream plays MP3 44100 Hz stereo (its playlist) and this source differs (48000 Hz, mount is 44100 Hz)',
        )
        const dj = ffmpegSource(station.sourcePort!, '/stream', { sampleRate: 48000, seconds: 3 })
        await logged(
          /\[\/stream\] live source from 127\.0\.0\.1 dropped after \d+ s \(0\.0 s of audio\): \/stream plays MP3 44100 Hz stereo \(its playlist\) and this source differs \(48000 Hz, mount is 44100 Hz\)/,
        )
        await dj.exited
      })
    },
    15_000,
  )

  test('an unknown mount is a 404 naming the mounts; a listener knocking on the source port is pointed to the HTTP port', async () => {
    const unknown = await rawSource(
      station.sourcePort!,
      sourceHead('PUT', '/nope', { Authorization: auth, 'Content-Type': 'audio/mpeg' }),
    )
    expect([unknown.status, unknown.body]).toEqual([
      404,
      'No mount at /nope. Mounts on this station: /stream, /aac, /quiet, /live, /solo\n',
    ])
    const get = await rawSource(station.sourcePort!, sourceHead('GET', '/stream', {}))
    expect(get.status).toBe(405)
    expect(get.body).toContain(`listeners use port ${station.port}`)
  })
})

describe('live sources, more', () => {
  test(
    'a source sending far faster than real time (ffmpeg without -re) is throttled: listeners get it in real time, the queue stays bounded',
    async () => {
      const mount = station.station.mount('/stream')!
      await waitFor(() => mount.source('live') === undefined && mount.input === 'playlist', 5000, 'no live source')
      const listener = await openListener(`${station.url}/stream`)
      const dj = ffmpegSource(station.sourcePort!, '/stream', {
        realtime: false,
        seconds: 120,
        bitrate: '128k',
        frequency: 660,
        name: 'Fast DJ',
      })
      let maxQueued = 0
      const sampler = setInterval(
        () => (maxQueued = Math.max(maxQueued, mount.source('live')?.feed.queuedSeconds ?? 0)),
        5,
      )
      try {
        await waitFor(() => mount.onAir?.track.title === 'Fast DJ', 10_000, 'the fast source on air')
        const from = { at: performance.now(), bytes: listener.bytes().length }
        await Bun.sleep(4000)
        const to = { at: performance.now(), bytes: listener.bytes().length }
        const rate = (to.bytes - from.bytes) / ((to.at - from.at) / 1000)
        console.log(
          `fast source: listener rate ${rate.toFixed(0)} B/s (real time 16000), most queued ${maxQueued.toFixed(2)} s`,
        )
        expect(mount.input).toBe('live')
        expect(Math.abs(rate - 16_000) / 16_000).toBeLessThan(0.1)
        // Never much more than its 4 s limit, however large the socket reads (64-96 KB, 4-6 s of audio here).
        expect(maxQueued).toBeLessThan(4.2)
        expect(listener.broken).toBe(false)
      } finally {
        clearInterval(sampler)
        dj.child.kill('SIGKILL')
        // What ffmpeg wrote before dying waits in the kernel's socket buffers, megabytes of it, and would
        // play on in real time: kill the source on the server side, as an operator would.
        mount.killSource()
        await listener.stop()
      }
    },
    30_000,
  )

  test(
    "the source's ice-* headers describe the stream to listeners while it is live (the mount's own config wins)",
    async () => {
      const mount = station.station.mount('/stream')!
      await waitFor(() => mount.source('live') === undefined && mount.input === 'playlist', 5000, 'no live source')
      const before = await fetch(`${station.url}/stream`, { method: 'HEAD' })
      // Nameless, the stream is named by its path (VLC needs an icy-name to show titles).
      expect(before.headers.get('icy-name')).toBe('/stream')
      expect(before.headers.get('icy-br')).toBe('128')
      const dj = ffmpegSource(station.sourcePort!, '/stream', { name: 'Night Shift' })
      try {
        await waitFor(() => mount.input === 'live', 10_000, 'the source on air')
        const during = await fetch(`${station.url}/stream`, { method: 'HEAD' })
        expect(during.headers.get('icy-name')).toBe('Night Shift')
        expect(during.headers.get('icy-br')).toBe('64')
        expect(mount.streamInfo).toEqual({ name: 'Night Shift', public: false })
      } finally {
        dj.child.kill('SIGKILL')
      }
    },
    20_000,
  )

  test(
    'a live-only mount: 404 while off air without a fallback; with one, its listeners hear the fallback, then the DJ, then the fallback, unbroken',
    async () => {
      expect((await fetch(`${station.url}/solo`)).status).toBe(404)
      const live = station.station.mount('/live')!
      const fallback = station.station.mount('/stream')!
      await waitFor(
        () =>
          fallback.source('live') === undefined && fallback.input === 'playlist' &&
          fallback.broadcaster.burst.chunks().every((c) => c.track.origin === 'playlist'),
        5000,
        'the playlist',
      )
      const listener = await openListener(`${station.url}/live`)
      expect(listener.response.status).toBe(200)
      expect(fallback.broadcaster.size).toBeGreaterThanOrEqual(1)
      const dj = ffmpegSource(station.sourcePort!, '/live', {})
      try {
        await waitFor(() => listener.frames().some((f) => f.bitrate === 64), 10_000, 'the DJ')
        expect(live.broadcaster.size).toBe(1)
        await Bun.sleep(1500)
        dj.child.kill('SIGKILL')
        await waitFor(() => live.broadcaster.size === 0, 5000, 'the listener to go back to the fallback')
        await Bun.sleep(1500)
        expect(listener.broken).toBe(false)
        await listener.stop()
        expect(bitrateRuns(listener.frames()).map(([bitrate]) => bitrate)).toEqual([128, 64, 128])
        expect((await decodeMp3(listener.bytes())).errors).toEqual([])
        expect((await fetch(`${station.url}/live`, { method: 'HEAD' })).status).toBe(200)
      } finally {
        dj.child.kill('SIGKILL')
        await listener.stop()
      }
    },
    30_000,
  )

  test(
    "a mount's own source password replaces the station's; a live-only mount without a fallback is on air only while its DJ is",
    async () => {
      const solo = station.station.mount('/solo')!
      const wrong = ffmpegSource(station.sourcePort!, '/solo', { seconds: 2 })
      expect(await wrong.exited).not.toBe(0)
      await Bun.sleep(250)
      const dj = ffmpegSource(station.sourcePort!, '/solo', { password: 'solo-pw', frequency: 523 })
      try {
        await waitFor(() => solo.isOnAir, 10_000, 'the DJ on air')
        const listener = await openListener(`${station.url}/solo`)
        await Bun.sleep(1000)
        dj.child.kill('SIGKILL')
        await waitFor(() => !solo.isOnAir, 5000, 'off air')
        // Its listener waits for the next DJ rather than being cut off; new listeners are told it is off air.
        expect(listener.broken).toBe(false)
        const refused = await fetch(`${station.url}/solo`)
        expect(refused.status).toBe(404)
        expect(await refused.text()).toBe('/solo is off air: no source is connected; try again later\n')
        await listener.stop()
        expect((await decodeMp3(listener.bytes())).errors).toEqual([])
      } finally {
        dj.child.kill('SIGKILL')
      }
    },
    20_000,
  )

  test('an AAC (ADTS) source on an AAC mount, and a chunked PUT body, work too', async () => {
    const aac = station.station.mount('/aac')!
    const dj = ffmpegSource(station.sourcePort!, '/aac', {
      codec: ['-c:a', 'aac', '-b:a', '64k'],
      format: 'adts',
      contentType: 'audio/aac',
    })
    try {
      await waitFor(() => aac.input === 'live', 10_000, 'the AAC source on air')
    } finally {
      dj.child.kill('SIGKILL')
    }
    await waitFor(() => aac.input === 'playlist', 5000, 'the playlist back')
    const mp3 = readFileSync(fixtures.mp3(3, 770))
    const chunkedBody = Buffer.concat([
      ...Array.from({ length: Math.ceil(mp3.length / 4000) }, (_, i) => {
        const part = mp3.subarray(i * 4000, (i + 1) * 4000)
        return Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')])
      }),
      Buffer.from('0\r\n\r\n'),
    ])
    const stream = station.station.mount('/stream')!
    await waitFor(() => stream.source('live') === undefined, 5000, 'no live source on /stream')
    const chunked = await rawSource(
      station.sourcePort!,
      sourceHead('PUT', '/stream', {
        Authorization: basicAuth('source', 's3cret'),
        'Content-Type': 'audio/mpeg',
        'Transfer-Encoding': 'chunked',
        Expect: '100-continue',
      }),
      { body: chunkedBody },
    )
    expect(chunked.status).toBe(100)
    expect(chunked.closed).toBe(true)
    // Once the body is complete, a final response, for clients that wait for one (curl -T).
    expect(chunked.body).toStartWith('HTTP/1.1 200 OK\r\n')
    await waitFor(
      () =>
        station.logs.some((l) =>
          /\[\/stream\] live source from 127\.0\.0\.1 disconnected after \d+ s \(3\.0 s of audio\): the client ended its chunked stream/
            .test(l)
        ),
      3000,
      'the chunked source to end',
    )
    // Its three seconds, sent at once, still play out before the playlist is back.
    await waitFor(() => stream.input === 'live', 3000, 'the chunked source on air')
    await waitFor(() => stream.input === 'playlist', 6000, 'the playlist back')
  }, 20_000)

  test(
    "encoders' title updates sent to the source port (GET /admin/metadata, as BUTT, Mixxx and Liquidsoap do) set the live title",
    async () => {
      const mount = station.station.mount('/stream')!
      await waitFor(() => mount.source('live') === undefined && mount.input === 'playlist', 5000, 'no live source')
      const dj = ffmpegSource(station.sourcePort!, '/stream', {})
      try {
        await waitFor(
          () => mount.source('live') !== undefined && mount.onAir?.track === mount.source('live')!.feed.track,
          10_000,
          'the DJ on air',
        )
        const request = (auth: string) =>
          rawSource(
            station.sourcePort!,
            `GET /admin/metadata?mode=updinfo&mount=/stream&song=${
              encodeURIComponent('Encoder - Title')
            } HTTP/1.0\r\nUser-Agent: libshout/2.4.6\r\nAuthorization: ${auth}\r\n\r\n`,
          )
        const wrong = await request(basicAuth('source', 'bad-pw'))
        expect(wrong.status).toBe(401)
        await waitFor(
          () =>
            station.logs.some((l) =>
              l.includes('admin request /admin/metadata refused from 127.0.0.1: wrong user name or password')
            ),
          2000,
          'the refusal logged',
        )
        await Bun.sleep(250)
        const ok = await request(basicAuth('source', 's3cret'))
        expect(ok.status).toBe(200)
        expect(ok.body).toContain('<message>Metadata update successful</message>')
        await waitFor(() => mount.onAir?.track.title === 'Encoder - Title', 3000, 'the title on air')
      } finally {
        dj.child.kill('SIGKILL')
      }
    },
    20_000,
  )
})

test('no log line ever shows a password, right or wrong', () => {
  for (const secret of ['s3cret', 'solo-pw', 'guess1', 'n0pe-pw', 'bad-pw']) {
    expect(station.logs.filter((l) => l.includes(secret))).toEqual([])
  }
})
