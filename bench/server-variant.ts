/**
 * airwave's demo station built through the library API, with each listener's chunks either shared
 * (the design: one Uint8Array enqueued into every stream) or cloned (a copy per listener), to
 * measure what sharing saves. Served by the current runtime's adapter, like `src/main.ts`.
 *
 *   bun bench/server-variant.ts --chunks cloned --port 8000
 *   node24 bench/server-variant.ts --chunks shared --port 8000
 *   deno run --allow-net --allow-read --allow-env --allow-sys bench/server-variant.ts --chunks cloned
 *   bun bench/server-variant.ts --chunks shared /tmp/airwave-bench-opus-96k/*.opus   # another playlist
 */
import process from 'node:process'
import { parseArgs } from 'node:util'
import { Listener } from '../src/broadcast/listener.ts'
import { createApp, createLogger, createStation, DEMO_PLAYLIST } from '../src/index.ts'
import { loadRuntime } from '../src/runtime/index.ts'
import type { Chunk } from '../src/pipeline/chunk.ts'

/** A plain listener's `write`, writing its own copy of every chunk instead of the shared one. */
function writeCopy(this: Listener & { enqueue(bytes: Uint8Array): void }, chunk: Chunk): void {
  this.enqueue(chunk.data.slice())
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    chunks: { type: 'string', default: 'shared' },
    port: { type: 'string', default: '8000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
})
const mode = values.chunks
if (mode !== 'shared' && mode !== 'cloned') {
  console.error(`server-variant: --chunks shared|cloned, got ${mode}`)
  process.exit(2)
}

const runtime = await loadRuntime()
const log = createLogger({ level: 'info' })
const station = await createStation({
  host: values.host,
  port: Number(values.port),
  mounts: [{
    path: '/stream',
    playlist: positionals.length > 0 ? positionals : [DEMO_PLAYLIST],
    name: 'airwave bench',
  }],
}, { log })
if (mode === 'cloned') {
  // The HTTP layer makes each listener itself (with the runtime's sink), and the library offers no
  // seam for another class: plain listeners get the copying write instead (ICY listeners splice
  // their own copies already).
  Object.defineProperty(Listener.prototype, 'write', { value: writeCopy })
}
const app = createApp(station, { hooks: runtime.hooks, log })
const server = await runtime.serve(app.fetch, { hostname: values.host, port: Number(values.port) })
station.start()
log.info(
  `server-variant (${mode} chunks) on ${runtime.name} ${runtime.version}: http://${values.host}:${server.port}/stream`,
)
runtime.onShutdownSignal(async (signal) => {
  log.info(`${signal}: shutting down`)
  await station.stop()
  await server.close()
  runtime.exit(0)
})
