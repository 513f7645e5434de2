import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import process from 'node:process'
import { join } from 'node:path'
import { mergeShards } from '../load/merge.ts'
import type { StreamFormat } from '../load/listener.ts'
import type { LoadResult } from '../load/result.ts'
import { withOpenFiles } from '../servers/process.ts'
import { binaries, node24Binary, ROOT } from '../servers/runtimes.ts'

/** What runs the load generator. */
export type LoadgenRuntime = 'node24' | 'bun'

/** The settings of one load run, as `bench/load.ts` flags. */
export interface LoadRequest {
  readonly url: string
  readonly listeners: number
  readonly ramp: number
  readonly duration: number
  readonly settle: number
  readonly bitrate: number
  /** What the stream is (default mp3); with opus every listener checks its Ogg framing. */
  readonly format?: StreamFormat
  readonly pids: readonly number[]
  /** Listeners ask for ICY metadata. */
  readonly icy?: boolean
  /** Every listener's record in the result (`--raw`). */
  readonly raw?: boolean
  /** Listeners per load generator at most (default `SHARD_LISTENERS`). */
  readonly shard?: number
}

/** Listeners one load generator holds at most: one process may have 20,000 open files. */
export const SHARD_LISTENERS = 9500

/**
 * Runs `bench/load.ts --json` in its own process (so its CPU is its own and it never shares an
 * event loop with the orchestrator), with its progress lines passed through to stderr.
 *
 * @example
 * const result = await runLoadgen('node24', { url, listeners: 1000, ramp: 500, duration: 60, settle: 2, bitrate: 128, pids: [pid] })
 */
export const runLoadgen = (runtime: LoadgenRuntime, request: LoadRequest): Promise<LoadResult> => {
  const binary = runtime === 'bun' ? binaries.bun : node24Binary()
  const args = [
    join(ROOT, 'bench/load.ts'),
    '--json',
    '--listeners',
    String(request.listeners),
    '--ramp',
    String(request.ramp),
    '--duration',
    String(request.duration),
    '--settle',
    String(request.settle),
    '--bitrate',
    String(request.bitrate),
    ...(request.format ? ['--format', request.format] : []),
    ...request.pids.flatMap((pid) => ['--pid', String(pid)]),
    ...(request.icy ? ['--icy'] : []),
    ...(request.raw ? ['--raw'] : []),
    request.url,
  ]
  return new Promise((resolve, reject) => {
    const [shell, shellArgs] = withOpenFiles(binary, args)
    const child = spawn(shell, shellArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (text: string) => (out += text))
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`bench/load.ts exited with ${signal ?? code}`))
      try {
        resolve(JSON.parse(out) as LoadResult)
      } catch (error) {
        reject(new Error(`bench/load.ts printed no JSON: ${String(error)}: ${out.slice(0, 200)}`))
      }
    })
  })
}

/**
 * Runs the load from as many load generators as its listeners need (`SHARD_LISTENERS` each), side
 * by side, each with its share of the listeners and of the ramp; the first samples the server; the
 * results are merged into one (`mergeShards`).
 *
 * @example
 * const result = await runShardedLoad('node24', { ...request, listeners: 20_000 })
 */
export const runShardedLoad = async (runtime: LoadgenRuntime, request: LoadRequest): Promise<LoadResult> => {
  const shards = Math.ceil(request.listeners / Math.min(request.shard ?? SHARD_LISTENERS, SHARD_LISTENERS))
  if (shards <= 1) return await runLoadgen(runtime, request)
  const results = await Promise.all(
    Array.from({ length: shards }, (_, i) =>
      runLoadgen(runtime, {
        ...request,
        listeners: Math.floor(request.listeners / shards) + (i < request.listeners % shards ? 1 : 0),
        ramp: request.ramp / shards,
        pids: i === 0 ? request.pids : [],
        raw: true,
        shard: undefined,
      })),
  )
  return mergeShards(results)
}

/**
 * Opens `count` idle event-stream clients on `url` in their own process (`bench/load/sse-clients.ts`)
 * and resolves once all have their first event; kill the process to close them.
 *
 * @example
 * const holders = await holdEventStreams('http://127.0.0.1:8000/api/events', 5000)
 */
export const holdEventStreams = (url: string, count: number): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const [shell, shellArgs] = withOpenFiles(node24Binary(), [
      join(ROOT, 'bench/load/sse-clients.ts'),
      String(count),
      url,
    ])
    const child = spawn(shell, shellArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (text: string) => {
      const match = /ready (\d+) failed (\d+)/.exec(text)
      if (!match) return
      process.stderr.write(`   ${match[1]} event streams open (${match[2]} failed)\n`)
      resolve(child)
    })
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`bench/load/sse-clients.ts exited with ${code}`)))
  })
