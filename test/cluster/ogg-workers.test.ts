import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { OggPageParser } from '../../src/format/ogg/ogg-pages.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { systemFfmpeg } from '../helpers/ogg.ts'
import { run } from '../helpers/process.ts'
import type { RawListener } from '../helpers/sockets.ts'
import { rawListener } from '../helpers/sockets.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import { LEGS } from '../runtime-matrix/runtimes.ts'

const LISTENERS = 12

const dir = tempDir('airwave-ogg-workers-')
afterAll(() => dir.remove())

describe.each(LEGS)('an Ogg mount served by worker processes on $name', (leg) => {
  beforeAll(() => leg.setup(), 120_000)

  test(
    'every listener, whichever worker serves it, starts with the header pages of the link it joins, gets no ICY, and decodes across track changes',
    async () => {
      const config = dir.write(
        `${leg.name.split(' ')[0]}.json`,
        JSON.stringify({
          mounts: [{
            path: '/opus',
            burst: 1,
            playlist: [440, 660].map((hz) => fixtures.opus(3, hz, { title: `Tone ${hz}` })),
          }],
        }),
      )
      const [command, ...args] = leg.cli()
      if (leg.name === 'deno') args.splice(1, 0, '--allow-run')
      const station = run(command!, [
        ...args,
        '--config',
        config,
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--workers',
        '2',
      ])
      const listeners: RawListener[] = []
      try {
        const [, port] = await station.waitFor(/listening on 127\.0\.0\.1:(\d+)/, 60_000)
        await station.waitFor(/2 worker processes serve listeners/)
        // Joining over seven seconds: in every link of the chain, and midway through some.
        for (let i = 0; i < LISTENERS; i++) {
          // Asking for ICY titles, as an Icecast client would.
          listeners.push(rawListener(Number(port), '/opus', `listener-${i}`, { 'Icy-MetaData': '1' }))
          await Bun.sleep(600)
        }
        await Bun.sleep(3000)
        for (const listener of listeners) {
          const [head, body] = [listener.head ?? '', listener.body()]
          expect(head).toStartWith('HTTP/1.')
          expect(head.toLowerCase()).toContain('content-type: audio/ogg')
          expect(head.toLowerCase()).not.toContain('\r\nicy-metaint:')
          const parser = new OggPageParser({ maxPageSeconds: Infinity })
          const pages = [...parser.push(new Uint8Array(body))]
          expect(pages.slice(0, 2).map((page) => page.header)).toEqual([true, true])
          const decoded = spawnSync(systemFfmpeg(), ['-v', 'error', '-i', 'pipe:0', '-f', 'null', '-'], { input: body })
          expect(decoded.stderr.toString()).toBe('')
        }
      } finally {
        for (const listener of listeners) listener.close()
        station.child.kill('SIGKILL')
      }
    },
    120_000,
  )
})
