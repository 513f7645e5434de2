import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createApp, createStation } from '../../src/index.ts'
import type { Station } from '../../src/station/station.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { openListener } from '../helpers/listen-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'

/**
 * The app served with no hooks passed, the way a library user routes it: the hooks recognize the
 * server. (Node's and Deno's `node:http` are covered by the runtime matrix: importing
 * @hono/node-server here would replace this test process's global `Response` for every test after.)
 */
let station: Station
beforeAll(async () => {
  station = await createStation({ mounts: [{ path: '/stream', playlist: [fixtures.mp3(4)] }] })
  station.start()
})
afterAll(() => station.stop())

const listenerAddress = async (url: string) => {
  const listener = await openListener(url)
  const mount = station.mount('/stream')!
  await waitFor(() => mount.broadcaster.size === 1, 5000, 'the listener')
  const address = mount.broadcaster.listeners()[0]!.info.address
  await listener.stop()
  await waitFor(() => mount.broadcaster.size === 0, 5000, 'the listener gone')
  return address
}

describe('serverHooks: createApp(station) knows its clients on whichever server serves it', () => {
  test('Bun.serve', async () => {
    const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: createApp(station).fetch })
    try {
      expect(await listenerAddress(`http://127.0.0.1:${server.port}/stream`)).toBe('127.0.0.1')
    } finally {
      await server.stop(true)
    }
  })
})
