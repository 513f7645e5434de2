import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { AuthReply } from '../helpers/auth-server.ts'
import { startAuthServer } from '../helpers/auth-server.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { httpGet } from '../helpers/http-get.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { run } from '../helpers/process.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import { LEGS } from './runtimes.ts'

const dir = tempDir('airwave-access-matrix-')
const music = dir.copy(fixtures.mp3(4, 440), 'music/a.mp3')
const admin = { Authorization: `Basic ${btoa('admin:hackme')}` }
const basic = (user: string) => ({ Authorization: `Basic ${btoa(`${user}:pw`)}` })
const auth = await startAuthServer((post): AuthReply => {
  if (post.form.action !== 'listener_add') return {}
  if (post.form.user === 'eve') return { headers: { 'icecast-auth-message': 'No ticket for tonight' } }
  return { headers: { 'icecast-auth-user': '1', 'icecast-auth-timelimit': '2' } }
})
afterAll(async () => {
  await auth.stop()
  dir.remove()
})

/** Each leg once with one process, and Bun also with worker processes (the gate then runs in the station, asked by the workers). */
const CASES = LEGS.flatMap((leg) => [
  { leg, workers: 1, name: leg.name },
  ...(leg.name === 'bun' ? [{ leg, workers: 2, name: `${leg.name} with --workers 2` }] : []),
])

describe.each(CASES)('who may listen, on $name', ({ leg, workers }) => {
  beforeAll(() => leg.setup(), 120_000)

  test(
    "a ban ends the listener from its address at once and turns it away; the cap per address holds; the auth server admits, limits and refuses as Icecast's does",
    async () => {
      const config = dir.write(
        `${leg.name.replace(/\W+/g, '-')}-${workers}.json`,
        JSON.stringify({
          adminPassword: 'hackme',
          workers,
          access: { maxListenersPerAddress: 2 },
          mounts: [
            { path: '/radio', playlist: [music] },
            {
              path: '/premium',
              playlist: [music],
              auth: { url: { listenerAdd: `${auth.url}/add`, listenerRemove: `${auth.url}/remove`, cacheSeconds: 0 } },
            },
          ],
        }),
      )
      const [command, ...args] = leg.cli()
      const running = run(command!, [...args, '--config', config, '--host', '127.0.0.1', '--port', '0'])
      const open: { close(): void }[] = []
      try {
        const [, port] = await running.waitFor(/listening on 127\.0\.0\.1:(\d+)/, 30_000)
        const base = `http://127.0.0.1:${port}`
        await running.waitFor(/on air: /)
        const listen = async (path: string, options: Parameters<typeof httpGet>[1]) => {
          const answer = await httpGet(`${base}${path}`, options)
          open.push(answer)
          return answer
        }

        const target = await listen('/radio', { localAddress: '127.0.0.2' })
        const bystander = await listen('/radio', { localAddress: '127.0.0.3' })
        expect([target.status, bystander.status]).toEqual([200, 200])
        await waitFor(() => target.received() > 8000 && bystander.received() > 8000, 15_000, 'both to hear audio')
        const ban = await fetch(`${base}/admin/ban.json?ip=127.0.0.2`, { headers: admin })
        expect(await ban.json()).toMatchObject({ iceresponse: { return: 1, ended: 1 } })
        await Promise.race([target.ended, Bun.sleep(5000).then(() => Promise.reject(new Error('not ended')))])
        expect((await listen('/radio', { localAddress: '127.0.0.2' })).status).toBe(403)
        const heard = bystander.received()
        await waitFor(() => bystander.received() > heard + 8000, 10_000, 'the bystander to listen on')

        const capped = [
          await listen('/radio', { localAddress: '127.0.0.4' }),
          await listen('/radio', { localAddress: '127.0.0.4' }),
        ]
        expect(capped.map((a) => a.status)).toEqual([200, 200])
        const third = await listen('/radio', { localAddress: '127.0.0.4' })
        await third.ended
        expect(third.status).toBe(403)
        expect(third.text()).toContain('the station allows 2 per address')

        const refused = await listen('/premium?show=late', { headers: basic('eve') })
        await refused.ended
        expect(refused.status).toBe(401)
        expect(refused.text()).toBe('No ticket for tonight\n')
        const ticket = await listen('/premium?show=late', {
          headers: { ...basic('bob'), 'User-Agent': 'MatrixPlayer/1' },
        })
        const opened = performance.now()
        expect(ticket.status).toBe(200)
        await ticket.ended
        const lasted = performance.now() - opened
        expect(lasted).toBeGreaterThan(1500)
        expect(lasted).toBeLessThan(8000)
        expect(ticket.received()).toBeGreaterThan(8000)
        const add = auth.posts.filter((p) => p.form.action === 'listener_add' && p.form.agent === 'MatrixPlayer/1').at(
          -1,
        )!
        expect(add.form).toMatchObject({
          mount: '/premium?show=late',
          user: 'bob',
          pass: 'pw',
          ip: '127.0.0.1',
          port: port,
        })
        await waitFor(
          () => auth.posts.some((p) => p.form.action === 'listener_remove' && p.form.client === add.form.client),
          10_000,
          'listener_remove',
        )
        const remove = auth.posts.find((p) => p.form.action === 'listener_remove' && p.form.client === add.form.client)!
        expect(Number(remove.form.duration)).toBeGreaterThanOrEqual(1)
        expect(Number(remove.form.duration)).toBeLessThanOrEqual(Math.ceil(lasted / 1000) + 1)
        expect(running.child.exitCode).toBeNull()
      } finally {
        for (const answer of open) answer.close()
        running.child.kill('SIGKILL')
      }
    },
    90_000,
  )
})
