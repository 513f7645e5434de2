import { beforeAll, describe, expect, test } from 'bun:test'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { fixtures } from '../helpers/fixtures.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { run } from '../helpers/process.ts'
import { establishedConnections } from '../helpers/sockets.ts'
import { LEGS } from './runtimes.ts'

const SCRIPT = fileURLToPath(new URL('./fast-station.ts', import.meta.url))

describe.each(LEGS.filter((leg) => leg.script))('on $name', (leg) => {
  beforeAll(() => leg.setup(), 120_000)

  test(
    'a listener that stops reading is dropped and its connection really closed, even with megabytes queued in the kernel',
    async () => {
      const [command, ...args] = leg.script!(SCRIPT)
      const station = run(command!, [...args, '50', fixtures.mp3(4, 300), fixtures.mp3(4, 500)])
      const stalled = { kill: () => {} } as { kill: () => void }
      try {
        const [, port] = await station.waitFor(/^port (\d+)$/)
        // A client process that sends its request and never reads a byte.
        const client = spawn('bash', [
          '-c',
          `exec 3<>/dev/tcp/127.0.0.1/${port}; printf 'GET /stream HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' >&3; sleep 60 <&3`,
        ], { stdio: 'ignore' })
        stalled.kill = () => client.kill()
        await waitFor(() => establishedConnections(Number(port)) === 1, 3000, 'the connection')
        await station.waitFor(/^dropped 1 slow$/, 20_000)
        await waitFor(() => establishedConnections(Number(port)) === 0, 8000, 'the server to close the socket')
        expect(establishedConnections(Number(port))).toBe(0)
        // One quiet drop: no stack trace from the runtime (Bun printed one for an errored stream).
        expect(station.stderr.filter((line) => /Error|^\s+at /.test(line))).toEqual([])
      } finally {
        stalled.kill()
        station.child.kill('SIGKILL')
      }
    },
    40_000,
  )
})
