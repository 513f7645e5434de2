import { join } from 'node:path'
import { WORKER_SEMI_SPACE_MIB } from '../../src/runtime/_worker-v8.ts'
import { assertExecutable, isRunning, spawnLogged, stopProcess, waitForStream } from './process.ts'
import { binaries, buildDist, firstLine, node20Binary, node24Binary, ROOT } from './runtimes.ts'
import type { BenchServer, ServerStarter, StartOptions } from './types.ts'

/** Which chunk handling a variant server uses (`bench/server-variant.ts`). */
export type ChunkMode = 'shared' | 'cloned'

/** The V8 flags that `npm start` and `deno task start` give the station (`package.json`, `deno.json`), as workers get. */
export const START_V8_FLAGS: readonly string[] = [`--max-semi-space-size=${WORKER_SEMI_SPACE_MIB}`]

/** The runtimes airwave is benchmarked on. */
export type AirwaveRuntime = 'node20' | 'node24' | 'bun' | 'deno'

interface Command {
  readonly binary: string
  /** Arguments before the entry point. */
  readonly pre: readonly string[]
  /** The entry point for the plain server (`src/main.ts`, or `dist/main.js` on Node 20). */
  readonly main: string
  readonly version: string
  readonly prepare?: () => Promise<void>
}

const command = (runtime: AirwaveRuntime): Command => {
  switch (runtime) {
    case 'node20': {
      const binary = node20Binary()
      return {
        binary,
        pre: [],
        main: 'dist/main.js',
        version: `node ${firstLine(binary, ['--version']).slice(1)}`,
        prepare: buildDist,
      }
    }
    case 'node24': {
      const binary = node24Binary()
      return { binary, pre: [], main: 'src/main.ts', version: `node ${firstLine(binary, ['--version']).slice(1)}` }
    }
    case 'bun':
      return {
        binary: binaries.bun,
        pre: [],
        main: 'src/main.ts',
        version: `bun ${firstLine(binaries.bun, ['--version'])}`,
      }
    case 'deno':
      return {
        binary: binaries.deno,
        pre: ['run', '--allow-net', '--allow-read', '--allow-env', '--allow-sys'],
        main: 'src/main.ts',
        version: firstLine(binaries.deno, ['--version']),
      }
  }
}

/**
 * A starter for airwave on `runtime`: the real server (`src/main.ts` with the demo playlist, or
 * the Opus playlist of `options.opus`; with
 * `workers`, serving listeners from that many worker processes), or, with `chunks`, the
 * library-built variant of `bench/server-variant.ts`.
 *
 * @example
 * const server = await airwave('bun')({ port, logDir })
 */
export const airwave = (runtime: AirwaveRuntime, chunks?: ChunkMode, workers?: number): ServerStarter =>
async (
  options: StartOptions,
): Promise<BenchServer> => {
  if (chunks && runtime === 'node20') {
    throw new Error('the chunk variants need a runtime that runs TypeScript directly (node24, bun, deno)')
  }
  const cmd = command(runtime)
  await cmd.prepare?.()
  const entry = chunks ? ['bench/server-variant.ts', '--chunks', chunks] : [cmd.main]
  if (options.v8Flags && runtime === 'bun') throw new Error('--v8-flags: Bun runs on JavaScriptCore, not V8')
  const flags = runtime === 'bun' ? [] : options.v8Flags ?? START_V8_FLAGS
  const pre = [
    ...cmd.pre,
    ...(workers && runtime === 'deno' ? ['--allow-run'] : []),
    ...(flags.length === 0 ? [] : runtime === 'deno' ? [`--v8-flags=${flags.join(',')}`] : flags),
  ]
  const args = [...pre, ...entry, '--host', '127.0.0.1', '--port', String(options.port)]
  if (workers) args.push('--workers', String(workers))
  // The Opus playlist's files, in order; without them the station plays the MP3 demo playlist.
  if (options.opus) args.push(...options.opus.files)
  const proc = spawnLogged(cmd.binary, args, { logDir: options.logDir, name: 'server', cwd: ROOT })
  const base = chunks ? `${runtime}:${chunks}` : workers ? `${runtime}-w${workers}` : runtime
  const name = options.v8Flags ? `${base} ${flags.join(' ')}` : base
  const logHint = join(options.logDir, 'server.err')
  try {
    await waitForStream(options.port, '/stream', {
      timeoutMs: 30_000,
      alive: () => isRunning(proc.pid),
      logHint,
      format: options.opus ? 'opus' : 'mp3',
    })
    assertExecutable(proc.pid, cmd.binary)
  } catch (error) {
    await stopProcess(proc)
    throw error
  }
  return {
    name,
    version: cmd.version,
    pid: proc.pid,
    helperPids: [],
    url: `http://127.0.0.1:${options.port}/stream`,
    logDir: options.logDir,
    stop: async () => void (await stopProcess(proc)),
  }
}
