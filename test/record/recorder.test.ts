import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { RecordConfig } from '../../src/config/recording-schema.ts'
import { RecordConfigSchema } from '../../src/config/recording-schema.ts'
import type { ChainLink } from '../../src/format/ogg/ogg-pages.ts'
import type { InputKind, Track } from '../../src/input/track.ts'
import { createLogger } from '../../src/log.ts'
import type { Chunk } from '../../src/pipeline/chunk.ts'
import { filePattern } from '../../src/record/file-pattern.ts'
import { prune, recordingsOf } from '../../src/record/prune.ts'
import { Recorder } from '../../src/record/recorder.ts'
import { ManualClock, waitFor } from '../helpers/manual-clock.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const dirs: ReturnType<typeof tempDir>[] = []
afterEach(() => dirs.splice(0).forEach((dir) => dir.remove()))

/** 10:59:30 UTC: half a minute before the top of an hour. */
const EPOCH = Date.UTC(2026, 6, 1, 10, 59, 30)

let nextId = 1000
const track = (origin: InputKind): Track => ({ id: nextId++, origin, title: origin })

const setup = (record: Partial<RecordConfig>) => {
  const dir = tempDir('airwave-record-')
  dirs.push(dir)
  const clock = new ManualClock({ epoch: EPOCH })
  const logs: string[] = []
  const log = createLogger({ level: 'debug', write: (line) => logs.push(line), writeAccess: () => {} })
  const config = RecordConfigSchema.parse({ path: 'rec/%H%M%S-{mount}', ...record })
  const recorder = new Recorder(config, {
    mount: '/stream',
    timeZone: 'UTC',
    baseDir: dir.root,
    format: () => 'mp3',
    clock,
    log,
  })
  let position = 0
  let serial = 0
  /** Publishes a chunk of 250 ms of `track` (its bytes tell which chunk it was), then lets 250 ms pass. */
  const publish = async (of: Track, extra: Partial<Chunk> = {}) => {
    const data = new TextEncoder().encode(`<${of.origin} ${of.id} #${serial++}>`)
    const chunk: Chunk = {
      data,
      duration: 0.25,
      position,
      frames: 1,
      firstFrameLength: data.length,
      track: of,
      trackStart: false,
      ...extra,
    }
    position += 0.25
    recorder.take({ type: 'chunk', chunk })
    await clock.advance(250)
  }
  const files = () =>
    readdirSync(dir.path('rec'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(dir.path('rec'), join(entry.parentPath, entry.name)))
      .sort()
  const read = (name: string) => readFileSync(dir.path('rec', name), 'utf8')
  return { dir, clock, logs, recorder, publish, files, read }
}

describe('a recorder', () => {
  test('appends each chunk as published and starts a new file on the hour, named on the station clock', async () => {
    const { dir, recorder, publish, files, read, logs } = setup({ rotateMinutes: 60 })
    const song = track('playlist')
    for (let i = 0; i < 160; i++) await publish(song) // 40 s: 10:59:30 to 11:00:10
    const onDisk = () => existsSync(dir.path('rec', recorder.status!.file)) && read(recorder.status!.file).length
    await waitFor(() => recorder.status!.bytes > 0 && recorder.status!.bytes === onDisk(), 5000, 'the writes')
    expect(recorder.status).toMatchObject({ file: '110000-stream.mp3', since: new Date(Date.UTC(2026, 6, 1, 11)) })
    await recorder.close()
    expect(files()).toEqual(['105930-stream.mp3', '110000-stream.mp3'])
    const first = read('105930-stream.mp3')
    const second = read('110000-stream.mp3')
    // 30 s (120 chunks) before the hour, the rest after, nothing lost or doubled, in order.
    expect(first.match(/<[^>]*>/g)!.length).toBe(120)
    expect(second.match(/<[^>]*>/g)!.length).toBe(40)
    expect(logs.filter((line) => line.includes('recording failed'))).toEqual([])
    expect(first + second).toBe(Array.from({ length: 160 }, (_, i) => `<playlist ${song.id} #${i}>`).join(''))
    expect(logs.some((l) => /recording to .*105930-stream\.mp3/.test(l))).toBe(true)
    expect(logs.some((l) => /recording closed: .*105930-stream\.mp3 \(0\.0 MB, 0:00:30 of audio; rotation\)/.test(l)))
      .toBe(true)
  })

  test('a live show starts a file when its source connects and another when it leaves; never over an existing file', async () => {
    const { dir, recorder, publish, files, read } = setup({ rotateMinutes: 0, path: 'rec/{mount}' })
    dir.write('rec/stream.mp3', 'not ours to overwrite') // taken: the first file is stream-1.mp3
    const song = track('playlist')
    await publish(song)
    await publish(song)
    const dj = track('live')
    recorder.liveShow(dj.id)
    await publish(song) // still the playlist's audio on air: same file
    await publish(dj)
    await publish(dj)
    await publish(track('playlist'))
    await recorder.close()
    expect(files()).toEqual(['stream-1.mp3', 'stream-2.mp3', 'stream-3.mp3', 'stream.mp3'])
    expect(read('stream.mp3')).toBe('not ours to overwrite')
    expect(read('stream-1.mp3')).toMatch(/^(<playlist \d+ #\d>){3}$/)
    expect(read('stream-2.mp3')).toMatch(/^(<live \d+ #\d>){2}$/)
    expect(read('stream-3.mp3')).toMatch(/^<playlist \d+ #5>$/)
  })

  test('a DJ who follows another without a break in between gets a file of their own', async () => {
    const { recorder, publish, files, read } = setup({ rotateMinutes: 0, path: 'rec/{mount}', liveOnly: true })
    const first = track('live')
    recorder.liveShow(first.id)
    await publish(first)
    const retitled = track('live') // the same DJ changes the title: same show
    await publish(retitled)
    const second = track('live')
    recorder.liveShow(second.id)
    await publish(retitled) // the first DJ's last audio, still on air
    await publish(second)
    await recorder.close()
    expect(files()).toEqual(['stream-1.mp3', 'stream.mp3'])
    expect(read('stream.mp3')).toMatch(/^(<live \d+ #\d>){3}$/)
    expect(read('stream-1.mp3')).toBe(`<live ${second.id} #3>`)
  })

  test('live-only records only while a live source is on air, and closes the file when the mount goes off air', async () => {
    const { recorder, publish, files, read } = setup({ rotateMinutes: 0, liveOnly: true, path: 'rec/{mount}' })
    await publish(track('playlist'))
    const dj = track('live')
    recorder.liveShow(dj.id)
    await publish(dj)
    await publish(dj)
    expect(recorder.status?.file).toBe('stream.mp3')
    recorder.offAir()
    expect(recorder.status).toBeUndefined()
    await publish(track('relay'))
    const next = track('live')
    recorder.liveShow(next.id)
    await publish(next)
    await recorder.close()
    expect(files()).toEqual(['stream-1.mp3', 'stream.mp3'])
    expect(read('stream.mp3')).toMatch(/^<live \d+ #1><live \d+ #2>$/)
    expect(read('stream-1.mp3')).toMatch(/^<live \d+ #4>$/)
  })

  test('an Ogg file begins with its link header pages, and a new file waits for a page that does not continue a packet', async () => {
    const { recorder, publish, read, files, logs } = setup({ rotateMinutes: 1, path: 'rec/{mount}.opus' })
    const link: ChainLink = { id: 1, headers: new TextEncoder().encode('[HEADERS]') }
    const song = track('playlist')
    await publish(song, { link, opensLink: false }) // joined midway: headers first
    for (let i = 0; i < 119; i++) await publish(song, { link }) // up to 11:00:00
    await publish(song, { link, continued: true }) // due to rotate, but it continues a packet
    await publish(song, { link })
    await recorder.close()
    expect(read('stream.opus').startsWith('[HEADERS]<playlist')).toBe(true)
    expect(read('stream.opus').match(/<[^>]*>/g)!.length).toBe(121)
    expect(read('stream-1.opus')).toMatch(/^\[HEADERS\]<playlist \d+ #121>$/)
    expect(files()).toEqual(['stream-1.opus', 'stream.opus'])
    expect(logs.filter((line) => line.includes('recording failed'))).toEqual([])
  })

  test('a folder that cannot be made is logged for the operator, the broadcast goes on, and recording tries again at the next rotation', async () => {
    const { dir, recorder, publish, files, logs } = setup({ rotateMinutes: 1, path: 'rec/%H%M/{mount}' })
    mkdirSync(dir.path('rec'))
    writeFileSync(dir.path('rec', '1059'), 'a file in the way of the folder 1059/')
    const song = track('playlist')
    await publish(song)
    await waitFor(() => logs.some((l) => l.includes('recording failed')), 5000, 'the failure')
    expect(logs.find((l) => l.includes('recording failed'))).toMatch(
      /cannot make the folder .*rec\/1059: a file is in the way of a folder of record\.path; move it, or change record\.path\. The stream plays on; recording tries again at 2026-07-01T11:00:00\.000Z/,
    )
    expect(recorder.problem).toMatch(
      /^cannot make the folder .*; tries again at 2026-07-01T11:00:00\.000Z or at the next live show$/,
    )
    for (let i = 0; i < 121; i++) await publish(song) // past 11:00: tried again, and it works
    await waitFor(() => recorder.problem === undefined, 5000, 'the problem to clear once a file is recorded')
    await recorder.close()
    expect(files()).toEqual(['1059', '1100/stream.mp3'])
    expect(logs.filter((l) => l.includes('recording failed')).length).toBe(1)
  })
})

describe('pruning', () => {
  const layout = () => {
    const dir = tempDir('airwave-prune-')
    dirs.push(dir)
    const day = 86_400_000
    const now = Date.UTC(2026, 6, 10, 12)
    const put = (name: string, bytes: number, ageDays: number) => {
      const path = dir.write(name, new Uint8Array(bytes))
      const when = (now - ageDays * day) / 1000
      utimesSync(path, when, when)
      return path
    }
    put('rec/2026-07-01/120000-stream.mp3', 1000, 9)
    put('rec/2026-07-01/130000-stream-1.mp3', 1000, 8.9)
    put('rec/2026-07-08/120000-stream.mp3', 1000, 2)
    put('rec/2026-07-10/110000-stream.mp3', 1000, 0.04)
    // Not this pattern's: another mount, another name, another folder, notes.
    const others = [
      put('rec/2026-07-01/120000-jazz.mp3', 5000, 30),
      put('rec/2026-07-01/notes.txt', 10, 30),
      put('rec/archive/120000-stream.mp3', 5000, 30),
      put('rec/2026-07-01/120000-stream.mp3.bak', 10, 30),
    ]
    return { dir, now, day, others, pattern: filePattern('rec/%Y-%m-%d/%H%M%S-{mount}', '/stream', dir.root) }
  }

  test('by age: only files of the pattern older than keepDays, oldest first; empty day folders go too', async () => {
    const { dir, now, day, others, pattern } = layout()
    expect((await recordingsOf(pattern)).map((f) => relative(dir.root, f.path))).toEqual([
      'rec/2026-07-01/120000-stream.mp3',
      'rec/2026-07-01/130000-stream-1.mp3',
      'rec/2026-07-08/120000-stream.mp3',
      'rec/2026-07-10/110000-stream.mp3',
    ])
    const { deleted } = await prune(pattern, { maxAgeMs: 3 * day }, now, new Set())
    expect(deleted.map((f) => relative(dir.root, f.path))).toEqual([
      'rec/2026-07-01/120000-stream.mp3',
      'rec/2026-07-01/130000-stream-1.mp3',
    ])
    for (const other of others) expect(existsSync(other)).toBe(true)
    expect(existsSync(dir.path('rec/2026-07-08/120000-stream.mp3'))).toBe(true)
  })

  test('by size: the oldest go until the rest fit, never the file being written; an emptied folder is removed', async () => {
    const { dir, now, others, pattern } = layout()
    const writing = dir.path('rec/2026-07-01/120000-stream.mp3')
    const { deleted } = await prune(pattern, { maxBytes: 2000 }, now, new Set([writing]))
    expect(deleted.map((f) => relative(dir.root, f.path))).toEqual([
      'rec/2026-07-01/130000-stream-1.mp3',
      'rec/2026-07-08/120000-stream.mp3',
    ])
    expect(existsSync(writing)).toBe(true)
    expect(existsSync(dir.path('rec/2026-07-08'))).toBe(false)
    for (const other of others) expect(existsSync(other)).toBe(true)
    expect(statSync(dir.path('rec/2026-07-10/110000-stream.mp3')).size).toBe(1000)
  })

  test('a recorder prunes at start-up, as its config asks', async () => {
    const { dir, others } = layout()
    const clock = new ManualClock({ epoch: Date.now() })
    const logs: string[] = []
    const log = createLogger({ level: 'debug', write: (line) => logs.push(line), writeAccess: () => {} })
    const config = RecordConfigSchema.parse({ path: 'rec/%Y-%m-%d/%H%M%S-{mount}', maxTotalMB: 0.0025 })
    const recorder = new Recorder(config, {
      mount: '/stream',
      timeZone: 'UTC',
      baseDir: dir.root,
      format: () => 'mp3',
      clock,
      log,
    })
    await recorder.close()
    expect(logs.some((l) => /pruned 2 old recording\(s\) \(0\.0 MB\)/.test(l))).toBe(true)
    expect(existsSync(dir.path('rec/2026-07-08/120000-stream.mp3'))).toBe(true)
    for (const other of others) expect(existsSync(other)).toBe(true)
  })
})
