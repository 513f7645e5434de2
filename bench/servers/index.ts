import type { AirwaveRuntime, ChunkMode } from './airwave.ts'
import { airwave } from './airwave.ts'
import { startIcecast } from './icecast.ts'
import type { ServerStarter } from './types.ts'

const RUNTIMES: readonly AirwaveRuntime[] = ['node20', 'node24', 'bun', 'deno']

/** The servers `bench/run.ts` knows, by the name used in `--servers`. */
export const SERVER_NAMES: readonly string[] = [
  ...RUNTIMES,
  ...RUNTIMES.map((r) => `${r}-w2`),
  'icecast',
  ...RUNTIMES.filter((r) => r !== 'node20').flatMap((r) => [`${r}:shared`, `${r}:cloned`]),
]

/**
 * The starter for a server name: `node20`, `node24`, `bun`, `deno` (airwave's `src/main.ts`),
 * `<runtime>-w<N>` (the same with `--workers N`), `icecast`, or `<runtime>:shared` /
 * `<runtime>:cloned` (`bench/server-variant.ts`).
 */
export const serverStarter = (name: string): ServerStarter => {
  if (name === 'icecast') return startIcecast
  const workers = /^(\w+)-w(\d+)$/.exec(name)
  if (workers && RUNTIMES.includes(workers[1] as AirwaveRuntime) && Number(workers[2]) >= 1) {
    return airwave(workers[1] as AirwaveRuntime, undefined, Number(workers[2]))
  }
  const [runtime, chunks] = name.split(':') as [string, string | undefined]
  if (
    !RUNTIMES.includes(runtime as AirwaveRuntime) ||
    (chunks !== undefined && chunks !== 'shared' && chunks !== 'cloned') || !SERVER_NAMES.includes(name)
  ) {
    throw new Error(`unknown server "${name}" (known: ${SERVER_NAMES.join(', ')})`)
  }
  return airwave(runtime as AirwaveRuntime, chunks as ChunkMode | undefined)
}

export type { BenchServer, ServerStarter, StartOptions } from './types.ts'
