import cluster from 'node:cluster'
import process from 'node:process'
import { onProcessReload, onProcessSignals } from './_process-signals.ts'
import { serveNodeHttp } from './_node-http.ts'
import { workerV8Flags } from './_worker-v8.ts'
import { serverHooks } from './hooks.ts'
import type { Runtime, WorkerProcess } from './types.ts'

/**
 * Node's own way: `node:cluster`, whose workers share the listening socket. Each worker accepts
 * its own connections (`SCHED_NONE`): with round-robin the primary accepts them all and hands them
 * over, so a station busy in the primary would keep new listeners waiting.
 */
const forkWorker = (entry: string, env: Record<string, string>): WorkerProcess => {
  cluster.schedulingPolicy = cluster.SCHED_NONE
  cluster.setupPrimary({ exec: entry, args: [], execArgv: workerV8Flags(process.execArgv, process.env.NODE_OPTIONS) })
  const worker = cluster.fork(env)
  const exited = new Promise<number | string | null>((resolve) => {
    worker.once('exit', (code, signal) => resolve(signal ?? code))
    worker.once('error', () => {})
  })
  return { pid: worker.process.pid, exited, kill: (signal = 'SIGTERM') => void worker.process.kill(signal) }
}

/** Node.js: `node:http` through @hono/node-server, which waits for 'drain' (backpressure) and calls `cancel()` when a client leaves. */
export const nodeRuntime: Runtime = {
  name: 'node',
  version: process.versions.node,
  hooks: serverHooks,
  serve: serveNodeHttp,
  sharePortAs: 'requested',
  spawnWorker: forkWorker,
  onShutdownSignal: onProcessSignals,
  onReloadSignal: onProcessReload,
  exit: (code) => process.exit(code),
}
