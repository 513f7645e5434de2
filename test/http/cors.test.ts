import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Hono } from 'hono'
import { createApp, createStation } from '../../src/index.ts'
import type { Station } from '../../src/station/station.ts'
import { fixtures } from '../helpers/fixtures.ts'

let station: Station
beforeAll(async () => {
  station = await createStation({ adminPassword: 'adm1n', mounts: [{ path: '/stream', playlist: [fixtures.mp3(2)] }] })
  station.start()
})
afterAll(() => station.stop())

/** The app at the root, and routed under a prefix inside another app. */
const apps = () => [
  { prefix: '', app: createApp(station) },
  { prefix: '/radio', app: new Hono().route('/radio', createApp(station)) },
]

const ask = async (app: Hono, method: string, path: string) => {
  const response = await app.fetch(
    new Request(`http://radio.example${path}`, {
      method,
      headers: { Origin: 'https://blog.example', 'Access-Control-Request-Method': 'GET' },
    }),
  )
  await response.body?.cancel()
  return {
    status: response.status,
    origin: response.headers.get('access-control-allow-origin'),
    allow: response.headers.get('allow'),
  }
}

describe('CORS', () => {
  test('what players and pages on other sites read is open to them: streams, playlists files, the API, status', async () => {
    for (const { prefix, app } of apps()) {
      for (const path of ['/stream', '/stream.m3u', '/api/mounts', '/api/nope', '/status-json.xsl', '/nope']) {
        expect({ path: prefix + path, origin: (await ask(app, 'GET', prefix + path)).origin }).toEqual({
          path: prefix + path,
          origin: '*',
        })
      }
      expect(await ask(app, 'OPTIONS', `${prefix}/stream`)).toMatchObject({ status: 204, origin: '*' })
    }
  })

  test('the admin area never is, at the root or under a prefix: OPTIONS and other methods get 405 with Allow', async () => {
    for (const { prefix, app } of apps()) {
      for (const path of ['/admin', '/admin/', '/admin/listmounts', '/admin/dashboard.json']) {
        expect({ path: prefix + path, ...(await ask(app, 'GET', prefix + path)) }).toMatchObject({
          path: prefix + path,
          origin: null,
        })
        expect(await ask(app, 'OPTIONS', prefix + path)).toEqual({ status: 405, origin: null, allow: 'GET, HEAD' })
        expect(await ask(app, 'POST', prefix + path)).toEqual({ status: 405, origin: null, allow: 'GET, HEAD' })
      }
    }
  })

  test('pages, assets and metrics are the station’s own: no CORS', async () => {
    for (const { prefix, app } of apps()) {
      for (const path of ['/', '/embed/stream', '/assets/style.css', '/metrics']) {
        expect({ path: prefix + path, origin: (await ask(app, 'GET', prefix + path)).origin }).toEqual({
          path: prefix + path,
          origin: null,
        })
      }
    }
  })
})
