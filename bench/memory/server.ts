/**
 * The server of `bench/memory.ts`: airwave's demo station built through the library API (as in
 * `bench/server-variant.ts`), served by the current runtime's adapter on `--port`, and a debug door
 * on its own port (`--door`) that the station's server never sees:
 *
 *   GET /mem                 memory figures (JSON `MemoryFigures`)
 *   GET /gc                  a full garbage collection, then the figures
 *   GET /snapshot?path=…     (V8: Node, Deno) a full GC, then a heap snapshot written to `path`
 *   GET /types               (Bun) a full GC, then `bun:jsc` heapStats().objectTypeCounts
 *
 * Needs `--expose-gc` on Node (`--v8-flags=--expose-gc` on Deno). `--library` is the folder of the
 * library's `index.ts` (default `src/`) or `index.js` (`dist/`, for Node 20).
 *
 *   node --expose-gc bench/memory/server.ts --port 8000 --door 8001
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

/** What the debug door reports: all sizes in bytes. */
export interface MemoryFigures {
  readonly runtime: string
  readonly version: string
  /** Listeners on `/stream`, as the station counts them. */
  readonly listeners: number
  /** VmRSS from /proc/self/status. */
  readonly rss: number
  /** RssAnon from /proc/self/status: anonymous memory (heaps, malloc), without mapped files. */
  readonly rssAnon: number
  /** JS heap in use: V8 `used_heap_size`, or JSC `heapSize`. */
  readonly heapUsed: number
  /** JS heap reserved for objects: V8 `total_heap_size`, or JSC `heapCapacity`. */
  readonly heapCommitted: number
  /** `process.memoryUsage()`: memory of ArrayBuffers and other objects outside the JS heap. */
  readonly external: number
  readonly arrayBuffers: number
  /** V8 `malloced_memory` (V8's own allocations), or JSC `extraMemorySize`. */
  readonly malloced: number
}

type Library = typeof import('../../src/index.ts')
type RuntimeLibrary = typeof import('../../src/runtime/index.ts')

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8000' },
    door: { type: 'string', default: '8001' },
    host: { type: 'string', default: '127.0.0.1' },
    library: { type: 'string', default: fileURLToPath(new URL('../../src/', import.meta.url)) },
  },
})
const ext = existsSync(join(values.library, 'index.ts')) ? '.ts' : '.js'
const moduleUrl = (path: string) => pathToFileURL(join(values.library, path + ext)).href
const { createApp, createLogger, createStation, DEMO_PLAYLIST }: Library = await import(moduleUrl('index'))
const { loadRuntime }: RuntimeLibrary = await import(moduleUrl('runtime/index'))

const runtime = await loadRuntime()
const bun = runtime.name === 'bun'
const jsc = bun ? await import('bun:jsc') : undefined
const v8 = bun ? undefined : await import('node:v8')

const log = createLogger({ level: 'warn' })
const station = await createStation({
  host: values.host,
  port: Number(values.port),
  mounts: [{ path: '/stream', playlist: [DEMO_PLAYLIST], name: 'airwave memory bench' }],
}, { log })
const app = createApp(station, { hooks: runtime.hooks, log })

const status = (): { rss: number; rssAnon: number } => {
  const text = readFileSync('/proc/self/status', 'latin1')
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024
  return { rss: kib('VmRSS'), rssAnon: kib('RssAnon') }
}

const figures = (): MemoryFigures => {
  const usage = process.memoryUsage()
  const common = {
    runtime: runtime.name,
    version: runtime.version,
    listeners: station.mounts.get('/stream')?.broadcaster.size ?? 0,
    ...status(),
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
  }
  if (jsc) {
    const stats = jsc.heapStats()
    return {
      ...common,
      heapUsed: stats.heapSize,
      heapCommitted: stats.heapCapacity,
      malloced: stats.extraMemorySize,
    }
  }
  const stats = v8!.getHeapStatistics()
  return {
    ...common,
    heapUsed: stats.used_heap_size,
    heapCommitted: stats.total_heap_size,
    malloced: stats.malloced_memory,
  }
}

const collect = (): void => {
  if (bun) {
    Bun.gc(true)
    Bun.gc(true)
    return
  }
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('no global gc(): start Node with --expose-gc, Deno with --v8-flags=--expose-gc')
  gc()
  gc()
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

const door = (request: Request): Response => {
  const url = new URL(request.url)
  try {
    switch (url.pathname) {
      case '/mem':
        return json(figures())
      case '/gc':
        collect()
        return json(figures())
      case '/snapshot': {
        const path = url.searchParams.get('path')
        if (!v8) return json({ error: 'no V8 heap snapshot on Bun: use /types' }, 501)
        if (!path) return json({ error: '/snapshot?path=<file> is required' }, 400)
        collect()
        v8.writeHeapSnapshot(path)
        return json(figures())
      }
      case '/types':
        if (!jsc) return json({ error: '/types is for Bun (bun:jsc); use /snapshot' }, 501)
        collect()
        return json(jsc.heapStats().objectTypeCounts)
      default:
        return json({ error: `no ${url.pathname}` }, 404)
    }
  } catch (error) {
    return json({ error: String(error) }, 500)
  }
}

// As the station's own server does (src/serve.ts): a plain GET of a mount is served on the raw
// connection where the runtime allows it (Node, Deno).
const server = await runtime.serve(app.fetch, {
  hostname: values.host,
  port: Number(values.port),
  claim: ({ path, headers }) => station.mount(path) !== undefined && !headers.has('range'),
})
const doorServer = await runtime.serve(door, { hostname: values.host, port: Number(values.door) })
station.start()
log.warn(
  `memory bench server on ${runtime.name} ${runtime.version}: stream port ${server.port}, door ${doorServer.port}`,
)
runtime.onShutdownSignal(async () => {
  await station.stop()
  await Promise.all([server.close(), doorServer.close()])
  runtime.exit(0)
})
