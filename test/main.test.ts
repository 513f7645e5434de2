import { afterAll, describe, expect, test } from 'bun:test'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fixtures, noise } from './helpers/fixtures.ts'
import { record } from './helpers/listen-client.ts'
import { run } from './helpers/process.ts'
import { tempDir } from './helpers/temp-dir.ts'
import { ROOT } from './runtime-matrix/runtimes.ts'

const dir = tempDir()
afterAll(() => dir.remove())
const BUN = join(ROOT, 'node_modules/.bin/bun')
const MAIN = join(ROOT, 'src/main.ts')
const cli = (...args: string[]) => run(BUN, [MAIN, ...args])
const finish = async (started: ReturnType<typeof cli>) => ({
  code: await started.exited,
  err: started.stderr.join('\n'),
  out: started.stdout.join('\n'),
})

describe('the airwave command', () => {
  test('--help documents the usage and exits 0', async () => {
    const { code, out } = await finish(cli('--help'))
    expect(code).toBe(0)
    expect(out).toContain('Usage:')
    expect(out).toContain('--config <file>')
  })

  test('--version prints the version', async () => {
    const { code, out } = await finish(cli('--version'))
    expect(code).toBe(0)
    expect(out).toMatch(/^airwave \d+\.\d+\.\d+$/)
  })

  test('an unknown flag is a usage error (exit 2)', async () => {
    const { code, err } = await finish(cli('--volume', '11'))
    expect(code).toBe(2)
    expect(err).toMatch(/^airwave: .*--volume.*\(see airwave --help\)$/)
  })

  test('a malformed config file is refused (exit 2), naming each field and what was expected', async () => {
    const config = dir.write(
      'bad.json',
      JSON.stringify({ port: 'eighty', mounts: [{ path: 'no-slash', playlist: ['x.mp3'], burst: -3 }] }),
    )
    const { code, err } = await finish(cli('--config', config))
    expect(code).toBe(2)
    expect(err).toContain(`airwave: invalid configuration in ${config}:`)
    expect(err).toContain('  port: Invalid input: expected number, received string')
    expect(err).toContain('  mounts[0].path: a path like "/stream"')
    expect(err).toContain('  mounts[0].burst: Too small: expected number to be >=0')
  })

  test('a playlist with nothing playable stops start-up (exit 1), naming every file and why', async () => {
    const empty = dir.write('empty.mp3', '')
    const text = dir.write('notes.mp3', 'not audio at all\n'.repeat(100))
    const { code, err } = await finish(cli(empty, text, dir.path('missing.mp3')))
    expect(code).toBe(1)
    expect(err).toContain('airwave: /stream: nothing in the playlist is playable (3 files):')
    expect(err).toContain(`${empty}: empty file`)
    expect(err).toContain(`${text}: no MP3, AAC (ADTS), or Opus, Vorbis or FLAC in Ogg found`)
    expect(err).toContain(`${dir.path('missing.mp3')}: file not found`)
  })

  test('a port already in use is a clear error (exit 1)', async () => {
    const blocker = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => blocker.once('listening', resolve))
    const port = (blocker.address() as AddressInfo).port
    try {
      const { code, err } = await finish(cli('--host', '127.0.0.1', '--port', String(port), fixtures.mp3(1)))
      expect(code).toBe(1)
      expect(err).toContain(`airwave: port ${port} on 127.0.0.1 is already in use (choose another with --port)`)
    } finally {
      blocker.close()
    }
  })

  test(
    'bad files in the playlist are skipped with one clear line each while the station serves the good ones',
    async () => {
      const station = cli(
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        dir.write('corrupt.mp3', noise(30_000, 3)),
        dir.path('gone.mp3'),
        dir.write('blank.mp3', ''),
        fixtures.mp3(2, 440),
        fixtures.aac(1),
        fixtures.mp3At48k(),
      )
      try {
        const [, port] = await station.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
        const recording = await record(`http://127.0.0.1:${port}/stream`, 1500)
        expect(recording.status).toBe(200)
        expect(recording.data.length).toBeGreaterThan(16_000)
        const notFound = await fetch(`http://127.0.0.1:${port}/other`)
        expect(notFound.status).toBe(404)
        await notFound.text()
        await Bun.sleep(2500)
        const skips = station.stderr.filter((l) => l.includes('skipping'))
        expect(skips.filter((l) => l.includes('corrupt.mp3'))).toHaveLength(1)
        expect(skips.filter((l) => l.includes('gone.mp3: file not found'))).toHaveLength(1)
        expect(skips.filter((l) => l.includes('blank.mp3: empty file'))).toHaveLength(1)
        expect(skips.filter((l) => l.includes('format AAC, mount is MP3'))).toHaveLength(1)
        expect(skips.filter((l) => l.includes('48000 Hz, mount is 44100 Hz'))).toHaveLength(1)
        // The banner counts what will play, not what was found.
        expect(station.stderr.some((l) => /mount \/stream: .* 1 playable file\(s\) \(5 of 6 skipped/.test(l))).toBe(
          true,
        )
        expect(station.child.exitCode).toBeNull()
      } finally {
        station.child.kill('SIGTERM')
        expect(await station.exited).toBe(0)
      }
    },
    20_000,
  )

  test('without passwords the banner says live sources and the admin API are off, and how to turn them on', async () => {
    const station = cli('--host', '127.0.0.1', '--port', '0', fixtures.mp3(1))
    try {
      await station.waitFor(/listening on 127\.0\.0\.1:\d+/)
      await station.waitFor(
        /live sources are off: start with --source-password \(or AIRWAVE_SOURCE_PASSWORD\) to let DJs take over/,
      )
      await station.waitFor(/admin API is off: start with --admin-password \(or AIRWAVE_ADMIN_PASSWORD\) to turn it on/)
    } finally {
      station.child.kill('SIGTERM')
      expect(await station.exited).toBe(0)
    }
  })

  test('airwave <music> --source-password … --admin-password …: DJs connect on the HTTP port + 1; no password is ever printed', async () => {
    const port = await freePortPair()
    const station = cli(
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--source-password',
      'cli-s3cret',
      '--admin-password',
      'cli-adm1n',
      fixtures.mp3(2),
    )
    try {
      await station.waitFor(new RegExp(`listening on 127\\.0\\.0\\.1:${port}`))
      await station.waitFor(
        new RegExp(
          `live sources: connect your encoder to port ${
            port + 1
          }, user "source", the source password, and a mount \\(/stream\\)`,
        ),
      )
      await station.waitFor(new RegExp(`admin API on http://127\\.0\\.0\\.1:${port}/admin/ \\(user "admin"\\)`))
      await station.waitFor(
        /mount \/stream: MP3 44100 Hz stereo, 128 kbit\/s, 1 playable file\(s\), takes live sources/,
      )
      const mounts = await fetch(`http://127.0.0.1:${port}/admin/listmounts.json`, {
        headers: { Authorization: `Basic ${btoa('admin:cli-adm1n')}` },
      })
      expect(mounts.status).toBe(200)
      await mounts.text()
    } finally {
      station.child.kill('SIGTERM')
      expect(await station.exited).toBe(0)
    }
    expect([...station.stdout, ...station.stderr].filter((l) => l.includes('cli-s3cret') || l.includes('cli-adm1n')))
      .toEqual([])
  })

  test('a source port already in use is a clear error (exit 1)', async () => {
    const blocker = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => blocker.once('listening', resolve))
    const taken = (blocker.address() as AddressInfo).port
    try {
      const { code, err } = await finish(
        cli(
          '--host',
          '127.0.0.1',
          '--port',
          '0',
          '--source-port',
          String(taken),
          '--source-password',
          'x',
          fixtures.mp3(1),
        ),
      )
      expect(code).toBe(1)
      expect(err).toContain(
        `airwave: source port ${taken} on 127.0.0.1 is already in use (choose another with --source-port)`,
      )
    } finally {
      blocker.close()
    }
  })
})

/** A free TCP port whose successor is free too (for the default source port, HTTP port + 1). */
const freePortPair = async (): Promise<number> => {
  for (;;) {
    const probe = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => probe.once('listening', resolve))
    const port = (probe.address() as AddressInfo).port
    probe.close()
    const next = createServer()
    const free = await new Promise<boolean>((resolve) => {
      next.once('error', () => resolve(false))
      next.listen(port + 1, '127.0.0.1', () => resolve(true))
    })
    next.close()
    if (free && port < 65535) return port
  }
}
