import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import type { Frame } from '../../src/format/frame.ts'
import { commentValue } from '../../src/format/ogg/comments.ts'
import { OggPageParser } from '../../src/format/ogg/ogg-pages.ts'
import { oggCrc } from '../../src/format/ogg/page-writer.ts'
import type { SourceFrame, Track } from '../../src/input/track.ts'
import { nextTrackId } from '../../src/input/track.ts'
import { OggChain } from '../../src/pipeline/ogg-chain.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { framesOf } from '../helpers/live-feed.ts'
import { systemFfmpeg } from '../helpers/ogg.ts'

const track = (title: string, tags: Partial<Track> = {}): Track => ({
  id: nextTrackId(),
  origin: 'playlist',
  title,
  ...tags,
})
const items = (frames: readonly Frame[], of: Track): SourceFrame[] => frames.map((frame) => ({ frame, track: of }))

const through = async (input: SourceFrame[]): Promise<{ chain: OggChain; out: SourceFrame[] }> => {
  const chain = new OggChain((async function* () {
    yield* input
  })())
  const out: SourceFrame[] = []
  for (let step = await chain.next(); !step.done; step = await chain.next()) out.push(step.value)
  return { chain, out }
}

const bytesOf = (out: readonly SourceFrame[]) => Buffer.concat(out.map(({ frame }) => frame.data))
const field = (page: Uint8Array, at: number) => new DataView(page.buffer, page.byteOffset).getUint32(at, true)
const serialOf = (page: Uint8Array) => field(page, 14)

/** What a player makes of the stream: Debian's ffmpeg decoding it from a pipe, as from a socket. */
const decode = (bytes: Uint8Array) => {
  const run = spawnSync(
    systemFfmpeg(),
    ['-v', 'error', '-i', 'pipe:0', '-f', 's16le', '-ac', '1', '-ar', '48000', '-'],
    {
      input: bytes,
      maxBuffer: 1 << 27,
    },
  )
  return { errors: run.stderr.toString(), seconds: run.stdout.length / 96_000 }
}

/** The links of an output stream as players read them: serial, whether each link starts with its header pages, its title. */
const links = (bytes: Uint8Array) => {
  const parser = new OggPageParser({ maxPageSeconds: Infinity })
  const pages = [...parser.push(bytes), ...parser.flush()]
  const starts = pages.flatMap((page, i) => (i === 0 || page.stream !== pages[i - 1]!.stream ? [i] : []))
  return starts.map((i) => ({
    serial: pages[i]!.stream.serial,
    opensWithHeaders: pages[i]!.header && pages[i + 1]!.header,
    title: commentValue(pages[i]!.stream.comments, 'TITLE'),
    artist: commentValue(pages[i]!.stream.comments, 'ARTIST'),
  }))
}

describe('OggChain', () => {
  test('two files in a row pass byte for byte, each page marked with its link, whose header pages are the file’s own', async () => {
    const [one, two] = await Promise.all([
      framesOf(fixtures.opus(2, 440, { title: 'One' })),
      framesOf(fixtures.opus(2, 660, { title: 'Two' })),
    ])
    const { out } = await through([...items(one, track('One')), ...items(two, track('Two'))])
    expect(bytesOf(out).equals(Buffer.concat([...one, ...two].map((f) => f.data)))).toBe(true)
    const [first, second] = [out[0]!.frame.page!.link!, out[one.length]!.frame.page!.link!]
    expect(first).not.toBe(second)
    expect(out.slice(0, one.length).every(({ frame }) => frame.page!.link === first)).toBe(true)
    expect(Buffer.from(first.headers).equals(Buffer.concat(one.slice(0, 2).map((f) => f.data)))).toBe(true)
    expect(Buffer.from(second.headers).equals(Buffer.concat(two.slice(0, 2).map((f) => f.data)))).toBe(true)
  })

  test('the same file twice in a row: the second link gets a serial of its own, its pages renumbered and sealed, and it decodes', async () => {
    const frames = await framesOf(fixtures.opus(2, 440, { title: 'Again' }))
    const { out } = await through([...items(frames, track('Again')), ...items(frames, track('Again'))])
    const second = out.slice(frames.length).map(({ frame }) => frame.data)
    expect(serialOf(second[0]!)).not.toBe(serialOf(frames[0]!.data))
    expect(new Set(second.map(serialOf)).size).toBe(1)
    expect(second.map((page) => field(page, 18))).toEqual(second.map((_, i) => i))
    for (const page of second) {
      const zeroed = page.slice()
      zeroed.fill(0, 22, 26)
      expect(oggCrc(zeroed)).toBe(field(page, 22))
    }
    expect(decode(bytesOf(out))).toEqual({ errors: '', seconds: 4 })
  })

  test('a stream that goes on midway (the playlist back after a DJ) is given its header pages again, under a new serial', async () => {
    const [song, dj] = await Promise.all([
      framesOf(fixtures.opus(4, 440, { title: 'Song', artist: 'Band' })),
      framesOf(fixtures.opus(2, 880, { title: 'DJ' })),
    ])
    const playing = track('Band - Song', { artist: 'Band', song: 'Song' })
    const cut = 10
    const { out } = await through([
      ...items(song.slice(0, cut), playing),
      ...items(dj, track('DJ')),
      ...items(song.slice(cut), playing),
    ])
    expect(links(bytesOf(out))).toEqual([
      { serial: expect.any(Number), opensWithHeaders: true, title: 'Song', artist: 'Band' },
      { serial: expect.any(Number), opensWithHeaders: true, title: 'DJ', artist: undefined },
      { serial: expect.any(Number), opensWithHeaders: true, title: 'Song', artist: 'Band' },
    ])
    const serials = links(bytesOf(out)).map((link) => link.serial)
    expect(serials[2]).not.toBe(serials[0])
    const { errors, seconds } = decode(bytesOf(out))
    expect(errors).toBe('')
    expect(seconds).toBeCloseTo(6, 1)
  })

  test('a new title within a stream (a DJ’s, over the admin API) is a new link whose comment header carries it, the audio going on', async () => {
    const frames = await framesOf(fixtures.vorbis(4, 440, { title: 'Live Set', artist: 'DJ' }))
    const cut = 8
    const { out } = await through([
      ...items(frames.slice(0, cut), track('Live Set')),
      ...items(frames.slice(cut), track('Tune Two', { artist: 'Someone', song: 'Tune Two' })),
    ])
    expect(links(bytesOf(out)).map(({ title, artist }) => ({ title, artist }))).toEqual([
      { title: 'Live Set', artist: 'DJ' },
      { title: 'Tune Two', artist: 'Someone' },
    ])
    expect(out[cut]!.frame.page!.header).toBe(true)
    expect(out[cut]!.frame.page!.link).not.toBe(out[0]!.frame.page!.link)
    const audio = (list: readonly SourceFrame[]) => list.reduce((sum, { frame }) => sum + frame.samples, 0)
    expect(audio(out)).toBe(audio(items(frames, track('x'))))
    expect(decode(bytesOf(out)).errors).toBe('')
  })

  test('cover art in a comment header (sent to every listener who joins) is left out of the link’s header pages; the titles stay', async () => {
    const art = 'A'.repeat(120_000)
    const frames = await framesOf(
      fixtures.opus(2, 440, { title: 'Pictured', artist: 'Band', METADATA_BLOCK_PICTURE: art }),
    )
    const read = frames.filter((frame) => frame.page!.header).reduce((sum, frame) => sum + frame.data.length, 0)
    expect(read).toBeGreaterThan(120_000)
    const { out } = await through(items(frames, track('Band - Pictured', { artist: 'Band', song: 'Pictured' })))
    const link = out[0]!.frame.page!.link!
    expect(link.headers.length).toBeLessThan(4096)
    expect(links(bytesOf(out)).map(({ title, artist }) => ({ title, artist }))).toEqual([{
      title: 'Pictured',
      artist: 'Band',
    }])
    const { errors, seconds } = decode(bytesOf(out))
    expect(errors).toBe('')
    expect(seconds).toBeCloseTo(2, 1)
  })

  test('pages of a stream whose header pages were never seen are dropped, counted: no player could decode them', async () => {
    const frames = await framesOf(fixtures.opus(2, 440))
    const headless = frames.slice(2).map((frame) => ({
      ...frame,
      page: { ...frame.page!, stream: { ...frame.page!.stream, headerPages: [] } },
    }))
    const { chain, out } = await through(items(headless, track('x')))
    expect(out).toEqual([])
    expect(chain.undecodable).toBe(headless.length)
  })

  test('MP3 frames pass untouched, with no link', async () => {
    const frames = (await framesOf(fixtures.mp3(1))).slice(0, 20)
    const input = items(frames, track('mp3'))
    const { out } = await through(input)
    expect(out).toEqual(input)
  })
})
