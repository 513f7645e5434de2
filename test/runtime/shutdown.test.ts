import { describe, expect, test } from 'bun:test'
import { createLogger } from '../../src/log.ts'
import { shutdown } from '../../src/runtime/shutdown.ts'
import { ManualClock, settle } from '../helpers/manual-clock.ts'

const setup = () => {
  const clock = new ManualClock()
  const lines: string[] = []
  const log = createLogger({ write: (line) => lines.push(line.slice(25)), now: () => new Date(clock.now()), clock })
  const exits: number[] = []
  return {
    clock,
    lines,
    exits,
    options: { signal: 'SIGTERM', log, clock, exit: (code: number) => void exits.push(code) },
  }
}

describe('shutting down on a signal', () => {
  test('closes everything, says bye and exits 0', async () => {
    const { clock, lines, exits, options } = setup()
    let closed = false
    await shutdown(() => Promise.resolve(void (closed = true)), options)
    expect(closed).toBe(true)
    expect(lines).toEqual(['info  SIGTERM: closing listeners and shutting down', 'info  bye'])
    expect(exits).toEqual([0])
    expect(clock.pending).toBe(0)
  })

  test('when closing hangs, exits 0 after the 3 s grace period anyway, saying what it was still waiting for', async () => {
    const { clock, lines, exits, options } = setup()
    void shutdown(() => new Promise(() => {}), { ...options, pending: () => ['the HTTP server'] })
    await clock.advance(2999)
    expect(exits).toEqual([])
    await clock.advance(1)
    expect(lines).toEqual([
      'info  SIGTERM: closing listeners and shutting down',
      'warn  still shutting down 3 s after SIGTERM (waiting for the HTTP server); exiting anyway',
    ])
    expect(exits).toEqual([0])
  })

  test('when closing fails, says why and exits 1', async () => {
    const { lines, exits, options } = setup()
    await shutdown(() => Promise.reject(new Error('EBADF')), options)
    await settle()
    expect(lines[1]).toStartWith('error shutting down failed: Error: EBADF')
    expect(lines[1]).toEndWith('; exiting with code 1')
    expect(exits).toEqual([1])
  })
})
