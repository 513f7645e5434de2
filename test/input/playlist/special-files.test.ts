import { afterAll, describe, expect, test } from 'bun:test'
import { execFileSync } from 'node:child_process'
import { chmodSync, closeSync, constants, mkdirSync, openSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import type { Server } from 'node:net'
import { probeAudioFile, readAudioFrames } from '../../../src/input/playlist/audio-file.ts'
import { PlaylistSource } from '../../../src/input/playlist/playlist-source.ts'
import { readTrackTags } from '../../../src/input/playlist/track-tags.ts'
import type { SourceFrame } from '../../../src/input/track.ts'
import { createLogger } from '../../../src/log.ts'
import { fixtures } from '../../helpers/fixtures.ts'
import { tempDir } from '../../helpers/temp-dir.ts'

const dir = tempDir()
const fifos: string[] = []
const servers: Server[] = []
afterAll(() => {
  // Should a regression open a FIFO and wait for a writer, be that writer, so the test run can end.
  for (const fifo of fifos) {
    try {
      closeSync(openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK))
    } catch {
      // already removed
    }
  }
  for (const server of servers) server.close()
  dir.remove()
})

/** A FIFO (named pipe) nobody writes to: opening it to read would wait forever. */
const fifo = (relative: string) => {
  const path = dir.path(relative)
  mkdirSync(dir.path(relative, '..'), { recursive: true })
  execFileSync('mkfifo', [path])
  fifos.push(path)
  return path
}

/** A Unix socket, listening. */
const unixSocket = async (relative: string) => {
  const path = dir.path(relative)
  const server = createServer().listen(path)
  servers.push(server)
  await new Promise((resolve) => server.once('listening', resolve))
  return path
}

/** A file nobody may read: refused with why, except to root, who reads anything. */
const locked = (relative: string) => {
  const path = dir.copy(fixtures.mp3(1, 770), relative)
  chmodSync(path, 0)
  return path
}
const root = process.getuid?.() === 0

const capture = () => {
  const lines: string[] = []
  return { lines, log: createLogger({ level: 'debug', write: (line) => lines.push(line) }) }
}

/** The files of the first `count` tracks played. */
const playPaths = async (source: PlaylistSource, count: number) => {
  const paths: string[] = []
  let last = -1
  for await (const { track } of source.frames() as AsyncGenerator<SourceFrame>) {
    if (track.id === last) continue
    if (paths.length === count) break
    last = track.id
    paths.push(track.path!)
  }
  return paths
}

/** The log lines that name `path`. */
const about = (lines: string[], path: string) => lines.filter((line) => line.includes(`${path}:`))

describe('files that are not regular files are never opened', () => {
  const a = dir.copy(fixtures.mp3(1, 440), 'ok/a.mp3')
  const b = dir.copy(fixtures.mp3(1, 550), 'ok/b.mp3')

  test('probing refuses a FIFO, a socket and a directory named like an MP3, at once and with why', async () => {
    expect(await probeAudioFile(fifo('probe/pipe.mp3'))).toEqual({
      ok: false,
      reason: 'is a FIFO (named pipe), not a regular file',
    })
    expect(await probeAudioFile(await unixSocket('probe/socket.mp3'))).toEqual({
      ok: false,
      reason: 'is a socket, not a regular file',
    })
    mkdirSync(dir.path('probe/dir.mp3'))
    expect(await probeAudioFile(dir.path('probe/dir.mp3'))).toEqual({ ok: false, reason: 'is a directory' })
  })

  test('an unreadable file is refused with why; as root, who reads anything, it is played', async () => {
    const probe = await probeAudioFile(locked('probe/locked.mp3'))
    if (root) expect(probe).toMatchObject({ ok: true, value: { format: 'mp3' } })
    else expect(probe).toMatchObject({ ok: false, reason: expect.stringContaining('permission denied') })
  })

  test('a probed file swapped for a FIFO is refused when its audio or tags are read, never waited on', async () => {
    const path = dir.copy(a, 'swap/track.mp3')
    const probe = await probeAudioFile(path)
    if (!probe.ok) throw new Error(probe.reason)
    expect((await readTrackTags(path)).duration).toBeGreaterThan(0.9)
    rmSync(path)
    fifo('swap/track.mp3')
    expect(await readTrackTags(path)).toEqual({})
    const frames = readAudioFrames(probe.value)
    await expect(frames.next()).rejects.toThrow('is a FIFO (named pipe), not a regular file')
  })

  test('a folder holding a FIFO, a socket, a broken link and an unreadable file plays on, telling each once', async () => {
    const music = dir.path('music')
    const first = dir.copy(a, 'music/1 first.mp3')
    const pipe = fifo('music/2 pipe.mp3')
    const socket = await unixSocket('music/3 socket.mp3')
    const inside = dir.copy(b, 'music/4 folder.mp3/inside.mp3')
    const broken = dir.link(dir.path('music/nowhere.mp3'), 'music/5 broken.mp3')
    const unreadable = locked('music/6 locked.mp3')
    const last = dir.copy(b, 'music/7 last.mp3')
    const { lines, log } = capture()
    const source = new PlaylistSource({ entries: [music], log })
    await source.open()
    const loop = root ? [first, inside, unreadable, last] : [first, inside, last]
    // Three times round the folder (rescanned at each loop).
    expect(await playPaths(source, loop.length * 3)).toEqual([...loop, ...loop, ...loop])
    expect(about(lines, pipe)).toEqual([expect.stringContaining('is a FIFO (named pipe), not a regular file')])
    expect(about(lines, socket)).toEqual([expect.stringContaining('is a socket, not a regular file')])
    expect(about(lines, broken)).toEqual([expect.stringContaining('a broken symbolic link')])
    expect(about(lines, unreadable)).toEqual(root ? [] : [expect.stringContaining('permission denied')])
    expect(lines.filter((line) => / (warn|error) /.test(line))).toHaveLength(root ? 3 : 4)
  })

  test('a playlist listing a FIFO, a socket, a FIFO named like a playlist and a folder named like a file plays on', async () => {
    const pipe = fifo('listed/pipe.mp3')
    const socket = await unixSocket('listed/socket.mp3')
    const pipeList = fifo('listed/more.m3u')
    mkdirSync(dir.path('listed/empty.mp3'))
    const list = dir.write('listed/list.m3u', [a, pipe, socket, pipeList, 'empty.mp3', b].join('\n'))
    const { lines, log } = capture()
    const source = new PlaylistSource({ entries: [list], log })
    await source.open()
    expect(await playPaths(source, 6)).toEqual([a, b, a, b, a, b])
    expect(about(lines, pipe)).toEqual([expect.stringContaining('is a FIFO (named pipe), not a regular file')])
    expect(about(lines, socket)).toEqual([expect.stringContaining('is a socket, not a regular file')])
    expect(about(lines, pipeList)).toEqual([expect.stringContaining('is a FIFO (named pipe), not a regular file')])
    expect(lines.filter((line) => line.includes(`folder ${dir.path('listed/empty.mp3')} holds no`))).toHaveLength(1)
    expect(lines.filter((line) => / (warn|error) /.test(line))).toHaveLength(4)
  })

  test('the next file swapped for a FIFO while the one before it plays is skipped with one line; the stream goes on', async () => {
    const [one, two, three] = ['one', 'two', 'three'].map((name) => dir.copy(a, `swapping/${name}.mp3`))
    const { lines, log } = capture()
    const source = new PlaylistSource({ entries: [one!, two!, three!], log })
    await source.open()
    const frames = source.frames()
    const started = (await frames.next()).value as SourceFrame
    expect(started.track.path).toBe(one)
    // `two` is found playable and probed while `one` plays; then it becomes a FIFO.
    expect((await source.upcoming())?.path).toBe(two)
    rmSync(two!)
    fifo('swapping/two.mp3')
    const paths = [one]
    for (let last = started.track.id; paths.length < 5;) {
      const { track } = (await frames.next()).value as SourceFrame
      if (track.id !== last) paths.push(track.path)
      last = track.id
    }
    await frames.return(undefined)
    expect(paths).toEqual([one, three, one, three, one])
    expect(about(lines, two!)).toEqual([expect.stringContaining('is a FIFO (named pipe), not a regular file')])
  })
})
