import { afterAll, describe, expect, test } from 'bun:test'
import { resolvePlaylist } from '../../../src/input/playlist/resolve-playlist.ts'
import { parseM3u, parsePls } from '../../../src/input/playlist/playlist-file.ts'
import { createLogger } from '../../../src/log.ts'
import type { Logger } from '../../../src/log.ts'
import { fixtures } from '../../helpers/fixtures.ts'
import { tempDir } from '../../helpers/temp-dir.ts'

const bytes = (text: string) => new TextEncoder().encode(text)
const pathsOf = async (entries: string[], options: { baseDir?: string; log?: Logger } = {}) =>
  (await resolvePlaylist(entries, options)).map((file) => file.path)
const dir = tempDir()
afterAll(() => dir.remove())

describe('playlist files', () => {
  test('M3U: paths in order, #EXTINF titles, comments and blank lines ignored, CRLF and BOM tolerated', () => {
    const text = '\uFEFF#EXTM3U\r\n#EXTINF:123,Artist - One\r\none.mp3\r\n\r\n# a comment\r\nsub/two.mp3\r\n'
    expect(parseM3u(bytes(text))).toEqual([{ location: 'one.mp3', title: 'Artist - One' }, { location: 'sub/two.mp3' }])
  })

  test('M3U in Latin-1 is read as Latin-1', () => {
    expect(parseM3u(new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x6d, 0x70, 0x33]))).toEqual([{
      location: 'café.mp3',
    }])
  })

  test('PLS: entries ordered by their number, with titles', () => {
    const text = '[playlist]\nFile2=b.mp3\nTitle2=B\nFile1=a.mp3\nNumberOfEntries=2\nVersion=2\n'
    expect(parsePls(bytes(text))).toEqual([{ location: 'a.mp3' }, { location: 'b.mp3', title: 'B' }])
  })
})

describe('resolvePlaylist', () => {
  const mp3 = fixtures.mp3(1)
  dir.copy(mp3, 'music/Track 10.mp3')
  dir.copy(mp3, 'music/Track 2.mp3')
  dir.copy(mp3, 'music/b-side/Track 1.mp3')
  dir.copy(fixtures.aac(1), 'music/b-side/Extra.aac')
  dir.write('music/cover.jpg', 'not audio')
  dir.write('music/.hidden.mp3', 'resource fork junk')
  dir.write('lists/party.m3u', '../music/Track 2.mp3\nmissing.mp3\nhttp://example.invalid/stream\nnested.pls\n')
  dir.write('lists/nested.pls', '[playlist]\nFile1=../music/Track 10.mp3\n')
  dir.write('lists/loop.m3u', 'loop.m3u\n../music/Track 2.mp3\n')

  test('scans folders recursively, in natural order, audio extensions only, no hidden files', async () => {
    expect(await pathsOf([dir.path('music')])).toEqual([
      dir.path('music/b-side/Extra.aac'),
      dir.path('music/b-side/Track 1.mp3'),
      dir.path('music/Track 2.mp3'),
      dir.path('music/Track 10.mp3'),
    ])
  })

  test('follows playlist files relative to themselves, nested; keeps missing entries for probing; skips URLs with a warning', async () => {
    const lines: string[] = []
    const log = createLogger({ write: (line) => lines.push(line) })
    expect(await pathsOf(['lists/party.m3u'], { baseDir: dir.root, log })).toEqual([
      dir.path('music/Track 2.mp3'),
      dir.path('lists/missing.mp3'),
      dir.path('music/Track 10.mp3'),
    ])
    expect(lines.join('\n')).toContain('http://example.invalid/stream: remote URLs are not played')
  })

  test('each file carries the playlist file or folder that listed it; a file named directly carries none', async () => {
    expect(await resolvePlaylist(['lists/party.m3u', 'music/b-side', 'music/Track 2.mp3'], { baseDir: dir.root }))
      .toEqual([
        { path: dir.path('music/Track 2.mp3'), listedIn: dir.path('lists/party.m3u') },
        { path: dir.path('lists/missing.mp3'), listedIn: dir.path('lists/party.m3u') },
        { path: dir.path('music/Track 10.mp3'), listedIn: dir.path('lists/nested.pls') },
        { path: dir.path('music/b-side/Extra.aac'), listedIn: dir.path('music/b-side') },
        { path: dir.path('music/b-side/Track 1.mp3'), listedIn: dir.path('music/b-side') },
        { path: dir.path('music/Track 2.mp3') },
      ])
  })

  test('a playlist line that is not a usable file: URL is skipped with why, and the rest resolves', async () => {
    const lines: string[] = []
    dir.write('lists/bad-url.m3u', 'file://elsewhere.invalid/x.mp3\n../music/Track 2.mp3\n')
    const log = createLogger({ write: (line) => lines.push(line) })
    expect(await pathsOf([dir.path('lists/bad-url.m3u')], { log })).toEqual([dir.path('music/Track 2.mp3')])
    expect(lines).toEqual([expect.stringContaining('playlist entry file://elsewhere.invalid/x.mp3: ')])
  })

  test('a playlist that includes itself does not loop forever', async () => {
    const lines: string[] = []
    const files = await pathsOf([dir.path('lists/loop.m3u')], {
      log: createLogger({ write: (line) => lines.push(line) }),
    })
    expect(files).toEqual([dir.path('music/Track 2.mp3')])
    expect(lines.some((l) => l.includes('includes itself'))).toBe(true)
  })

  test('expands ~ to the home folder', async () => {
    const home = process.env.HOME
    process.env.HOME = dir.path('music')
    try {
      expect(await pathsOf(['~/Track 2.mp3'])).toEqual([dir.path('music/Track 2.mp3')])
    } finally {
      process.env.HOME = home
    }
  })
})
