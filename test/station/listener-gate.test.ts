import { afterAll, describe, expect, test } from 'bun:test'
import bcrypt from 'bcryptjs'
import { parseStationConfig } from '../../src/config/schema.ts'
import type { AuthReply } from '../helpers/auth-server.ts'
import { startAuthServer } from '../helpers/auth-server.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { ffmpegSource } from '../helpers/source-client.ts'
import { httpGet } from '../helpers/http-get.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { startStation } from '../helpers/station.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const dir = tempDir()
afterAll(() => dir.remove())
const music = dir.copy(fixtures.mp3(4, 440), 'music/a.mp3')
const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`
const admin = { Authorization: basic('admin', 'hackme') }
const ADMITTED = { headers: { 'icecast-auth-user': '1' } }

/** Waits until a listener's answer has carried some audio. */
const audible = (answer: { received(): number }) => waitFor(() => answer.received() > 4000, 10_000, 'audio')

describe('listener gate: Icecast URL authentication', () => {
  test('listener_add carries Icecast 2.4 fields; the answer admits, limits or refuses with its message', async () => {
    const auth = await startAuthServer((post): AuthReply => {
      if (post.form.action !== 'listener_add') return {}
      if (post.form.user === 'mallory') {
        return { status: 403, headers: { 'icecast-auth-message': 'Subscription expired' } }
      }
      return post.form.user === 'brief'
        ? { headers: { 'icecast-auth-user': '1', 'icecast-auth-timelimit': '1' } }
        : ADMITTED
    })
    const running = await startStation([{
      path: '/radio',
      playlist: [music],
      auth: {
        url: {
          listenerAdd: `${auth.url}/add`,
          listenerRemove: `${auth.url}/remove`,
          headers: ['x-token'],
          cacheSeconds: 0,
        },
      },
    }], { station: { adminPassword: 'hackme' } })
    try {
      await running.onAir()
      const listener = await httpGet(`${running.url}/radio?token=abc&x=1`, {
        headers: { Authorization: basic('bob', 'pw:1'), 'User-Agent': 'TestPlayer/1.0', 'X-Token': 't0k' },
      })
      expect(listener.status).toBe(200)
      await audible(listener)
      const [add] = auth.of('listener_add')
      expect(add!.path).toBe('/add')
      expect(add!.headers['content-type']).toBe('application/x-www-form-urlencoded')
      expect(add!.headers['user-agent']).toMatch(/^airwave\//)
      expect(add!.fields.map(([name]) => name)).toEqual([
        'action',
        'server',
        'port',
        'client',
        'mount',
        'user',
        'pass',
        'ip',
        'agent',
        'ClientHeader.x-token',
      ])
      expect(add!.form).toMatchObject({
        action: 'listener_add',
        server: '127.0.0.1',
        port: String(running.port),
        mount: '/radio?token=abc&x=1',
        user: 'bob',
        pass: 'pw:1',
        ip: '127.0.0.1',
        agent: 'TestPlayer/1.0',
        'ClientHeader.x-token': 't0k',
      })
      // The client id is the listener's id in the admin API.
      const clients = await (await fetch(`${running.url}/admin/listclients.json?mount=/radio`, { headers: admin }))
        .json() as { icestats: { source: { listener: { ID: number; username?: string }[] } } }
      expect(clients.icestats.source.listener).toEqual([
        expect.objectContaining({ ID: Number(add!.form.client), username: 'bob' }),
      ])

      const started = performance.now()
      await Bun.sleep(2100)
      listener.close()
      await waitFor(() => auth.of('listener_remove').length === 1, 10_000, 'listener_remove')
      const listened = Math.floor((performance.now() - started) / 1000)
      const [remove] = auth.of('listener_remove')
      expect(remove!.fields.map(([name]) => name)).toEqual([
        'action',
        'server',
        'port',
        'client',
        'mount',
        'user',
        'pass',
        'duration',
        'ip',
        'agent',
      ])
      expect(remove!.form).toMatchObject({ client: add!.form.client, mount: '/radio?token=abc&x=1', user: 'bob' })
      expect(Number(remove!.form.duration)).toBeGreaterThanOrEqual(2)
      expect(Number(remove!.form.duration)).toBeLessThanOrEqual(listened + 1)

      const refused = await httpGet(`${running.url}/radio`, { headers: { Authorization: basic('mallory', 'x') } })
      await refused.ended
      expect(refused.status).toBe(401)
      expect(refused.text()).toBe('Subscription expired\n')
      expect(refused.headers['www-authenticate']).toBe('Basic realm="/radio"')

      const brief = await httpGet(`${running.url}/radio`, { headers: { Authorization: basic('brief', 'x') } })
      const opened = performance.now()
      expect(brief.status).toBe(200)
      await brief.ended
      const lasted = performance.now() - opened
      expect(lasted).toBeGreaterThan(800)
      expect(lasted).toBeLessThan(6000)
      expect(brief.received()).toBeGreaterThan(4000)
      expect(running.logs.some((line) => line.includes('its 1 s are up'))).toBe(true)
    } finally {
      await running.stop()
      await auth.stop()
    }
  })

  test('a down or silent auth server refuses (fail closed) or admits (fail open), as configured', async () => {
    const auth = await startAuthServer(() => 'hang')
    const running = await startStation([
      { path: '/closed', playlist: [music], auth: { url: { listenerAdd: 'http://127.0.0.1:9/add', timeout: 1 } } },
      { path: '/slow', playlist: [music], auth: { url: { listenerAdd: `${auth.url}/add`, timeout: 0.5 } } },
      {
        path: '/open',
        playlist: [music],
        auth: { url: { listenerAdd: 'http://127.0.0.1:9/add', timeout: 1, onError: 'admit' } },
      },
    ])
    try {
      await running.onAir()
      const closed = await httpGet(`${running.url}/closed`)
      await closed.ended
      expect(closed.status).toBe(503)
      expect(closed.text()).toMatch(/authentication server is unavailable/)
      const slow = await httpGet(`${running.url}/slow`)
      await slow.ended
      expect(slow.status).toBe(503)
      expect(slow.text()).toBe("the station's authentication server is unavailable; try again later\n")
      expect(
        running.logs.some((line) =>
          /auth server unavailable: refusing listener from 127\.0\.0\.1 \(onError: refuse\): no answer from http:\/\/127\.0\.0\.1:\d+\/add within 0\.5 s/
            .test(line)
        ),
      ).toBe(true)
      const open = await httpGet(`${running.url}/open`)
      expect(open.status).toBe(200)
      await audible(open)
      open.close()
      expect(running.logs.some((line) => line.includes('auth server unavailable: admitting listener'))).toBe(true)
    } finally {
      await running.stop()
      await auth.stop()
    }
  })

  test('answers are reused briefly: a reconnect storm of one listener asks the hook once', async () => {
    const auth = await startAuthServer(() => ADMITTED)
    const running = await startStation([
      {
        path: '/radio',
        playlist: [music],
        auth: { url: { listenerAdd: `${auth.url}/add`, listenerRemove: `${auth.url}/remove`, cacheSeconds: 30 } },
      },
    ])
    try {
      await running.onAir()
      const storm = await Promise.all(Array.from({ length: 20 }, () => httpGet(`${running.url}/radio`)))
      expect(storm.map((answer) => answer.status)).toEqual(Array(20).fill(200))
      for (const answer of storm) answer.close()
      const again = await httpGet(`${running.url}/radio`)
      expect(again.status).toBe(200)
      again.close()
      expect(auth.of('listener_add')).toHaveLength(1)
      // Another listener is another question.
      const other = await httpGet(`${running.url}/radio`, { headers: { 'User-Agent': 'Other/2' } })
      other.close()
      expect(auth.of('listener_add')).toHaveLength(2)
      // Only the listeners announced are told gone: every listener_remove has its listener_add.
      await waitFor(() => auth.of('listener_remove').length === 2, 5000, 'listener_remove of the announced two')
      await Bun.sleep(300)
      expect(auth.of('listener_remove').map((post) => post.form.client).sort()).toEqual(
        auth.of('listener_add').map((post) => post.form.client).sort(),
      )
    } finally {
      await running.stop()
      await auth.stop()
    }
  })
})

describe('listener gate: a static user list', () => {
  test('htpasswd users (bcrypt, Apache MD5, SHA-1) log in; others get 401 with a challenge', async () => {
    const users = dir.write(
      'listeners.htpasswd',
      [
        '# made by htpasswd -B, -m and -s',
        `bob:${bcrypt.hashSync('secret', 5).replace(/^\$2b\$/, '$2y$')}`,
        'amy:$apr1$2NhfRc/L$NN.IBsKyQKdh/eAdlqFbJ1',
        'sam:{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=',
        'old:abJnggxhB/yWI',
        '',
      ].join('\n'),
    )
    const running = await startStation([
      { path: '/private', playlist: [music], auth: { users, allowDuplicateUsers: false } },
    ], { station: { adminPassword: 'hackme' } })
    try {
      await running.onAir()
      expect(running.logs.some((line) => line.includes('line 5 (old): a password hash airwave cannot check'))).toBe(
        true,
      )
      const anonymous = await httpGet(`${running.url}/private`)
      await anonymous.ended
      expect(anonymous.status).toBe(401)
      expect(anonymous.headers['www-authenticate']).toBe('Basic realm="/private"')
      const probe = await httpGet(`${running.url}/private`, { headers: { Range: 'bytes=0-1' } })
      await probe.ended
      expect(probe.status).toBe(401)
      const hls = await httpGet(`${running.url}/hls/private/live.m3u8`, {
        headers: { Authorization: basic('bob', 'secret') },
      })
      await hls.ended
      expect(hls.status).toBe(403)
      expect(hls.text()).toMatch(/asks its listeners to log in, which HLS cannot do/)
      const wrong = await httpGet(`${running.url}/private`, { headers: { Authorization: basic('bob', 'nope') } })
      await wrong.ended
      expect(wrong.status).toBe(401)
      const open = []
      for (const [user, password] of [['bob', 'secret'], ['amy', 'pw'], ['sam', 'pw']] as const) {
        const answer = await httpGet(`${running.url}/private`, { headers: { Authorization: basic(user, password) } })
        expect(answer.status).toBe(200)
        await audible(answer)
        open.push(answer)
      }
      const twice = await httpGet(`${running.url}/private`, { headers: { Authorization: basic('bob', 'secret') } })
      await twice.ended
      expect(twice.status).toBe(403)
      expect(twice.text()).toMatch(/bob is already listening/)
      for (const answer of open) answer.close()
      await waitFor(() => running.station.mount('/private')!.broadcaster.size === 0, 5000, 'listeners to leave')
      expect(running.access.some((line) => /^127\.0\.0\.1 - bob \[[^\]]+\] "GET \/private[^"]*" 200 \d+ /.test(line)))
        .toBe(true)
      expect(running.access.some((line) => /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/private[^"]*" 401 0 /.test(line))).toBe(
        true,
      )
      const back = await httpGet(`${running.url}/private`, { headers: { Authorization: basic('bob', 'secret') } })
      expect(back.status).toBe(200)
      back.close()
    } finally {
      await running.stop()
    }
  })
})

describe('listener gate: bans, caps and time limits', () => {
  test('a banned address gets 403; a ban added through the admin API ends its listeners at once and can be lifted', async () => {
    const running = await startStation([
      { path: '/radio', playlist: [music] },
      { path: '/other', playlist: [music], access: { deny: ['127.0.0.3'] } },
    ], { station: { adminPassword: 'hackme', access: { deny: ['127.0.0.2/32'] } } })
    try {
      await running.onAir()
      const banned = await httpGet(`${running.url}/radio`, { localAddress: '127.0.0.2' })
      await banned.ended
      expect(banned.status).toBe(403)
      expect(banned.text()).toBe('127.0.0.2 is banned from this station\n')
      expect(running.access.some((line) => /^127\.0\.0\.2 - - \[[^\]]+\] "GET \/radio[^"]*" 403 0 /.test(line))).toBe(
        true,
      )
      const hls = await httpGet(`${running.url}/hls/radio/live.m3u8`, { localAddress: '127.0.0.2' })
      expect(hls.status).toBe(403)
      const head = await httpGet(`${running.url}/status-json.xsl`, { localAddress: '127.0.0.2' })
      expect(head.status).toBe(200)
      head.close()
      const onOther = await httpGet(`${running.url}/other`, { localAddress: '127.0.0.3' })
      await onOther.ended
      expect(onOther.status).toBe(403)
      expect(onOther.text()).toBe('127.0.0.3 is banned from /other\n')
      const onRadio = await httpGet(`${running.url}/radio`, { localAddress: '127.0.0.3' })
      expect(onRadio.status).toBe(200)
      await audible(onRadio)
      const bystander = await httpGet(`${running.url}/radio`, { localAddress: '127.0.0.4' })
      await audible(bystander)

      const ban = await fetch(`${running.url}/admin/ban.json?ip=127.0.0.0/30`, { headers: admin })
      expect(await ban.json()).toMatchObject({ iceresponse: { message: '127.0.0.0/30 banned', return: 1, ended: 1 } })
      await onRadio.ended
      const after = await httpGet(`${running.url}/radio`, { localAddress: '127.0.0.3' })
      expect(after.status).toBe(403)
      expect(bystander.received()).toBeGreaterThan(0)
      await Bun.sleep(300)
      const before = bystander.received()
      await waitFor(() => bystander.received() > before, 5000, 'the bystander to keep listening')

      const bans = await (await fetch(`${running.url}/admin/bans.json`, { headers: admin })).json()
      expect(bans).toMatchObject({
        bans: {
          source: [
            {
              mount: '*',
              ban: [{ range: '127.0.0.2', added: 'configuration' }, { range: '127.0.0.0/30', added: 'admin' }],
            },
            { mount: '/other', ban: [{ range: '127.0.0.3', added: 'configuration' }] },
          ],
        },
      })
      const xml = await (await fetch(`${running.url}/admin/bans?mount=/other`, { headers: admin })).text()
      expect(xml).toMatch(/<source mount="\/other">\s*<ban range="127\.0\.0\.3">\s*<added>configuration<\/added>/)
      const bad = await fetch(`${running.url}/admin/ban.json?ip=not-an-address`, { headers: admin })
      expect(bad.status).toBe(422)
      const lift = await fetch(`${running.url}/admin/unban.json?ip=127.0.0.0/30`, { headers: admin })
      expect(lift.status).toBe(200)
      const welcome = await httpGet(`${running.url}/radio`, { localAddress: '127.0.0.3' })
      expect(welcome.status).toBe(200)
      welcome.close()
      bystander.close()
    } finally {
      await running.stop()
    }
  })

  test('the cap per address holds, on the station and on a mount', async () => {
    const running = await startStation([
      { path: '/radio', playlist: [music], access: { maxListenersPerAddress: 1 } },
      { path: '/other', playlist: [music] },
    ], { station: { access: { maxListenersPerAddress: 2 } } })
    try {
      await running.onAir()
      const first = await httpGet(`${running.url}/radio`)
      expect(first.status).toBe(200)
      const second = await httpGet(`${running.url}/radio`)
      await second.ended
      expect(second.status).toBe(403)
      expect(second.text()).toMatch(/\/radio allows 1 per address/)
      const third = await httpGet(`${running.url}/other`)
      expect(third.status).toBe(200)
      const fourth = await httpGet(`${running.url}/other`)
      await fourth.ended
      expect(fourth.status).toBe(403)
      expect(fourth.text()).toMatch(/the station allows 2 per address/)
      const elsewhere = await httpGet(`${running.url}/other`, { localAddress: '127.0.0.5' })
      expect(elsewhere.status).toBe(200)
      first.close()
      await waitFor(() => running.station.mount('/radio')!.broadcaster.size === 0, 5000, 'the first to leave')
      const again = await httpGet(`${running.url}/radio`)
      expect(again.status).toBe(200)
      for (const answer of [third, elsewhere, again]) answer.close()
    } finally {
      await running.stop()
    }
  })

  test('maxListenerDuration ends a listener on time; behind a trusted proxy the forwarded address is the one banned', async () => {
    const running = await startStation(
      [{ path: '/radio', playlist: [music], access: { maxListenerDuration: 1 } }],
      {
        station: { adminPassword: 'hackme', trustedProxies: ['127.0.0.1'], access: { deny: ['198.51.100.0/24'] } },
      },
    )
    try {
      await running.onAir()
      const forwarded = await httpGet(`${running.url}/radio`, { headers: { 'X-Forwarded-For': '198.51.100.7' } })
      expect(forwarded.status).toBe(403)
      const spoofed = await httpGet(`${running.url}/radio`, {
        localAddress: '127.0.0.6',
        headers: { 'X-Forwarded-For': '203.0.113.1' },
      })
      expect(spoofed.status).toBe(200)
      const proxied = await httpGet(`${running.url}/radio`, {
        headers: { 'X-Forwarded-For': '203.0.113.9, 127.0.0.1' },
      })
      const opened = performance.now()
      expect(proxied.status).toBe(200)
      const clients = await (await fetch(`${running.url}/admin/listclients.json?mount=/radio`, { headers: admin }))
        .json() as { icestats: { source: { listener: { IP: string }[] } } }
      expect(clients.icestats.source.listener.map((l) => l.IP).sort()).toEqual(['127.0.0.6', '203.0.113.9'])
      await proxied.ended
      const lasted = performance.now() - opened
      expect(lasted).toBeGreaterThan(800)
      expect(lasted).toBeLessThan(6000)
      spoofed.close()
    } finally {
      await running.stop()
    }
  })
})

describe('source gate: Icecast stream_auth, mount_add and mount_remove', () => {
  test('the auth server decides on a source instead of a password, and hears when its stream starts and stops', async () => {
    const auth = await startAuthServer((post): AuthReply =>
      post.form.action === 'stream_auth' && post.form.pass !== 'letmein'
        ? { headers: { 'icecast-auth-message': 'Not your slot' } }
        : ADMITTED
    )
    const urls = {
      streamAuth: `${auth.url}/source`,
      mountAdd: `${auth.url}/start`,
      mountRemove: `${auth.url}/end`,
    }
    const running = await startStation([{ path: '/live', playlist: [music], auth: { url: urls } }])
    try {
      await running.onAir()
      expect(running.sourcePort).toBeDefined()
      const refused = ffmpegSource(running.sourcePort!, '/live', { password: 'guess', seconds: 5 })
      await refused.exited
      await waitFor(() => auth.of('stream_auth').length === 1, 5000, 'stream_auth')
      expect(running.station.mount('/live')!.input).toBe('playlist')
      expect(running.logs.some((line) => line.includes('refused by the auth server (stream_auth): Not your slot')))
        .toBe(true)

      const dj = ffmpegSource(running.sourcePort!, '/live', { password: 'letmein', seconds: 30 })
      await waitFor(() => running.station.mount('/live')!.input === 'live', 15_000, 'the DJ on air')
      const [, ask] = auth.of('stream_auth')
      expect(ask!.fields.map(([name]) => name)).toEqual(['action', 'mount', 'ip', 'server', 'port', 'user', 'pass'])
      expect(ask!.form).toMatchObject({ mount: '/live', ip: '127.0.0.1', user: 'source', pass: 'letmein' })
      await waitFor(() => auth.of('mount_add').length === 1, 5000, 'mount_add')
      expect(auth.of('mount_add')[0]!.fields).toEqual([
        ['action', 'mount_add'],
        ['mount', '/live'],
        ['server', '127.0.0.1'],
        ['port', String(running.station.config.port)],
      ])
      dj.child.kill('SIGKILL')
      await waitFor(() => auth.of('mount_remove').length === 1, 20_000, 'mount_remove')
      expect(auth.of('mount_remove')[0]!.form).toMatchObject({ action: 'mount_remove', mount: '/live' })
    } finally {
      await running.stop()
      await auth.stop()
    }
  })
})

describe('listener gate: reloads', () => {
  test('a reload applies new bans at once, ending the listeners they cover; bans added through the API stay; a listenerRemove alone hears every listener leave', async () => {
    const auth = await startAuthServer(() => ({}))
    const mounts = (deny: string[]) => [{
      path: '/radio',
      playlist: [music],
      access: { deny },
      auth: { url: { listenerRemove: `${auth.url}/remove` } },
    }]
    const running = await startStation(mounts([]), { station: { adminPassword: 'hackme' } })
    try {
      await running.onAir()
      const staying = await httpGet(`${running.url}/radio`, { localAddress: '127.0.0.3' })
      const going = await httpGet(`${running.url}/radio`, { localAddress: '127.0.0.2' })
      expect([staying.status, going.status]).toEqual([200, 200])
      await audible(going)
      expect(running.station.gate.ban('127.0.0.9')).toBe(0)
      const report = await running.station.reload(
        parseStationConfig(
          { host: '127.0.0.1', port: 0, adminPassword: 'hackme', mounts: mounts(['127.0.0.2']) },
          'test',
        ),
      )
      expect(report.updated).toContain('/radio')
      await going.ended
      expect(running.logs.some((line) => line.includes('ended: the configuration now bans its address'))).toBe(true)
      expect((await httpGet(`${running.url}/radio`, { localAddress: '127.0.0.9' })).status).toBe(403)
      await waitFor(() => auth.of('listener_remove').length === 1, 5000, 'listener_remove')
      expect(auth.of('listener_remove')[0]!.form).toMatchObject({ ip: '127.0.0.2', mount: '/radio' })
      expect(auth.of('listener_add')).toHaveLength(0)
      staying.close()
    } finally {
      await running.stop()
      await auth.stop()
    }
  })
})

describe('listener gate: a cap or a limit brought by a reload', () => {
  test('counts and times the listeners already connected, though nothing was followed before', async () => {
    const config = (access: Record<string, unknown>) =>
      parseStationConfig(
        { host: '127.0.0.1', port: 0, access, mounts: [{ path: '/radio', playlist: [music] }] },
        'test',
      )
    const running = await startStation([{ path: '/radio', playlist: [music] }])
    try {
      await running.onAir()
      const early = [
        await httpGet(`${running.url}/radio`, { localAddress: '127.0.0.5' }),
        await httpGet(`${running.url}/radio`, { localAddress: '127.0.0.5' }),
      ]
      expect(early.map((answer) => answer.status)).toEqual([200, 200])
      await Bun.sleep(4000)
      const reloadedAt = performance.now()
      await running.station.reload(config({ maxListenersPerAddress: 2, maxListenerDuration: 5 }))
      const third = await httpGet(`${running.url}/radio`, { localAddress: '127.0.0.5' })
      await third.ended
      expect(third.status).toBe(403)
      // Their 5 s count from when they connected (about 1 s after the reload), not from the reload (5 s after).
      await Promise.all(early.map((answer) => answer.ended))
      expect(performance.now() - reloadedAt).toBeLessThan(4000)
      expect(running.logs.filter((line) => line.includes('its 5 s are up'))).toHaveLength(2)
    } finally {
      await running.stop()
    }
  }, 30_000)
})
