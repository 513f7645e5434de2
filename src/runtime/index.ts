import type { Runtime, RuntimeName } from './types.ts'

/**
 * Which runtime this is.
 *
 * @example
 * detectRuntime() // 'bun'
 */
export const detectRuntime = (): RuntimeName => {
  if ('Bun' in globalThis) return 'bun'
  if ('Deno' in globalThis) return 'deno'
  return 'node'
}

/**
 * Loads the adapter for the current runtime. Adapters are imported on demand, because importing
 * one runtime's module on another can crash.
 *
 * @example
 * const runtime = await loadRuntime()
 * const server = await runtime.serve(app.fetch, { hostname: '0.0.0.0', port: 8000 })
 */
export const loadRuntime = async (name: RuntimeName = detectRuntime()): Promise<Runtime> => {
  if (name === 'bun') return (await import('./bun.ts')).bunRuntime
  if (name === 'deno') return (await import('./deno.ts')).denoRuntime
  return (await import('./node.ts')).nodeRuntime
}

export type { FetchHandler, RunningServer, Runtime, RuntimeName } from './types.ts'
