import { afterAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { parseCli } from '../../src/config/cli.ts'
import { loadConfig } from '../../src/config/load.ts'
import { configProblems } from '../helpers/config-problems.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const dir = tempDir()
afterAll(() => dir.remove())

const problems = configProblems

describe('the tls setting', () => {
  test('--tls-cert, --tls-key and --tls-source-port are parsed', () => {
    expect(parseCli(['--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--tls-source-port', 'a.mp3'])).toEqual({
      kind: 'run',
      flags: { tlsCert: 'c.pem', tlsKey: 'k.pem', tlsSourcePort: true },
      playlist: ['a.mp3'],
    })
  })

  test('from flags: paths are the working directory’s; TLS on the source port is off unless asked', async () => {
    const { config } = await loadConfig({ tlsCert: 'c.pem', tlsKey: '/etc/k.pem' }, ['a.mp3'])
    expect(config.tls).toEqual({ cert: join(process.cwd(), 'c.pem'), key: '/etc/k.pem', sourcePort: false })
    expect((await loadConfig({}, ['a.mp3'])).config.tls).toBeUndefined()
  })

  test('a certificate without its key (or the source port without either) is refused, naming the flag', async () => {
    expect(await problems(loadConfig({ tlsCert: 'c.pem' }, ['a.mp3']))).toEqual([
      "--tls-key: missing: the path of the certificate's private key file (PEM)",
    ])
    expect(await problems(loadConfig({ tlsSourcePort: true }, ['a.mp3']))).toEqual([
      '--tls-cert: missing: the path of the certificate file (PEM, the full chain)',
      "--tls-key: missing: the path of the certificate's private key file (PEM)",
    ])
  })

  test('in a config file: paths are the file’s folder’s, and flags override them (their paths the working directory’s)', async () => {
    const file = dir.write(
      'conf/station.json',
      JSON.stringify({
        tls: { cert: 'tls/fullchain.pem', key: '/etc/privkey.pem', sourcePort: true },
        mounts: [{ path: '/stream', playlist: ['a.mp3'] }],
      }),
    )
    expect((await loadConfig({ config: file }, [])).config.tls).toEqual({
      cert: dir.path('conf/tls/fullchain.pem'),
      key: '/etc/privkey.pem',
      sourcePort: true,
    })
    expect((await loadConfig({ config: file, tlsCert: 'other.pem' }, [])).config.tls).toEqual({
      cert: join(process.cwd(), 'other.pem'),
      key: '/etc/privkey.pem',
      sourcePort: true,
    })
  })

  test('in a config file: a missing key and an unknown field are named as the file names them', async () => {
    const file = dir.write(
      'half.json',
      JSON.stringify({ tls: { cert: 'c.pem', chain: 'x' }, mounts: [{ path: '/stream', playlist: ['a.mp3'] }] }),
    )
    const found = await problems(loadConfig({ config: file }, []))
    expect(found).toContainEqual("tls.key: missing: the path of the certificate's private key file (PEM)")
    expect(found.some((problem) => problem.startsWith('tls: ') && problem.includes('chain'))).toBe(true)
  })
})
