import { spawn } from 'node:child_process'
import process from 'node:process'
import type { WorkerProcess } from './types.ts'

/**
 * Starts `command` as a worker process sharing this one's standard output and error, with `env`
 * added to this process's environment (Bun and Deno, through `node:child_process`).
 *
 * @example
 * const worker = spawnChild(process.execPath, ['src/worker.ts'], { AIRWAVE_WORKER: '…' })
 */
export const spawnChild = (command: string, args: readonly string[], env: Record<string, string>): WorkerProcess => {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] })
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal))
    child.once('error', () => resolve(null))
  })
  return {
    pid: child.pid,
    exited,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
  }
}
