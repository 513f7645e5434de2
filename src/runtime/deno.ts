import { serveNodeHttp } from './_node-http.ts'
import { serverHooks } from './hooks.ts'
import { spawnChild } from './_child-process.ts'
import { workerV8Flags } from './_worker-v8.ts'
import type { Runtime } from './types.ts'

type DenoGlobal = {
  version: { deno: string }
  addSignalListener(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP', handler: () => void): void
  removeSignalListener(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP', handler: () => void): void
  exit(code: number): never
  execPath(): string
  env: { get(name: string): string | undefined }
}

const deno = () => (globalThis as unknown as { Deno: DenoGlobal }).Deno

/** What a worker process may do: serve and read, as the station itself. */
const WORKER_PERMISSIONS = ['--allow-net', '--allow-read', '--allow-env', '--allow-sys']

/**
 * Deno: serves through Deno's `node:http` rather than `Deno.serve`, because `Deno.serve` offers no
 * way to close a connection whose client stopped reading (the socket stays open with megabytes
 * queued), while `node:http` closes it like Node does. Needs `--allow-net --allow-read --allow-env`,
 * and `--allow-run` for worker processes, which share the port with `reusePort` (Linux `SO_REUSEPORT`).
 */
export const denoRuntime: Runtime = {
  name: 'deno',
  version: deno().version.deno,
  hooks: serverHooks,
  serve: (fetch, options) => serveNodeHttp(fetch, { ...options, reusePort: options.shared }),
  sharePortAs: 'bound',
  spawnWorker: (entry, env) => {
    try {
      const flags = workerV8Flags([], deno().env.get('DENO_V8_FLAGS'))
      const v8 = flags.length > 0 ? [`--v8-flags=${flags.join(',')}`] : []
      return spawnChild(deno().execPath(), ['run', ...WORKER_PERMISSIONS, ...v8, entry], env)
    } catch (error) {
      const denied = (error as { name?: string }).name
      if (denied === 'NotCapable' || denied === 'PermissionDenied') {
        throw new Error("worker processes need Deno's --allow-run permission: add it, or run without --workers")
      }
      throw error
    }
  },
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
