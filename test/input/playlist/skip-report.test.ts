import { describe, expect, test } from 'bun:test'
import { SkipReport } from '../../../src/input/playlist/skip-report.ts'
import { createLogger } from '../../../src/log.ts'

const report = () => {
  const lines: string[] = []
  const skips = new SkipReport(createLogger({ write: (line) => lines.push(line.replace(/^\S+ warn {2}/, '')) }))
  return { lines, skips }
}

describe('SkipReport', () => {
  test('a few files skipped for one reason are named one by one', () => {
    const { lines, skips } = report()
    skips.add({ path: '/x/a.mp3', listedIn: '/x/list.m3u' }, 'file not found')
    skips.add({ path: '/x/b.mp3', listedIn: '/x/list.m3u' }, 'file not found')
    skips.add({ path: '/x/c.mp3', listedIn: '/x/list.m3u' }, 'empty file')
    expect(lines).toEqual([])
    skips.flush()
    expect(lines).toEqual([
      'skipping /x/a.mp3: file not found',
      'skipping /x/b.mp3: file not found',
      'skipping /x/c.mp3: empty file',
    ])
  })

  test('many read as one line per reason and playlist, with their count and the first of them', () => {
    const { lines, skips } = report()
    for (let i = 0; i < 99_998; i++) skips.add({ path: `/x/${i}.mp3`, listedIn: '/x/list.pls' }, 'file not found')
    for (let i = 0; i < 4; i++) skips.add({ path: `/y/${i}.mp3`, listedIn: '/y' }, 'file not found')
    for (let i = 0; i < 5; i++) skips.add({ path: `/z/${i}.mp3` }, 'empty file')
    skips.flush()
    expect(lines).toEqual([
      'skipped 99,998 files in /x/list.pls: file not found (first: /x/0.mp3)',
      'skipped 4 files in /y: file not found (first: /y/0.mp3)',
      'skipped 5 files: empty file (first: /z/0.mp3)',
    ])
  })

  test('each file is told once per reason, however often it is skipped', () => {
    const { lines, skips } = report()
    for (let pass = 0; pass < 3; pass++) {
      skips.add({ path: '/x/a.mp3' }, 'file not found')
      skips.flush()
    }
    skips.add({ path: '/x/a.mp3' }, 'empty file')
    skips.flush()
    expect(lines).toEqual(['skipping /x/a.mp3: file not found', 'skipping /x/a.mp3: empty file'])
  })
})
