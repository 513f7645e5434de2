import { afterAll, beforeAll, expect, test } from 'bun:test'
import { Hono } from 'hono'
import { createApp, createStation } from '../../src/index.ts'
import type { Station } from '../../src/station/station.ts'
import { fixtures } from '../helpers/fixtures.ts'

let plain: Station
let proxied: Station
beforeAll(async () => {
  plain = await createStation({ mounts: [{ path: '/stream', playlist: [fixtures.mp3(2)] }] })
  proxied = await createStation({
    publicUrl: 'https://radio.example/live/',
    mounts: [{ path: '/stream', playlist: [fixtures.mp3(2)] }],
  })
})
afterAll(async () => {
  await plain.stop()
  await proxied.stop()
})

const m3u = async (app: Hono, url: string, headers: Record<string, string> = {}) =>
  (await (await app.fetch(new Request(url, { headers }))).text()).split('\n')[2]

test('the URLs airwave writes are the request’s origin and the prefix the app is routed under', async () => {
  expect(await m3u(createApp(plain), 'http://radio.example:8000/stream.m3u')).toBe('http://radio.example:8000/stream')
  expect(await m3u(new Hono().route('/a/b', createApp(plain)), 'http://radio.example:8000/a/b/stream.m3u')).toBe(
    'http://radio.example:8000/a/b/stream',
  )
})

test('behind a proxy, the configured publicUrl', async () => {
  expect(await m3u(new Hono().route('/radio', createApp(proxied)), 'http://10.0.0.5:8000/radio/stream.m3u')).toBe(
    'https://radio.example/live/stream',
  )
})
