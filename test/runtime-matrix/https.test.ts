import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { spawn } from 'node:child_process'
import { copyFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { TLSSocket } from 'node:tls'
import { connect } from 'node:tls'
import { fixtures, sineInput } from '../helpers/fixtures.ts'
import { runFfmpeg } from '../helpers/listen-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { systemFfmpeg } from '../helpers/ogg.ts'
import type { Running } from '../helpers/process.ts'
import { run } from '../helpers/process.ts'
import { establishedConnections } from '../helpers/sockets.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import type { TestCert } from '../helpers/tls-cert.ts'
import { makeTestCert } from '../helpers/tls-cert.ts'
import { LEGS, onLoopback } from './runtimes.ts'

const FAST_STATION = fileURLToPath(new URL('./fast-station.ts', import.meta.url))
const dir = tempDir('airwave-https-')
afterAll(() => dir.remove())
const FIRST = makeTestCert(dir.root, 'first')
const SECOND = makeTestCert(dir.root, 'second')

/** The certificate a new TLS connection to `port` is shown (its SHA-256 fingerprint). */
const presented = (port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256)
      socket.destroy()
    })
    socket.once('error', reject)
  })

/** A listener of `path` over TLS, trusting only `ca`: the bytes it received (head included), and its socket. */
const tlsListener = (port: number, path: string, ca: TestCert, name: string) => {
  const listener = { bytes: 0, ended: false, socket: undefined as TLSSocket | undefined }
  const socket = connect({ port, host: '127.0.0.1', servername: 'localhost', ca: ca.certText }, () => {
    socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ${name}\r\n\r\n`)
  })
  socket.on('data', (data: Buffer) => (listener.bytes += data.length))
  socket.on('close', () => (listener.ended = true))
  socket.on('error', () => {})
  listener.socket = socket
  return listener
}

/** GET over HTTPS, trusting only `ca`. */
const httpsGet = (port: number, path: string, ca: TestCert) =>
  fetch(`https://localhost:${port}${path}`, { tls: { ca: ca.certText } } as RequestInit)

/** Decodes `seconds` of an https:// stream with Debian's ffmpeg (its TLS, GnuTLS): what it reports, and the seconds out. */
const decodeHttps = async (url: string, seconds: number) => {
  const { code, stderr, stdoutBytes } = await runFfmpeg(
    ['-v', 'error', '-i', url, '-t', String(seconds), '-f', 's16le', '-ac', '2', '-ar', '44100', '-'],
    seconds * 1000 + 30_000,
    systemFfmpeg(),
  )
  return { code, stderr, seconds: stdoutBytes / (44100 * 4) }
}

/** Replaces the served files with `cert`'s, as a renewal does (the key first, then the certificate). */
const renew = (live: { cert: string; key: string }, cert: TestCert) => {
  copyFileSync(cert.key, live.key)
  copyFileSync(cert.cert, live.cert)
}

/** Waits until new connections are shown `cert` (the station looks at its files every 3 s). */
const untilPresented = async (port: number, cert: TestCert) => {
  const deadline = Date.now() + 20_000
  let seen = await presented(port)
  while (seen !== cert.fingerprint256) {
    if (Date.now() > deadline) throw new Error(`new connections still get ${seen}, not ${cert.fingerprint256}`)
    await Bun.sleep(200)
    seen = await presented(port)
  }
}

/** A real ffmpeg sending a tone to the source port over TLS (`-tls 1`), as an encoder would. */
const tlsSource = (port: number, mount: string, seconds: number): Running =>
  run(systemFfmpeg(), [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-re',
    ...sineInput({ frequency: 660, sampleRate: 44100, seconds, channels: 2 }),
    '-c:a',
    'libmp3lame',
    '-b:a',
    '128k',
    '-f',
    'mp3',
    '-content_type',
    'audio/mpeg',
    '-tls',
    '1',
    `icecast://source:s3cret@127.0.0.1:${port}${mount}`,
  ])

const liveFiles = (name: string) => {
  const live = { cert: dir.path(`${name}/cert.pem`), key: dir.path(`${name}/key.pem`) }
  dir.copy(FIRST.cert, `${name}/cert.pem`)
  dir.copy(FIRST.key, `${name}/key.pem`)
  return live
}

describe.each(LEGS)('HTTPS on $name', (leg) => {
  beforeAll(() => leg.setup(), 120_000)
  const slug = leg.name.split(' ')[0]!

  test(
    'the listener port speaks HTTPS: ffmpeg decodes the stream, the API and playlists say https://, a renewed certificate reaches new connections without a restart while a listener connected before plays on, a mismatched pair is kept out, and a source streams over TLS',
    async () => {
      const live = liveFiles(`${slug}-one`)
      const [command, ...args] = leg.cli()
      const station = run(command!, [
        ...args,
        ...onLoopback(2),
        '--tls-cert',
        live.cert,
        '--tls-key',
        live.key,
        '--source-password',
        's3cret',
        '--tls-source-port',
        fixtures.chirp(30, 300, { title: 'Secure' }),
      ])
      const open: { socket?: TLSSocket }[] = []
      let source: Running | undefined
      try {
        const [, port] = await station.waitFor(/listening on 127\.0\.0\.1:(\d+) \(HTTPS\); tune in at:$/, 20_000)
        await station.waitFor(new RegExp(`info {2} {2}https://127\\.0\\.0\\.1:${port}/stream$`))
        const [, sourcePort] = await station.waitFor(/connect your encoder to port (\d+) with TLS, user "source"/)
        await station.waitFor(/on air: /)
        expect(await presented(Number(port))).toBe(FIRST.fingerprint256)

        // ffmpeg (GnuTLS) decodes the stream over HTTPS without an error.
        await Bun.sleep(2100)
        const decoded = await decodeHttps(`https://127.0.0.1:${port}/stream`, 3)
        expect(decoded).toMatchObject({ code: 0, stderr: '' })
        expect(Math.abs(decoded.seconds - 3)).toBeLessThan(0.2)

        // Pages and API over HTTPS, verified against the certificate; the URLs they write say https.
        const mount = await (await httpsGet(Number(port), '/api/mounts/stream', FIRST)).json() as { listenUrl: string }
        expect(mount.listenUrl).toBe(`https://localhost:${port}/stream`)
        expect(await (await httpsGet(Number(port), '/stream.m3u', FIRST)).text()).toContain(
          `https://localhost:${port}/stream`,
        )
        expect((await httpsGet(Number(port), '/', FIRST)).status).toBe(200)

        // A listener before the renewal…
        const before = tlsListener(Number(port), '/stream', FIRST, 'before-renewal')
        open.push(before)
        await waitFor(() => before.bytes > 32_000, 10_000, 'the first listener to get its burst')

        // …the files replaced: new connections get the new certificate, without a restart.
        renew(live, SECOND)
        await station.waitFor(/TLS certificate .*cert\.pem renewed: CN=localhost.*; new connections get it$/, 20_000)
        await untilPresented(Number(port), SECOND)
        const after = tlsListener(Number(port), '/stream', SECOND, 'after-renewal')
        open.push(after)
        await waitFor(() => after.bytes > 32_000, 10_000, 'a listener trusting only the new certificate to play')
        // The one connected before plays on, on the certificate it was shown.
        expect(before.socket!.getPeerCertificate().fingerprint256).toBe(FIRST.fingerprint256)
        const beforeBytes = before.bytes
        await Bun.sleep(1500)
        expect(before.ended).toBe(false)
        expect(before.bytes - beforeBytes).toBeGreaterThan(16_000)

        // A certificate without its key (renewed halfway) is kept out, and said so.
        copyFileSync(FIRST.cert, live.cert)
        await station.waitFor(
          /warn {2}the TLS key .*key\.pem is not the key of the certificate .*still serving/,
          20_000,
        )
        expect(await presented(Number(port))).toBe(SECOND.fingerprint256)
        copyFileSync(FIRST.key, live.key)
        await untilPresented(Number(port), FIRST)

        // A source over TLS takes the mount; the listeners hear it.
        source = tlsSource(Number(sourcePort), '/stream', 30)
        await station.waitFor(/\[\/stream\] live source on air/, 20_000)
        const onAir = await (await httpsGet(Number(port), '/api/mounts/stream', FIRST)).json() as { input: string }
        expect(onAir.input).toBe('live')
        const afterBytes = after.bytes
        await Bun.sleep(1500)
        expect(after.bytes - afterBytes).toBeGreaterThan(16_000)

        station.child.kill('SIGTERM')
        expect(await station.exited).toBe(0)
        expect(station.stdout.filter((line) => / "before-renewal" \d+$/.test(line))).toHaveLength(1)
      } finally {
        source?.child.kill('SIGKILL')
        for (const listener of open) listener.socket?.destroy()
        station.child.kill('SIGKILL')
      }
    },
    120_000,
  )

  test(
    'with two worker processes: listeners and the API over HTTPS, and a renewed certificate reaches every worker',
    async () => {
      const live = liveFiles(`${slug}-workers`)
      const [command, ...args] = leg.cli()
      if (leg.name === 'deno') args.splice(1, 0, '--allow-run')
      const station = run(command!, [
        ...args,
        ...onLoopback(2),
        '--workers',
        '2',
        '--tls-cert',
        live.cert,
        '--tls-key',
        live.key,
        fixtures.chirp(30, 300, { title: 'Secure' }),
      ])
      const open: { socket?: TLSSocket }[] = []
      try {
        const [, port] = await station.waitFor(/listening on 127\.0\.0\.1:(\d+) \(HTTPS\)/, 40_000)
        await station.waitFor(/on air: /)
        await Bun.sleep(2100)
        const decoded = await decodeHttps(`https://127.0.0.1:${port}/stream`, 3)
        expect(decoded).toMatchObject({ code: 0, stderr: '' })
        expect((await httpsGet(Number(port), '/api/mounts/stream', FIRST)).status).toBe(200)

        const before = Array.from({ length: 6 }, (_, i) => tlsListener(Number(port), '/stream', FIRST, `w-before/${i}`))
        open.push(...before)
        await waitFor(() => before.every((l) => l.bytes > 32_000), 15_000, 'every listener to get its burst')

        renew(live, SECOND)
        await untilPresented(Number(port), SECOND)
        // Connections spread over both workers: each is shown the new certificate.
        const fingerprints = await Promise.all(Array.from({ length: 12 }, () => presented(Number(port))))
        expect(new Set(fingerprints)).toEqual(new Set([SECOND.fingerprint256]))
        const after = Array.from({ length: 6 }, (_, i) => tlsListener(Number(port), '/stream', SECOND, `w-after/${i}`))
        open.push(...after)
        await waitFor(() => after.every((l) => l.bytes > 32_000), 15_000, 'listeners trusting the new certificate')
        const sent = before.map((l) => l.bytes)
        await Bun.sleep(1500)
        before.forEach((listener, i) => {
          expect(listener.ended).toBe(false)
          expect(listener.bytes - sent[i]!).toBeGreaterThan(16_000)
        })
        // Counts settle every half second.
        await Bun.sleep(700)
        const counted = await (await httpsGet(Number(port), '/api/mounts/stream', SECOND)).json() as {
          listeners: { current: number }
        }
        expect(counted.listeners.current).toBeGreaterThanOrEqual(12)

        station.child.kill('SIGTERM')
        expect(await station.exited).toBe(0)
      } finally {
        for (const listener of open) listener.socket?.destroy()
        station.child.kill('SIGKILL')
      }
    },
    120_000,
  )
})

// Node 20 runs the same code from dist/; the script needs a runtime that runs TypeScript.
describe.each(LEGS.filter((leg) => leg.script))('HTTPS on $name, a stalled listener', (leg) => {
  beforeAll(() => leg.setup(), 120_000)

  test(
    'a TLS listener that stops reading is dropped and its connection really closed, even with megabytes queued in the kernel',
    async () => {
      const [command, ...args] = leg.script!(FAST_STATION)
      const station = run(command!, [...args, '50', fixtures.mp3(4, 300), fixtures.mp3(4, 500)], {
        env: { ...process.env, AIRWAVE_TEST_TLS: `${FIRST.cert}:${FIRST.key}` },
      })
      const stalled = { kill: () => {} }
      try {
        const [, port] = await station.waitFor(/^port (\d+)$/)
        // openssl sends the request, then blocks writing to a pipe nobody reads: it never reads the socket again.
        const client = spawn('openssl', ['s_client', '-quiet', '-connect', `127.0.0.1:${port}`], {
          stdio: ['pipe', 'pipe', 'ignore'],
        })
        client.stdin!.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n')
        client.stdout!.pause()
        stalled.kill = () => void client.kill('SIGKILL')
        await waitFor(() => establishedConnections(Number(port)) === 1, 5000, 'the connection')
        await station.waitFor(/^dropped 1 slow$/, 30_000)
        await waitFor(() => establishedConnections(Number(port)) === 0, 8000, 'the server to close the socket')
        expect(station.stderr.filter((line) => /Error|^\s+at /.test(line))).toEqual([])
      } finally {
        stalled.kill()
        station.child.kill('SIGKILL')
      }
    },
    60_000,
  )
})
