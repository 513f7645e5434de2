import { afterAll, describe, expect, test } from 'bun:test'
import { CliError } from '../../src/config/cli.ts'
import { loadConfig } from '../../src/config/load.ts'
import { liveEnabled, sourcePortOf } from '../../src/config/schema.ts'
import { DEMO_PLAYLIST } from '../../src/config/demo.ts'
import { configProblems } from '../helpers/config-problems.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const dir = tempDir()
afterAll(() => dir.remove())

const problems = configProblems

describe('loadConfig', () => {
  test('with nothing given, one mount plays the built-in demo playlist', async () => {
    const { config, demo } = await loadConfig({}, [])
    expect(demo).toBe(true)
    expect(config).toMatchObject({ host: '0.0.0.0', port: 8000, logLevel: 'info' })
    expect(config.mounts).toEqual([
      expect.objectContaining({
        path: '/stream',
        playlist: [DEMO_PLAYLIST],
        burst: 3,
        chunkDuration: 0.25,
        slowListenerLimit: 10,
        shuffle: false,
      }),
    ])
  })

  test('flags and playlist arguments make one mount', async () => {
    const { config, demo } = await loadConfig({ port: 9000, mount: '/jazz', burst: 1.5, shuffle: true, name: 'Jazz' }, [
      'a.mp3',
    ])
    expect(demo).toBe(false)
    expect(config.port).toBe(9000)
    expect(config.mounts[0]).toMatchObject({
      path: '/jazz',
      playlist: ['a.mp3'],
      burst: 1.5,
      shuffle: true,
      name: 'Jazz',
    })
  })

  test('bad flag values name the flag', async () => {
    expect(await problems(loadConfig({ port: 70000 }, []))).toEqual(['--port: Too big: expected number to be <=65535'])
    expect((await problems(loadConfig({ mount: 'stream' }, [])))[0]).toStartWith('--mount: ')
    expect((await problems(loadConfig({ mount: '/api' }, [])))[0]).toContain('reserved')
    expect((await problems(loadConfig({ burst: -1 }, [])))[0]).toStartWith('--burst: ')
    expect((await problems(loadConfig({ logLevel: 'loud' }, [])))[0]).toStartWith('--log-level: ')
  })

  test('a config file describes several mounts; playlists resolve from its folder; --port overrides it', async () => {
    const path = dir.write(
      'station.json',
      JSON.stringify({
        port: 8100,
        name: 'Station',
        mounts: [{ path: '/a', playlist: 'music/a' }, {
          path: '/b',
          playlist: ['b.m3u'],
          burst: 1,
          chunkDuration: 0.1,
          slowListenerLimit: 20,
          maxListeners: 50,
          description: 'B',
          genre: 'Jazz',
          url: 'https://example.org/',
          public: true,
        }],
      }),
    )
    const { config } = await loadConfig({ config: path, port: 8200 }, [])
    expect(config.port).toBe(8200)
    expect(config.baseDir).toBe(dir.root)
    expect(config.mounts.map((m) => m.playlist)).toEqual([['music/a'], ['b.m3u']])
    expect(config.mounts[1]).toMatchObject({
      burst: 1,
      chunkDuration: 0.1,
      slowListenerLimit: 20,
      maxListeners: 50,
      genre: 'Jazz',
      public: true,
    })
  })

  test('a malformed config file: every problem names the field and what was expected', async () => {
    const path = dir.write(
      'bad.json',
      JSON.stringify({
        port: '8000',
        mounts: [{ path: '/a', playlist: [], burts: 3 }, {
          path: '/a',
          playlist: 'x',
          burst: 'lots',
          url: 'not a url',
        }],
      }),
    )
    const list = await problems(loadConfig({ config: path }, []))
    expect(list).toContain('port: Invalid input: expected number, received string')
    expect(list).toContain('mounts[0].playlist: at least one entry')
    expect(list).toContain('mounts[0]: Unrecognized key: "burts"')
    expect(list).toContain('mounts[1].burst: Invalid input: expected number, received string')
    expect(list.some((p) => p.startsWith('mounts[1].url: '))).toBe(true)
  })

  test('duplicate mount paths are refused', async () => {
    const path = dir.write(
      'dup.json',
      JSON.stringify({ mounts: [{ path: '/a', playlist: 'x' }, { path: '/A', playlist: 'y' }] }),
    )
    expect(await problems(loadConfig({ config: path }, []))).toEqual([
      'mounts[1].path: duplicate of mounts[0].path (/A)',
    ])
  })

  test('a config file that is missing, not JSON, or not an object says so', async () => {
    expect((await problems(loadConfig({ config: dir.path('none.json') }, [])))[0]).toContain('not found')
    expect((await problems(loadConfig({ config: dir.write('broken.json', '{"mounts": [') }, [])))[0]).toContain(
      'not valid JSON',
    )
    expect(await problems(loadConfig({ config: dir.write('list.json', '[]') }, []))).toEqual([
      '(root): expected a JSON object',
    ])
  })

  test('mount flags and playlist arguments cannot be mixed with --config', async () => {
    const path = dir.write('ok.json', JSON.stringify({ mounts: [{ path: '/a', playlist: 'x' }] }))
    await expect(loadConfig({ config: path, burst: 2 }, ['more.mp3'])).rejects.toThrow(CliError)
    await expect(loadConfig({ config: path, burst: 2 }, [])).rejects.toThrow('--burst cannot be combined with --config')
  })
})

describe('loadConfig: live sources, relays, admin', () => {
  const noEnv = {}

  test('without passwords, live sources and the admin API are off', async () => {
    const { config } = await loadConfig({}, ['a.mp3'], noEnv)
    expect(config.sourcePassword).toBeUndefined()
    expect(config.adminPassword).toBeUndefined()
    expect(liveEnabled(config)).toBe(false)
    expect(config.adminUser).toBe('admin')
    expect(config.sourceTimeout).toBe(10)
  })

  test('passwords come from flags or the environment; a flag wins over the variable', async () => {
    const env = { AIRWAVE_SOURCE_PASSWORD: 'from-env', AIRWAVE_ADMIN_PASSWORD: 'adm-env' }
    const fromEnv = (await loadConfig({}, ['a.mp3'], env)).config
    expect([fromEnv.sourcePassword, fromEnv.adminPassword]).toEqual(['from-env', 'adm-env'])
    expect(liveEnabled(fromEnv)).toBe(true)
    const fromFlags =
      (await loadConfig({ sourcePassword: 's3cret', adminPassword: 'adm1n', adminUser: 'boss' }, ['a.mp3'], env)).config
    expect([fromFlags.sourcePassword, fromFlags.adminPassword, fromFlags.adminUser]).toEqual([
      's3cret',
      'adm1n',
      'boss',
    ])
    // An empty variable counts as unset.
    expect((await loadConfig({}, ['a.mp3'], { AIRWAVE_SOURCE_PASSWORD: '' })).config.sourcePassword).toBeUndefined()
  })

  test("the environment and flags override a config file's passwords", async () => {
    const path = dir.write(
      'pw.json',
      JSON.stringify({ sourcePassword: 'file', adminPassword: 'file', mounts: [{ path: '/a', playlist: 'x' }] }),
    )
    const { config } = await loadConfig({ config: path, adminPassword: 'flag' }, [], { AIRWAVE_SOURCE_PASSWORD: 'env' })
    expect([config.sourcePassword, config.adminPassword]).toEqual(['env', 'flag'])
  })

  test('an empty password is refused, naming the flag and never showing a value', async () => {
    const list = await problems(loadConfig({ sourcePassword: '' }, ['a.mp3'], noEnv))
    expect(list).toEqual(['--source-password: must not be empty'])
  })

  test('the source port defaults to the HTTP port + 1, or any free port when that is 0', async () => {
    expect(sourcePortOf((await loadConfig({ port: 9000 }, ['a.mp3'], noEnv)).config)).toBe(9001)
    expect(sourcePortOf((await loadConfig({ port: 0 }, ['a.mp3'], noEnv)).config)).toBe(0)
    expect(sourcePortOf((await loadConfig({ port: 9000, sourcePort: 7000 }, ['a.mp3'], noEnv)).config)).toBe(7000)
  })

  test('--relay makes a relay mount, with the playlist (if any) playing while the upstream is away', async () => {
    const relayOnly = await loadConfig({ relay: 'http://origin.example:8000/stream' }, [], noEnv)
    expect(relayOnly.demo).toBe(false)
    expect(relayOnly.config.mounts[0]).toMatchObject({ path: '/stream', relay: 'http://origin.example:8000/stream' })
    expect(relayOnly.config.mounts[0]!.playlist).toBeUndefined()
    const withPlaylist = await loadConfig({ relay: 'https://origin.example/stream' }, ['a.mp3'], noEnv)
    expect(withPlaylist.config.mounts[0]).toMatchObject({ relay: 'https://origin.example/stream', playlist: ['a.mp3'] })
    expect((await problems(loadConfig({ relay: 'ftp://x/y' }, [], noEnv)))[0]).toStartWith('--relay: ')
  })

  test('a config file sets sources per mount: live-only mounts, relays, fallback chains', async () => {
    const path = dir.write(
      'live.json',
      JSON.stringify({
        sourcePort: 8011,
        mounts: [
          { path: '/live', sourcePassword: 'dj', fallbackMount: '/edge' },
          { path: '/edge', relay: 'http://origin.example/stream', fallbackMount: '/auto', sourceTimeout: 5 },
          { path: '/auto', playlist: 'music' },
        ],
      }),
    )
    const { config } = await loadConfig({ config: path }, [], noEnv)
    expect(config.mounts.map((m) => [m.path, m.fallbackMount])).toEqual([['/live', '/edge'], ['/edge', '/auto'], [
      '/auto',
      undefined,
    ]])
    expect(config.mounts[1]!.sourceTimeout).toBe(5)
    expect(sourcePortOf(config)).toBe(8011)
    expect(liveEnabled(config)).toBe(true)
  })

  test('a mount with nothing to play, a missing or looping fallback, or a fallback on a playlist mount is refused', async () => {
    const path = dir.write(
      'badlive.json',
      JSON.stringify({
        mounts: [
          { path: '/nothing' },
          { path: '/a', relay: 'http://x/a', fallbackMount: '/b' },
          { path: '/b', relay: 'http://x/b', fallbackMount: '/a' },
          { path: '/c', relay: 'http://x/c', fallbackMount: '/gone' },
          { path: '/d', playlist: 'x', fallbackMount: '/a' },
        ],
      }),
    )
    const list = await problems(loadConfig({ config: path }, [], noEnv))
    expect(list).toContain(
      'mounts[0]: has no playlist, no relay and no source password: give it a playlist, a relay URL, or a sourcePassword (here or for the station) or an auth.url.streamAuth so a live source can connect',
    )
    expect(list).toContain('mounts[1].fallbackMount: falls back in a loop: /a -> /b -> /a')
    expect(list).toContain('mounts[3].fallbackMount: no mount at /gone')
    expect(list).toContain(
      'mounts[4].fallbackMount: a mount with a playlist never goes off air, so it has no use for a fallback mount',
    )
    // With a station-wide source password, a mount needs nothing else: it is live-only.
    const ok = dir.write('liveonly.json', JSON.stringify({ sourcePassword: 'x', mounts: [{ path: '/live' }] }))
    expect((await loadConfig({ config: ok }, [], noEnv)).config.mounts[0]!.playlist).toBeUndefined()
  })
})
