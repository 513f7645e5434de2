import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync, readlinkSync, realpathSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { StreamFormat } from '../load/listener.ts'
import { now, StreamListener } from '../load/listener.ts'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** A child process with its standard output and error in `<logDir>/<name>.out|.err`. */
export interface LoggedProcess {
  readonly child: ChildProcess
  readonly pid: number
  /** Resolves with the exit code (or signal) once the process is gone. */
  readonly exited: Promise<string>
}

/** The open-files limit every process the bench starts gets (one process may hold 20,000 here). */
export const OPEN_FILES = 20_000

/** This process's soft and hard open-files limits. */
export const openFilesLimits = (): { soft: number; hard: number } => {
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
  const value = (text: string | undefined) => (text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text ?? 0))
  return { soft: value(match?.[1]), hard: value(match?.[2]) }
}

/**
 * `command args` run with `ulimit -n OPEN_FILES`: through `sh -c '... exec'`, so the shell
 * becomes the program and the child's pid is the program's own.
 */
export const withOpenFiles = (command: string, args: readonly string[]): [string, string[]] => [
  'sh',
  ['-c', `ulimit -n ${OPEN_FILES} && exec "$0" "$@"`, command, ...args],
]

/**
 * Spawns `command` with the open-files limit raised (its pid is the program itself, not a shell)
 * and its output in log files, never in a pipe the bench would have to drain.
 *
 * @example
 * const server = spawnLogged('bun', ['src/main.ts'], { logDir, name: 'server' })
 */
export const spawnLogged = (
  command: string,
  args: readonly string[],
  options: { logDir: string; name: string; cwd?: string; env?: NodeJS.ProcessEnv },
): LoggedProcess => {
  const out = openSync(join(options.logDir, `${options.name}.out`), 'a')
  const err = openSync(join(options.logDir, `${options.name}.err`), 'a')
  const [shell, shellArgs] = withOpenFiles(command, args)
  const child = spawn(shell, shellArgs, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', out, err],
  })
  closeSync(out)
  closeSync(err)
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? String(code)))
    child.once('error', (error) => resolve(`spawn failed: ${error.message}`))
  })
  if (child.pid === undefined) throw new Error(`could not start ${command}`)
  return { child, pid: child.pid, exited }
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export const stopProcess = async (proc: LoggedProcess, graceMs = 10_000): Promise<string> => {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.exited
  proc.child.kill('SIGTERM')
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs)
  const how = await proc.exited
  clearTimeout(timer)
  return how
}

/**
 * Throws unless `pid` runs the executable `binary` (its /proc/<pid>/exe), so the figures belong to
 * the server and not to a wrapper that started it.
 */
export const assertExecutable = (pid: number, binary: string): void => {
  const exe = readlinkSync(`/proc/${pid}/exe`)
  if (exe !== realpathSync(binary)) {
    throw new Error(`pid ${pid} runs ${exe}, not ${binary}: refusing to measure a wrapper`)
  }
}

/** A port on 127.0.0.1 that was free a moment ago. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(
        () => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))),
      )
    })
  })

/**
 * Resolves once a listener on `port` + `path` receives audio (status 200 and payload; with
 * `format: 'opus'`, Ogg Opus pages), retrying
 * until `timeoutMs`; rejects with the last problem seen, or as soon as `alive()` says the server
 * died.
 */
export const waitForStream = async (
  port: number,
  path: string,
  options: { timeoutMs: number; alive: () => boolean; logHint: string; format?: StreamFormat },
): Promise<void> => {
  const deadline = now() + options.timeoutMs
  let last = 'not tried'
  while (now() < deadline) {
    if (!options.alive()) throw new Error(`the server exited while starting (see ${options.logHint})`)
    const probe = new StreamListener(0, { host: '127.0.0.1', port, path, httpVersion: '1.1', format: options.format }, {
      headerTimeoutMs: 5000,
      burstWindowMs: 0,
    })
    probe.open()
    while (!probe.settled) await sleep(20)
    probe.stop()
    if (probe.firstByteAt !== undefined) return
    last = `${probe.failure}: ${probe.error}`
    await sleep(200)
  }
  throw new Error(
    `no audio from http://127.0.0.1:${port}${path} within ${
      options.timeoutMs / 1000
    } s (last: ${last}; see ${options.logHint})`,
  )
}

/** Whether a process is still running. */
export const isRunning = (pid: number): boolean => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'latin1').includes(') Z ')
  } catch {
    return false
  }
}
