import { afterAll, describe, expect, test } from 'bun:test'
import { mkdirSync } from 'node:fs'
import { FolderListings } from '../../../src/input/playlist/folder-listings.ts'
import { tempDir } from '../../helpers/temp-dir.ts'

const dir = tempDir()
afterAll(() => dir.remove())

describe('FolderListings', () => {
  test('tells what a path is from its folder listing: a file, a folder, a link, missing', async () => {
    const file = dir.write('music/a.mp3', 'x')
    mkdirSync(dir.path('music/sub'))
    const link = dir.link(file, 'music/link.mp3')
    const listings = new FolderListings()
    expect(await listings.kind(file)).toBe('file')
    expect(await listings.kind(dir.path('music/sub'))).toBe('directory')
    expect(await listings.kind(link)).toBe('symlink')
    expect(await listings.kind(dir.path('music/gone.mp3'))).toBe('missing')
    expect(await listings.kind(dir.path('nowhere/gone.mp3'))).toBe('missing')
    expect(await listings.kind(dir.path('music/a.mp3/inside.mp3'))).toBe('missing')
  })

  test('a name that differs only in case or Unicode form is left to stat (case-insensitive file systems)', async () => {
    dir.write('names/Caf\u00e9.MP3', 'x')
    const listings = new FolderListings()
    expect(await listings.kind(dir.path('names/caf\u00e9.mp3'))).toBe('unknown')
    expect(await listings.kind(dir.path('names/Cafe\u0301.MP3'))).toBe('unknown')
  })

  test('it is a snapshot: a file added later is missing until the next listing', async () => {
    const listings = new FolderListings()
    expect(await listings.kind(dir.path('later/new.mp3'))).toBe('missing')
    dir.write('later/new.mp3', 'x')
    expect(await listings.kind(dir.path('later/new.mp3'))).toBe('missing')
    expect(await new FolderListings().kind(dir.path('later/new.mp3'))).toBe('file')
  })
})
