import { serveNodeHttp } from './_node-http.ts'
import { serverHooks } from './hooks.ts'
import type { Runtime } from './types.ts'

type DenoGlobal = {
  version: { deno: string }
  addSignalListener(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP', handler: () => void): void
  removeSignalListener(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP', handler: () => void): void
  exit(code: number): never
}

const deno = () => (globalThis as unknown as { Deno: DenoGlobal }).Deno

/**
 * Deno: serves through Deno's `node:http` rather than `Deno.serve`, because `Deno.serve` offers no
 * way to close a connection whose client stopped reading (the socket stays open with megabytes
 * queued), while `node:http` closes it like Node does. Needs `--allow-net --allow-read --allow-env`.
 */
export const denoRuntime: Runtime = {
  name: 'deno',
  version: deno().version.deno,
  hooks: serverHooks,
  serve: serveNodeHttp,
  onShutdownSignal: (handler) => {
    const signals = ['SIGINT', 'SIGTERM'] as const
    const listeners = signals.map((signal) => {
      const listener = () => {
        signals.forEach((s, i) => deno().removeSignalListener(s, listeners[i]!))
        handler(signal)
      }
      return listener
    })
    signals.forEach((signal, i) => deno().addSignalListener(signal, listeners[i]!))
  },
  onReloadSignal: (handler) => {
    try {
      deno().addSignalListener('SIGHUP', () => handler('SIGHUP'))
    } catch {
      // no SIGHUP on this platform (Windows): nothing to catch
    }
  },
  exit: (code) => deno().exit(code),
}
