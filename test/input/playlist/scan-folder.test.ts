import { afterAll, describe, expect, test } from 'bun:test'
import { chmodSync } from 'node:fs'
import { scanFolder } from '../../../src/input/playlist/scan-folder.ts'
import { resolvePlaylist } from '../../../src/input/playlist/resolve-playlist.ts'
import { createLogger } from '../../../src/log.ts'
import { tempDir } from '../../helpers/temp-dir.ts'

const dir = tempDir()
afterAll(() => {
  chmodSync(dir.path('locked/private'), 0o755)
  dir.remove()
})

const capture = () => {
  const lines: string[] = []
  return { lines, log: createLogger({ level: 'debug', write: (line) => lines.push(line) }) }
}
const warnings = (lines: string[]) => lines.filter((line) => / warn /.test(line))

// The scan only looks at names and kinds: a few bytes stand in for audio.
const file = (relative: string) => dir.write(relative, 'not really audio')

describe('scanFolder', () => {
  test(
    'links back up the tree (sub/self -> ., sub/up -> ..) are not followed: each file once, one line per loop',
    async () => {
      const a = file('loops/a.mp3')
      const b = file('loops/sub/b.mp3')
      dir.link('.', 'loops/sub/self')
      dir.link('..', 'loops/sub/up')
      const { lines, log } = capture()
      // (Before, this never returned: the test's timeout catches that.)
      expect(await scanFolder(dir.path('loops'), log)).toEqual([a, b])
      expect(warnings(lines)).toEqual([
        expect.stringContaining(`skipping ${dir.path('loops/sub/self')}: a symbolic link loop`),
        expect.stringContaining(`skipping ${dir.path('loops/sub/up')}: a symbolic link loop`),
      ])
    },
    5000,
  )

  test('a link from the top of the folder up out of it is a loop too: what lies above is never scanned', async () => {
    const inside = file('above/music/a.mp3')
    file('above/not-music.mp3')
    dir.link('..', 'above/music/up')
    dir.link(dir.root, 'above/music/way-up')
    const { lines, log } = capture()
    expect(await scanFolder(dir.path('above/music'), log)).toEqual([inside])
    expect(warnings(lines)).toEqual([
      expect.stringContaining(`skipping ${dir.path('above/music/up')}: a symbolic link loop`),
      expect.stringContaining(`skipping ${dir.path('above/music/way-up')}: a symbolic link loop`),
    ])
  })

  test('a single loop does not list the same file again and again', async () => {
    const only = file('one-loop/only.mp3')
    dir.link('.', 'one-loop/again')
    const { lines, log } = capture()
    expect(await scanFolder(dir.path('one-loop'), log)).toEqual([only])
    expect(warnings(lines)).toHaveLength(1)
  }, 5000)

  test('a link to a folder or file found elsewhere in the tree adds nothing; files keep their real paths', async () => {
    const real = file('tree/albums/one/1.mp3')
    const other = file('tree/albums/two/2.mp3')
    // Named to sort first: links are still followed only once the real folders are scanned.
    dir.link('albums/one', 'tree/0 alias')
    dir.link('albums/one/1.mp3', 'tree/0 favourite.mp3')
    file('elsewhere/3.mp3')
    const linked = dir.link(dir.path('elsewhere'), 'tree/albums/linked')
    const { lines, log } = capture()
    // A link to a folder outside the tree is followed: its files are listed under the link.
    expect(await scanFolder(dir.path('tree'), log)).toEqual([`${linked}/3.mp3`, real, other])
    expect(warnings(lines)).toEqual([
      expect.stringContaining(`skipping ${dir.path('tree/0 alias')}: it leads to ${dir.path('tree/albums/one')}`),
    ])
    expect(lines.some((line) => line.includes('1 file(s) reached by more than one symbolic link, listed once'))).toBe(
      true,
    )
  })

  test('a folder that cannot be read is skipped with why, and the rest is scanned (root reads it all)', async () => {
    const open = file('locked/open/1.mp3')
    const hidden = file('locked/private/2.mp3')
    chmodSync(dir.path('locked/private'), 0)
    const { lines, log } = capture()
    const found = await scanFolder(dir.path('locked'), log)
    if (process.getuid?.() === 0) {
      expect(found).toEqual([open, hidden])
      expect(warnings(lines)).toEqual([])
    } else {
      expect(found).toEqual([open])
      expect(warnings(lines)).toEqual([
        expect.stringContaining(`skipping folder ${dir.path('locked/private')}: permission denied`),
      ])
    }
  })
})

describe('resolvePlaylist with loops', () => {
  test('a music folder full of loops resolves at once, each file listed by the folder it was found in', async () => {
    for (const name of ['x', 'y', 'z']) file(`library/${name}/track.mp3`)
    for (const name of ['x', 'y', 'z']) {
      dir.link('..', `library/${name}/parent`)
      dir.link('.', `library/${name}/here`)
      dir.link(dir.path('library'), `library/${name}/top`)
    }
    const { lines, log } = capture()
    const files = await resolvePlaylist([dir.path('library')], { log })
    expect(files).toEqual(['x', 'y', 'z'].map((name) => ({
      path: dir.path(`library/${name}/track.mp3`),
      listedIn: dir.path('library'),
    })))
    expect(warnings(lines)).toHaveLength(9)
  }, 5000)
})
