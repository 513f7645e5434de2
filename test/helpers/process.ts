import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'

/** A child process whose output is collected line by line, with a way to wait for a line. */
export interface Running {
  child: ChildProcess
  stdout: string[]
  stderr: string[]
  /** Resolves with the first output line (either stream) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>
}

/** Starts `command` with `args`, collecting its output. */
export const run = (
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Running => {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const stdout: string[] = []
  const stderr: string[] = []
  const waiters = new Set<() => void>()
  const collect = (into: string[]) => {
    let partial = ''
    return (data: Buffer) => {
      const lines = (partial + data.toString()).split('\n')
      partial = lines.pop()!
      into.push(...lines)
      for (const wake of waiters) wake()
    }
  }
  child.stdout!.on('data', collect(stdout))
  child.stderr!.on('data', collect(stderr))
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1))
  )
  const waitFor = (pattern: RegExp, timeoutMs = 15_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        for (const line of [...stdout, ...stderr]) {
          const match = line.match(pattern)
          if (match) {
            cleanup()
            resolve(match)
            return
          }
        }
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`timed out waiting for ${pattern}; output so far:\n${[...stderr, ...stdout].join('\n')}`))
      }, timeoutMs)
      const onExit = () =>
        setTimeout(() => {
          check()
          cleanup()
          reject(new Error(`process exited before ${pattern}; output:\n${[...stderr, ...stdout].join('\n')}`))
        }, 50)
      const cleanup = () => {
        clearTimeout(timer)
        waiters.delete(check)
        child.off('exit', onExit)
      }
      waiters.add(check)
      child.once('exit', onExit)
      check()
    })
  return { child, stdout, stderr, waitFor, exited }
}
