import { describe, expect, test } from 'bun:test'
import { CliError, HELP, parseCli } from '../../src/config/cli.ts'

describe('parseCli', () => {
  test('takes flags and playlist arguments', () => {
    expect(
      parseCli([
        '-p',
        '9000',
        '--host',
        '127.0.0.1',
        '--mount',
        '/jazz',
        '--burst',
        '5',
        '--shuffle',
        '--name',
        'Radio',
        '--log-level',
        'debug',
        'a.mp3',
        'music/',
      ]),
    ).toEqual({
      kind: 'run',
      flags: {
        port: 9000,
        host: '127.0.0.1',
        mount: '/jazz',
        burst: 5,
        shuffle: true,
        name: 'Radio',
        logLevel: 'debug',
      },
      playlist: ['a.mp3', 'music/'],
    })
  })

  test('takes the live-source, admin and relay flags', () => {
    expect(
      parseCli([
        '--source-password',
        's3cret',
        '--source-port',
        '8101',
        '--admin-password',
        'adm1n',
        '--admin-user',
        'boss',
        '--relay',
        'http://o/s',
      ]),
    ).toEqual({
      kind: 'run',
      flags: {
        sourcePassword: 's3cret',
        sourcePort: 8101,
        adminPassword: 'adm1n',
        adminUser: 'boss',
        relay: 'http://o/s',
      },
      playlist: [],
    })
  })

  test('--help and --version', () => {
    expect(parseCli(['--help'])).toEqual({ kind: 'help' })
    expect(parseCli(['-v'])).toEqual({ kind: 'version' })
  })

  test('--help documents every flag', () => {
    for (
      const flag of [
        '--port',
        '--host',
        '--mount',
        '--burst',
        '--shuffle',
        '--name',
        '--log-level',
        '--config',
        '--relay',
        '--source-password',
        '--source-port',
        '--admin-password',
        '--admin-user',
        'AIRWAVE_SOURCE_PASSWORD',
        'AIRWAVE_ADMIN_PASSWORD',
        '--help',
        '--version',
      ]
    ) expect(HELP).toContain(flag)
  })

  test('an unknown flag or a number that is not one is a clear error', () => {
    expect(() => parseCli(['--prot', '8000'])).toThrow(CliError)
    expect(() => parseCli(['--prot', '8000'])).toThrow(/--prot.*see airwave --help/)
    expect(() => parseCli(['--port', 'eighty'])).toThrow('--port: expected a number, got "eighty"')
  })
})
