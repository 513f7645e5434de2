import { describe, expect, test } from 'bun:test'
import { done } from '../../src/util/result.ts'
import { AuthThrottle } from '../../src/security/throttle.ts'
import { ManualClock } from '../helpers/manual-clock.ts'

describe('AuthThrottle', () => {
  test('after each failure the address is refused for a window that doubles, up to the maximum', () => {
    const clock = new ManualClock()
    const throttle = new AuthThrottle({ baseMs: 500, maxMs: 4000, clock })
    expect(throttle.check('192.0.2.1')).toEqual(done())
    const windows: number[] = []
    for (let i = 0; i < 6; i++) {
      throttle.fail('192.0.2.1')
      const verdict = throttle.check('192.0.2.1')
      expect(verdict.ok).toBe(false)
      windows.push(verdict.ok ? 0 : verdict.retryAfterMs)
      clock.stall(windows.at(-1)!)
      expect(throttle.check('192.0.2.1')).toEqual(done())
    }
    expect(windows).toEqual([500, 1000, 2000, 4000, 4000, 4000])
  })

  test('other addresses are not affected, and a success starts the address afresh', () => {
    const clock = new ManualClock()
    const throttle = new AuthThrottle({ clock })
    throttle.fail('192.0.2.1')
    throttle.fail('192.0.2.1')
    expect(throttle.check('192.0.2.2')).toEqual(done())
    clock.stall(1000)
    throttle.succeed('192.0.2.1')
    expect(throttle.fail('192.0.2.1')).toBe(1)
  })

  test('failures are forgotten after a quiet period, and the table of addresses stays bounded', () => {
    const clock = new ManualClock()
    const throttle = new AuthThrottle({ clock, forgetMs: 60_000, maxEntries: 3 })
    throttle.fail('a')
    throttle.fail('a')
    clock.stall(61_000)
    expect(throttle.fail('a')).toBe(1)
    for (const address of ['b', 'c', 'd']) throttle.fail(address)
    // 'a' was the oldest and was forgotten to keep three entries.
    expect(throttle.check('a')).toEqual(done())
    expect(throttle.check('d').ok).toBe(false)
  })
})
