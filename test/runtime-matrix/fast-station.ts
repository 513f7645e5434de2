/**
 * A station that runs SPEED times faster than real time, served by this runtime's adapter, for
 * testing what happens once OS socket buffers (megabytes) are full. Usage: <runtime> fast-station.ts SPEED file...
 * Prints `port N` when listening, and `dropped ID REASON` for every listener the server drops.
 */
import { readFileSync } from 'node:fs'
import { createApp } from '../../src/http/app.ts'
import { TlsHolder } from '../../src/net/tls-files.ts'
import { createStation } from '../../src/index.ts'
import { createLogger } from '../../src/log.ts'
import { systemClock } from '../../src/clock.ts'
import type { Clock } from '../../src/clock.ts'
import { loadRuntime } from '../../src/runtime/index.ts'

const [speedArg, ...files] = process.argv.slice(2)
const speed = Number(speedArg)
const clock: Clock = {
  now: () => systemClock.now() * speed,
  sleep: (ms, signal) => systemClock.sleep(ms / speed, signal),
}
const log = createLogger({ level: 'warn' })
const station = await createStation({ mounts: [{ path: '/stream', playlist: files, slowListenerLimit: 10 }] }, {
  clock,
  log,
})
station.start()
station.mount('/stream')!.broadcaster.observe((event) => {
  if (event.type === 'leave') console.log(`dropped ${event.listener.id} ${event.reason}`)
})
const runtime = await loadRuntime()
// With AIRWAVE_TEST_TLS=<cert>:<key>, HTTPS, listeners taken by the front as `airwave` serves them.
const tlsFiles = process.env.AIRWAVE_TEST_TLS?.split(':')
const server = await runtime.serve(createApp(station, { hooks: runtime.hooks, log, clock }).fetch, {
  hostname: '127.0.0.1',
  port: 0,
  ...(tlsFiles && {
    tls: new TlsHolder({ cert: readFileSync(tlsFiles[0]!, 'utf8'), key: readFileSync(tlsFiles[1]!, 'utf8') }),
    claim: ({ path }) => path === '/stream',
  }),
})
console.log(`port ${server.port}`)
runtime.onShutdownSignal(async () => {
  await station.stop()
  await server.close()
  runtime.exit(0)
})
