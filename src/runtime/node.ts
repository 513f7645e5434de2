import process from 'node:process'
import { onProcessReload, onProcessSignals } from './_process-signals.ts'
import { serveNodeHttp } from './_node-http.ts'
import { serverHooks } from './hooks.ts'
import type { Runtime } from './types.ts'

/** Node.js: `node:http` through @hono/node-server, which waits for 'drain' (backpressure) and calls `cancel()` when a client leaves. */
export const nodeRuntime: Runtime = {
  name: 'node',
  version: process.versions.node,
  hooks: serverHooks,
  serve: serveNodeHttp,
  onShutdownSignal: onProcessSignals,
  onReloadSignal: onProcessReload,
  exit: (code) => process.exit(code),
}
