import { afterAll, describe, expect, test } from 'bun:test'
import { rmSync } from 'node:fs'
import { createLogger } from '../../../src/log.ts'
import { PlaylistError, PlaylistSource } from '../../../src/input/playlist/playlist-source.ts'
import type { SourceFrame } from '../../../src/input/track.ts'
import { fixtures, noise } from '../../helpers/fixtures.ts'
import { ManualClock, waitFor } from '../../helpers/manual-clock.ts'
import { tempDir } from '../../helpers/temp-dir.ts'

const dir = tempDir()
afterAll(() => dir.remove())

const capture = () => {
  const lines: string[] = []
  return { lines, log: createLogger({ level: 'debug', write: (line) => lines.push(line) }) }
}

/** Plays until `tracks` tracks have started, returning each track's path and seconds of audio. */
const play = async (source: PlaylistSource, tracks: number) => {
  const played: { path: string; seconds: number; id: number }[] = []
  for await (const { frame, track } of source.frames() as AsyncGenerator<SourceFrame>) {
    if (played.at(-1)?.id !== track.id) {
      if (played.length === tracks) break
      played.push({ path: track.path!, seconds: 0, id: track.id })
    }
    played.at(-1)!.seconds += frame.samples / frame.sampleRate
  }
  return played
}

describe('PlaylistSource', () => {
  const a = dir.copy(fixtures.mp3(1, 440), 'ok/a.mp3')
  const b = dir.copy(fixtures.mp3(1, 550), 'ok/b.mp3')

  test('plays the files in order and loops forever, each play a new track', async () => {
    const source = new PlaylistSource({ entries: [dir.path('ok')] })
    expect(await source.open()).toMatchObject({ format: 'mp3', sampleRate: 44100, channels: 2 })
    const played = await play(source, 5)
    expect(played.map((p) => p.path)).toEqual([a, b, a, b, a])
    expect(new Set(played.map((p) => p.id)).size).toBe(5)
    for (const p of played.slice(0, 4)) expect(p.seconds).toBeGreaterThan(0.95)
  })

  test('titles come from the tags ("Artist - Title"), else from the cleaned file name', async () => {
    const tagged = dir.copy(
      fixtures.chirp(1, 300, { artist: 'Nina', title: 'Blue Tone', album: 'Tests' }),
      'tags/tagged.mp3',
    )
    const titleOnly = dir.copy(fixtures.chirp(1, 400, { title: 'Only A Title' }), 'tags/title-only.mp3')
    const bare = dir.copy(fixtures.chirp(1, 500), 'tags/03_-_Bare_File.mp3')
    const source = new PlaylistSource({ entries: [tagged, titleOnly, bare] })
    await source.open()
    const tracks = []
    let last = -1
    for await (const { track } of source.frames()) {
      if (track.id === last) continue
      last = track.id
      tracks.push(track)
      if (tracks.length === 3) break
    }
    expect(tracks.map((t) => t.title)).toEqual(['Nina - Blue Tone', 'Only A Title', 'Bare File'])
    expect(tracks[0]).toMatchObject({ artist: 'Nina', song: 'Blue Tone', album: 'Tests' })
    for (const t of tracks) {
      expect(t.duration).toBeGreaterThan(0.95)
      expect(t.duration).toBeLessThan(1.1)
    }
  })

  test('tells which file comes next, with its tags', async () => {
    const source = new PlaylistSource({ entries: [a, b] })
    await source.open()
    const frames = source.frames()
    await frames.next()
    expect(await source.upcoming()).toMatchObject({ path: b, origin: 'playlist', title: 'b' })
    await frames.return(undefined)
  })

  test('shuffles with the given randomness, and picks up files added before the last track of a loop starts', async () => {
    const folder = dir.path('grow')
    dir.copy(a, 'grow/1.mp3')
    dir.copy(b, 'grow/2.mp3')
    let calls = 0
    const source = new PlaylistSource({
      entries: [folder],
      shuffle: true,
      random: () => (calls++ % 2 === 0 ? 0 : 0.99),
    })
    await source.open()
    const frames = source.frames()
    const seen: string[] = []
    let last = -1
    for await (const { track } of frames) {
      if (track.id === last) continue
      last = track.id
      seen.push(track.path!.split('/').pop()!)
      if (seen.length === 1) dir.copy(a, 'grow/3.mp3')
      if (seen.length === 5) break
    }
    expect(new Set(seen.slice(0, 2))).toEqual(new Set(['1.mp3', '2.mp3']))
    expect(seen.slice(2)).toContain('3.mp3')
  })

  test('shuffling never plays the same track twice in a row across loops', async () => {
    // These "random" numbers shuffle [a, b] into a, b then b, a: the last track would start the next loop.
    let n = 0
    const source = new PlaylistSource({ entries: [a, b], shuffle: true, random: () => [0.9, 0.1][n++ % 2]! })
    await source.open()
    const played = await play(source, 8)
    for (let i = 1; i < played.length; i++) expect(played[i]!.path).not.toBe(played[i - 1]!.path)
  })

  test('skip() ends the current track at the next frame; asking twice skips once', async () => {
    const source = new PlaylistSource({ entries: [a, b] })
    await source.open()
    const frames = source.frames()
    const first = (await frames.next()).value as SourceFrame
    for (let i = 0; i < 5; i++) await frames.next()
    source.skip()
    source.skip()
    const next = (await frames.next()).value as SourceFrame
    expect(first.track.path).toBe(a)
    expect(next.track.path).toBe(b)
    // b plays whole: a second skip was not left pending.
    let bFrames = 1
    for (
      let step = await frames.next();
      (step.value as SourceFrame).track.id === next.track.id;
      step = await frames.next()
    ) bFrames++
    expect(bFrames).toBeGreaterThan(35)
    await frames.return?.(undefined)
  })

  test('skips a missing, corrupt or mismatched file with one log line each, however often it loops', async () => {
    const mixed = dir.path('mixed.m3u')
    dir.write(
      'mixed.m3u',
      [a, 'gone.mp3', dir.write('junk.mp3', noise(50_000)), fixtures.mp3At48k(), fixtures.aac(1), fixtures.mp3Mono(), b]
        .join('\n'),
    )
    const { lines, log } = capture()
    const source = new PlaylistSource({ entries: [mixed], log })
    await source.open()
    const played = await play(source, 6)
    expect(played.map((p) => p.path)).toEqual([a, b, a, b, a, b])
    const warnings = lines.filter((l) => l.includes('skipping'))
    expect(warnings).toHaveLength(5)
    expect(warnings.find((l) => l.includes('gone.mp3'))).toContain('file not found')
    expect(warnings.find((l) => l.includes('junk.mp3'))).toContain('no MP3, AAC')
    expect(warnings.some((l) => l.includes('48000 Hz, mount is 44100 Hz'))).toBe(true)
    expect(warnings.some((l) => l.includes('format AAC, mount is MP3'))).toBe(true)
    expect(warnings.some((l) => l.includes('1 channel(s), mount has 2'))).toBe(true)
  })

  test('the first playable file sets the format; a configured format skips files of the other', async () => {
    const source = new PlaylistSource({ entries: [fixtures.aac(1), a], format: 'mp3' })
    expect(await source.open()).toMatchObject({ format: 'mp3', path: a })
  })

  test('a playlist with nothing playable is an error that names every file and why', async () => {
    const source = new PlaylistSource({
      entries: [dir.path('nope.mp3'), dir.write('empty.mp3', ''), dir.write('readme.txt', 'hello')],
    })
    const error = await source.open().then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(PlaylistError)
    const message = (error as Error).message
    expect(message).toContain('nothing in the playlist is playable (3 files)')
    expect(message).toContain(`${dir.path('nope.mp3')}: file not found`)
    expect(message).toContain(`${dir.path('empty.mp3')}: empty file`)
    expect(message).toContain(`${dir.path('readme.txt')}: no MP3, AAC`)
    expect((error as PlaylistError).failures).toHaveLength(3)
  })

  test('an empty folder is an error saying so', async () => {
    const source = new PlaylistSource({ entries: [dir.path('ok/nothing-here')] })
    await expect(source.open()).rejects.toThrow('file not found')
    dir.write('void/notes.txt', 'x')
    await expect(new PlaylistSource({ entries: [dir.path('void')] }).open()).rejects.toThrow('the playlist is empty')
  })

  test(
    'when every file disappears it waits with back-off instead of spinning, and resumes when one returns',
    async () => {
      const only = dir.copy(a, 'vanish/only.mp3')
      const clock = new ManualClock()
      const { lines, log } = capture()
      const source = new PlaylistSource({ entries: [dir.path('vanish')], clock, log })
      await source.open()
      const frames = source.frames()
      const first = (await frames.next()).value as SourceFrame
      rmSync(only)
      let resumed = false
      const draining = (async () => {
        for await (const { track } of frames) if (track.id !== first.track.id) return (resumed = track.path === only)
      })()
      // It plays out the frames it had, then finds nothing: it looks again after 1, 2, 4, 8, 16, 30, 30 s.
      const asleep = () => waitFor(() => clock.pending > 0, 5000, 'the source to wait')
      const waits: number[] = []
      for (let i = 0; i < 7; i++) {
        await asleep()
        waits.push((clock.nextDue! - clock.now()) / 1000)
        await clock.advance(clock.nextDue! - clock.now())
      }
      await asleep()
      expect(waits).toEqual([1, 2, 4, 8, 16, 30, 30])
      expect(lines.filter((l) => l.includes('nothing in the playlist is playable'))).toHaveLength(8)
      expect(resumed).toBe(false)
      dir.copy(a, 'vanish/only.mp3')
      await clock.advance(clock.nextDue! - clock.now())
      await draining
      expect(resumed).toBe(true)
      source.close()
    },
    15_000,
  )
})
