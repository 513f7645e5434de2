import { describe, expect, test } from 'bun:test'
import { parseStationConfig } from '../../src/config/schema.ts'
import { stationRestartSettings, stationSettingsDiffer } from '../../src/station/reload-report.ts'

const config = (extra: Record<string, unknown>) =>
  parseStationConfig({ mounts: [{ path: '/stream', playlist: 'music' }], ...extra }, 'test')

describe('what a reload keeps until a restart', () => {
  test('other certificate files are kept until a restart (their contents are re-read as they change); the same ones are no change', () => {
    const running = config({ tls: { cert: 'a.pem', key: 'a.key' } })
    expect(stationRestartSettings(running, config({ tls: { cert: 'a.pem', key: 'a.key' } }))).toEqual([])
    expect(stationRestartSettings(running, config({ tls: { cert: 'b.pem', key: 'a.key' } }))).toEqual(['tls'])
    expect(stationRestartSettings(running, config({}))).toEqual(['tls'])
    expect(stationRestartSettings(running, config({ tls: { cert: 'a.pem', key: 'a.key' }, port: 9000 }))).toEqual([
      'port',
    ])
  })

  test('bans, allow lists and trusted proxies apply at once', () => {
    const running = config({})
    const next = config({ access: { deny: ['203.0.113.0/24'] }, trustedProxies: ['127.0.0.1'] })
    expect(stationRestartSettings(running, next)).toEqual([])
    expect(stationSettingsDiffer(running, next, [])).toBe(true)
  })
})
