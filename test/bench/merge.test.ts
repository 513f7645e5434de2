import { describe, expect, test } from 'bun:test'
import { mergeShards } from '../../bench/load/merge.ts'
import type { LoadResult } from '../../bench/load/result.ts'
import { distribution } from '../../bench/load/stats.ts'

/** A shard's result with `n` listeners whose first bytes took `firstByte(i)` ms; one failed if `failOne`. */
const shard = (n: number, firstByte: (i: number) => number, options: { failOne?: boolean; server?: boolean } = {}) => {
  const raw = Array.from({ length: n }, (_, i) => ({
    connectMs: 1,
    firstByteMs: options.failOne && i === 0 ? null : firstByte(i),
    burstBytes: 48_000,
    rateKbps: 128,
    stallMs: 250 + i,
    failure: options.failOne && i === 0 ? 'timeout' : null,
  }))
  const failed = options.failOne ? 1 : 0
  const d = distribution([1])
  return {
    settings: { listeners: n, rampPerSecond: 250 },
    rampSeconds: n / 250,
    windowSeconds: 20,
    listeners: {
      ok: n - failed,
      failed,
      failures: { connect: 0, timeout: failed, status: 0, protocol: 0, closed: 0 },
      errors: failed ? { 'timeout: no first byte': 1 } : {},
    },
    underruns: 0,
    rateKbps: d,
    firstByteMs: d,
    connectMs: d,
    burstBytes: d,
    aheadSeconds: distribution([3]),
    stallMs: d,
    windowStallMs: distribution([300 + n]),
    readsPerSecond: d,
    throughput: 1000 * n,
    server: options.server
      ? [{
        pid: 1,
        cpuPercent: 50,
        idleRss: 100 * 1024 * 1024,
        peakRss: 100 * 1024 * 1024 + 20_000 * 8192,
        alive: true,
      }]
      : [],
    loadgen: { pid: 2, cpuPercent: 30, alive: true, runtime: 'node', loopLagMs: distribution([5]) },
    raw,
  } as unknown as LoadResult
}

describe('results of load generators run side by side', () => {
  test('add up to one run: counts, failures and throughput summed, first bytes over every listener, memory per listener over all', () => {
    const merged = mergeShards([
      shard(10_000, (i) => i % 100, { server: true }),
      shard(10_000, (i) => 1000 + (i % 100), { failOne: true }),
    ])
    expect(merged.listeners).toMatchObject({ ok: 19_999, failed: 1, failures: { timeout: 1 } })
    expect(merged.listeners.errors).toEqual({ 'timeout: no first byte': 1 })
    expect(merged.settings.listeners).toBe(20_000)
    expect(merged.settings.rampPerSecond).toBe(500)
    expect(merged.throughput).toBe(20_000_000)
    expect(merged.firstByteMs.count).toBe(19_999)
    expect(merged.firstByteMs.p50).toBe(99)
    expect(merged.firstByteMs.p99).toBe(1098)
    expect(merged.windowStallMs.max).toBe(10_300)
    expect(merged.server[0]!.rssPerListener).toBe(Math.round((20_000 * 8192) / 19_999))
    expect(merged.loadgen.cpuPercent).toBe(60)
    expect(merged.raw).toBeUndefined()
  })
})
