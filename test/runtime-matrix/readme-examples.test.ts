import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../../bench/servers/process.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { openListener } from '../helpers/listen-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { run } from '../helpers/process.ts'
import { ffmpegSource } from '../helpers/source-client.ts'
import { ensureBuild, ensureNode24, ROOT, systemNode } from './runtimes.ts'

/** The README's library examples, as written: `<!-- example: <file> <runtime> -->` before a code block. */
const EXAMPLES = [
  ...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(
    /<!-- example: (\S+) (node|bun|deno) -->\n```(?:js|ts)\n([\s\S]*?)```/g,
  ),
]
  .map(([, file, runtime, code]) => ({ file: file!, runtime: runtime!, code: code! }))

const BIN = join(ROOT, 'node_modules/.bin')

/** How each runtime the README names runs a file; Node's examples run on Node 20 (the system's) and 24. */
const COMMANDS: Record<string, { name: string; command: (file: string) => string[] }[]> = {
  node: [
    { name: 'node 20 (system)', command: (file) => [systemNode(), file] },
    { name: 'node 24', command: (file) => [ensureNode24(), file] },
  ],
  bun: [{ name: 'bun', command: (file) => [join(BIN, 'bun'), file] }],
  deno: [{
    name: 'deno',
    command: (file) => [join(BIN, 'deno'), 'run', '--allow-net', '--allow-read', '--allow-env', '--allow-sys', file],
  }],
}

/** A project as a user has it: a package.json, airwave (and hono) installed, a music folder. */
const project = (file: string, code: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'airwave-example-'))
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'radio', type: 'module', dependencies: { airwave: '*', hono: '*' } }),
  )
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(ROOT, join(dir, 'node_modules/airwave'))
  symlinkSync(join(ROOT, 'node_modules/hono'), join(dir, 'node_modules/hono'))
  mkdirSync(join(dir, 'music'))
  copyFileSync(fixtures.mp3(4, 440), join(dir, 'music/01 - tone.mp3'))
  writeFileSync(join(dir, file), code)
  return dir
}

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})
beforeAll(() => ensureBuild(), 120_000)

test('the README shows a library example for each runtime and for embedding in a Hono app', () => {
  expect(EXAMPLES.map((e) => `${e.file} ${e.runtime}`)).toEqual([
    'server.mjs node',
    'server.ts bun',
    'server.ts deno',
    'app.ts bun',
  ])
})

describe.each(EXAMPLES.flatMap((example) => COMMANDS[example.runtime]!.map((leg) => ({ ...example, leg }))))(
  '$file on $leg.name',
  ({ file, code, leg }) => {
    test('runs as written: the station plays, its pages and stream answer, and SIGTERM stops it cleanly', async () => {
      const dir = project(file, code)
      dirs.push(dir)
      const [port, sourcePort] = [await freePort(), await freePort()]
      const [command, ...args] = leg.command(join(dir, file))
      const station = run(command!, args, {
        cwd: dir,
        env: { ...process.env, PORT: String(port), SOURCE_PORT: String(sourcePort), SOURCE_PASSWORD: 's3cret' },
      })
      try {
        const [, url] = await station.waitFor(/on air: (http:\S+)/, 30_000)
        const base = url!.replace('localhost', '127.0.0.1').replace(/\/stream$/, '/')
        const stream = new URL('stream', base).href
        const listener = await openListener(stream)
        expect(listener.response.status).toBe(200)
        expect(listener.response.headers.get('content-type')).toBe('audio/mpeg')
        await waitFor(() => listener.frames().length > 100, 10_000, 'two seconds of audio')

        const page = await fetch(base)
        expect(page.status).toBe(200)
        const html = await page.text()
        const links = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => new URL(m[1]!, page.url).href)
        expect(links.length).toBeGreaterThan(8)
        for (const link of links) {
          const response = await fetch(link, { signal: AbortSignal.timeout(5000) })
          expect({ link, status: response.status }).toEqual({ link, status: 200 })
          await response.body?.cancel()
        }

        if (file === 'app.ts') {
          // The host site is the app's own; the radio lives under /radio, where a DJ goes live.
          expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('Listen to our radio')
          const dj = ffmpegSource(sourcePort, '/stream', { password: 's3cret' })
          try {
            await waitFor(() => listener.frames().some((f) => f.bitrate === 64), 15_000, 'the DJ on the prefixed mount')
          } finally {
            dj.child.kill('SIGKILL')
          }
        }
        await listener.stop()
        station.child.kill('SIGTERM')
        expect(await station.exited).toBe(0)
      } finally {
        station.child.kill('SIGKILL')
      }
    }, 60_000)
  },
)
