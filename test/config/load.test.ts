import { afterAll, describe, expect, test } from 'bun:test'
import { CliError } from '../../src/config/cli.ts'
import { loadConfig } from '../../src/config/load.ts'
import { ConfigError } from '../../src/config/schema.ts'
import { DEMO_PLAYLIST } from '../../src/source/demo.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const dir = tempDir()
afterAll(() => dir.remove())

const problems = async (promise: Promise<unknown>) => {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(ConfigError)
  return (error as ConfigError).problems
}

describe('loadConfig', () => {
  test('with nothing given, one mount plays the built-in demo playlist', async () => {
    const { config, demo } = await loadConfig({}, [])
    expect(demo).toBe(true)
    expect(config).toMatchObject({ host: '0.0.0.0', port: 8000, logLevel: 'info' })
    expect(config.mounts).toEqual([
      expect.objectContaining({ path: '/stream', playlist: [DEMO_PLAYLIST], burst: 3, chunkDuration: 0.25, slowListenerLimit: 10, shuffle: false }),
    ])
  })

  test('flags and playlist arguments make one mount', async () => {
    const { config, demo } = await loadConfig({ port: 9000, mount: '/jazz', burst: 1.5, shuffle: true, name: 'Jazz' }, ['a.mp3'])
    expect(demo).toBe(false)
    expect(config.port).toBe(9000)
    expect(config.mounts[0]).toMatchObject({ path: '/jazz', playlist: ['a.mp3'], burst: 1.5, shuffle: true, name: 'Jazz' })
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
      JSON.stringify({ port: 8100, name: 'Station', mounts: [{ path: '/a', playlist: 'music/a' }, { path: '/b', playlist: ['b.m3u'], burst: 1, chunkDuration: 0.1, slowListenerLimit: 20, maxListeners: 50, description: 'B', genre: 'Jazz', url: 'https://example.org/', public: true }] }),
    )
    const { config } = await loadConfig({ config: path, port: 8200 }, [])
    expect(config.port).toBe(8200)
    expect(config.baseDir).toBe(dir.root)
    expect(config.mounts.map((m) => m.playlist)).toEqual([['music/a'], ['b.m3u']])
    expect(config.mounts[1]).toMatchObject({ burst: 1, chunkDuration: 0.1, slowListenerLimit: 20, maxListeners: 50, genre: 'Jazz', public: true })
  })

  test('a malformed config file: every problem names the field and what was expected', async () => {
    const path = dir.write(
      'bad.json',
      JSON.stringify({ port: '8000', mounts: [{ path: '/a', playlist: [], burts: 3 }, { path: '/a', playlist: 'x', burst: 'lots', url: 'not a url' }] }),
    )
    const list = await problems(loadConfig({ config: path }, []))
    expect(list).toContain('port: Invalid input: expected number, received string')
    expect(list).toContain('mounts[0].playlist: at least one entry')
    expect(list).toContain('mounts[0]: Unrecognized key: "burts"')
    expect(list).toContain('mounts[1].burst: Invalid input: expected number, received string')
    expect(list.some((p) => p.startsWith('mounts[1].url: '))).toBe(true)
  })

  test('duplicate mount paths are refused', async () => {
    const path = dir.write('dup.json', JSON.stringify({ mounts: [{ path: '/a', playlist: 'x' }, { path: '/A', playlist: 'y' }] }))
    expect(await problems(loadConfig({ config: path }, []))).toEqual(['mounts[1].path: duplicate of mounts[0].path (/A)'])
  })

  test('a config file that is missing, not JSON, or not an object says so', async () => {
    expect((await problems(loadConfig({ config: dir.path('none.json') }, [])))[0]).toContain('not found')
    expect((await problems(loadConfig({ config: dir.write('broken.json', '{"mounts": [') }, [])))[0]).toContain('not valid JSON')
    expect(await problems(loadConfig({ config: dir.write('list.json', '[]') }, []))).toEqual(['(root): expected a JSON object'])
  })

  test('mount flags and playlist arguments cannot be mixed with --config', async () => {
    const path = dir.write('ok.json', JSON.stringify({ mounts: [{ path: '/a', playlist: 'x' }] }))
    await expect(loadConfig({ config: path, burst: 2 }, ['more.mp3'])).rejects.toThrow(CliError)
    await expect(loadConfig({ config: path, burst: 2 }, [])).rejects.toThrow('--burst cannot be combined with --config')
  })
})
