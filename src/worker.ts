#!/usr/bin/env node
import process from 'node:process'
import { EDGE_ENV, runEdge } from './cluster/edge.ts'
import type { EdgeEnv } from './cluster/edge.ts'
import { createLogger } from './log.ts'
import { loadRuntime } from './runtime/index.ts'

/**
 * A worker process of a station started with `--workers`: started by the station itself, never by
 * hand. It serves listeners on the station's port and forwards everything else to the station.
 */
const runtime = await loadRuntime()
const env = process.env[EDGE_ENV] ?? ''
if (!env) {
  console.error(`airwave worker: started without ${EDGE_ENV}; workers are started by \`airwave --workers N\``)
  runtime.exit(2)
}
const edge = JSON.parse(env) as EdgeEnv
const log = createLogger({ level: (process.env.AIRWAVE_LOG_LEVEL as 'info' | undefined) ?? 'info' })
  .child(`worker ${edge.index}`)
// Interrupts reach the whole process group: the station decides when its workers stop.
runtime.onShutdownSignal(() => {})
// A hang-up reaches them too (a closed terminal, `pkill -HUP`): the station reloads, the workers carry on.
runtime.onReloadSignal(() => {})
await runEdge(runtime, edge, log)
runtime.exit(0)
