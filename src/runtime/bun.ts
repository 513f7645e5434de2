import process from 'node:process'
import type { Runtime } from './types.ts'
import { onProcessSignals } from './_process-signals.ts'
import { serverHooks } from './hooks.ts'

type BunServer = {
  port: number
  stop(closeActiveConnections?: boolean): Promise<void> | void
}
type BunGlobal = {
  version: string
  serve(
    options: {
      fetch: (request: Request, server: BunServer) => Response | Promise<Response>
      port: number
      hostname: string
      idleTimeout?: number
    },
  ): BunServer
}

const bun = () => (globalThis as unknown as { Bun: BunGlobal }).Bun

/**
 * Bun: `Bun.serve`. Its 10 s idle timeout also applies to streaming responses, so it is lifted per
 * listener; a listener to drop gets a 1 s timeout, which closes even a stalled socket.
 */
export const bunRuntime: Runtime = {
  name: 'bun',
  version: bun().version,
  hooks: serverHooks,
  serve: (fetch, options) => {
    const running = bun().serve({
      fetch: (request, srv) => fetch(request, srv),
      port: options.port,
      hostname: options.hostname,
    })
    return Promise.resolve({
      port: running.port,
      close: async () => {
        await running.stop(false)
        setTimeout(() => running.stop(true), 1500).unref?.()
      },
    })
  },
  onShutdownSignal: onProcessSignals,
  exit: (code) => process.exit(code),
}
