/**
 * airwave as a library inside another Hono app, served by this runtime's adapter: the host site at
 * `/`, the same station routed under `/radio` and `/a/b`, its source port open. Usage:
 * <runtime> prefixed-app.ts file... Prints `port N` and `source port M` when listening.
 */
import { Hono } from 'hono'
import { createApp, createStation, startSourcePort } from '../../src/index.ts'
import { loadRuntime } from '../../src/runtime/index.ts'

const files = process.argv.slice(2)
const station = await createStation({
  sourcePassword: 's3cret',
  mounts: [
    { path: '/stream', name: 'Prefixed Radio', playlist: [files[0]!] },
    { path: '/jazz/hq', name: 'Jazz HQ', playlist: [files[1]!] },
  ],
})
const app = new Hono()
app.get('/', (c) => c.html('<h1>The host site</h1><a href="/radio/">Our radio</a>'))
app.route('/radio', createApp(station))
app.route('/a/b', createApp(station))
station.start()
const sources = await startSourcePort(station, { hostname: '127.0.0.1', port: 0 })
const runtime = await loadRuntime()
const server = await runtime.serve(app.fetch, { hostname: '127.0.0.1', port: 0 })
console.log(`port ${server.port}`)
console.log(`source port ${sources.port}`)
runtime.onShutdownSignal(async () => {
  await sources.close()
  await station.stop()
  await server.close()
  runtime.exit(0)
})
