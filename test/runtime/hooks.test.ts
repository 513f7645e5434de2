import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { createApp, createStation } from '../../src/index.ts'
import type { Station } from '../../src/station/station.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { openListener } from '../helpers/listen-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'

/** The app served with no hooks passed, the way a library user routes it: the hooks recognize the server. */
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

  test('node:http through @hono/node-server', async () => {
    const server = createAdaptorServer({ fetch: createApp(station).fetch }) as Server
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      expect(await listenerAddress(`http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`)).toBe(
        '127.0.0.1',
      )
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })
})
