import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { copyFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { createLogger } from '../../src/log.ts'
import type { TlsPair } from '../../src/net/tls-files.ts'
import { checkTlsPair, readTlsPair, TlsFiles, TlsHolder } from '../../src/net/tls-files.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import { makeTestCert } from '../helpers/tls-cert.ts'

const dir = tempDir('airwave-tls-')
afterAll(() => dir.remove())
const [A, B, C] = ['a', 'b', 'c'].map((name) => makeTestCert(dir.root, name)) as [
  ReturnType<typeof makeTestCert>,
  ReturnType<typeof makeTestCert>,
  ReturnType<typeof makeTestCert>,
]

let serial = 0
/** A fresh pair of files in use (`cert.pem`, `key.pem` in a folder of their own), holding `pair`. */
const install = (pair: { cert: string; key: string }) => {
  const sub = `live-${++serial}`
  return { cert: dir.copy(pair.cert, `${sub}/cert.pem`), key: dir.copy(pair.key, `${sub}/key.pem`) }
}

const logged = () => {
  const lines: string[] = []
  return { lines, log: createLogger({ level: 'debug', write: (line) => lines.push(line), flood: false }) }
}

const opened: TlsFiles[] = []
afterEach(() => {
  for (const files of opened.splice(0)) files.close()
})
const open = async (paths: { cert: string; key: string }, pollMs = 60_000) => {
  const { lines, log } = logged()
  const files = await TlsFiles.open({ ...paths, log, pollMs })
  opened.push(files)
  const changes: TlsPair[] = []
  files.onChange((pair) => changes.push(pair))
  return { files, lines, changes }
}

const refusal = async (paths: { cert: string; key: string }) => {
  const { log } = logged()
  const error = await TlsFiles.open({ ...paths, log }).then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(Error)
  return (error as Error).message
}

describe('checkTlsPair', () => {
  const paths = { cert: 'cert.pem', key: 'key.pem' }

  test('takes a certificate and its key, and says what it is', () => {
    const checked = checkTlsPair(A.certText, A.keyText, paths)
    expect(checked).toMatchObject({ ok: true, value: { subject: 'CN=localhost', fingerprint256: A.fingerprint256 } })
  })

  test('takes a full chain (the server certificate first) and checks every certificate of it', () => {
    expect(checkTlsPair(A.certText + B.certText, A.keyText, paths).ok).toBe(true)
    // The second certificate whole in its markers, but lines of it lost.
    const lines = B.certText.split('\n')
    const broken = A.certText + [...lines.slice(0, 2), ...lines.slice(5)].join('\n')
    expect(checkTlsPair(broken, A.keyText, paths)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('the TLS certificate cert.pem: certificate 2 of 2 is not valid ('),
    })
  })

  test('refuses a key of another pair, a half-written certificate, no certificate at all, a key that is none', () => {
    expect(checkTlsPair(A.certText, B.keyText, paths)).toEqual({
      ok: false,
      reason:
        'the TLS key key.pem is not the key of the certificate cert.pem (one of them is from another pair, or not yet renewed)',
    })
    expect(checkTlsPair(A.certText.slice(0, 200), A.keyText, paths)).toEqual({
      ok: false,
      reason: 'the TLS certificate cert.pem ends in the middle of a certificate (still being written?)',
    })
    expect(checkTlsPair(A.certText + B.certText.slice(0, 100), A.keyText, paths)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('ends in the middle of a certificate'),
    })
    expect(checkTlsPair('', A.keyText, paths)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('holds no PEM certificate'),
    })
    expect(checkTlsPair(A.certText, A.keyText.slice(0, 60), paths)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('the TLS key key.pem is not a usable PEM private key'),
    })
  })
})

describe('readTlsPair', () => {
  test('says which file cannot be read, and why', async () => {
    expect(await readTlsPair({ cert: dir.path('none.crt'), key: A.key })).toEqual({
      ok: false,
      reason: `cannot read the TLS certificate ${dir.path('none.crt')}: not found`,
    })
    expect(await readTlsPair({ cert: A.cert, key: dir.root })).toMatchObject({
      ok: false,
      reason: `cannot read the TLS key ${dir.root}: a folder, not a file`,
    })
  })
})

describe('TlsFiles', () => {
  test('opens with the pair in the files, and logs what it serves', async () => {
    const paths = install(A)
    const { files, lines } = await open(paths)
    expect(files.current).toEqual({ cert: A.certText, key: A.keyText })
    expect(files.pair.fingerprint256).toBe(A.fingerprint256)
    expect(lines.join('\n')).toContain(`TLS certificate ${paths.cert}: CN=localhost, valid until `)
  })

  test('refuses to open, saying what is wrong, with a missing file, a mismatched pair or a half-written certificate', async () => {
    expect(await refusal({ cert: dir.path('missing.pem'), key: A.key })).toBe(
      `cannot read the TLS certificate ${dir.path('missing.pem')}: not found`,
    )
    expect(await refusal({ cert: A.cert, key: B.key })).toContain(`the TLS key ${B.key} is not the key of`)
    const half = dir.write('half.pem', A.certText.slice(0, 300))
    expect(await refusal({ cert: half, key: A.key })).toContain('ends in the middle of a certificate')
  })

  test('a renewal (both files replaced) is read at the next look, and its pair announced', async () => {
    const paths = install(A)
    const { files, lines, changes } = await open(paths)
    await files.check()
    expect(changes).toEqual([])
    copyFileSync(B.cert, paths.cert)
    copyFileSync(B.key, paths.key)
    await files.check()
    expect(changes).toEqual([{ cert: B.certText, key: B.keyText }])
    expect(files.current).toEqual({ cert: B.certText, key: B.keyText })
    expect(files.pair.fingerprint256).toBe(B.fingerprint256)
    expect(lines.at(-1)).toContain(`TLS certificate ${paths.cert} renewed: CN=localhost`)
    expect(lines.at(-1)).toContain('new connections get it')
  })

  test('a renewal by rename (a new file moved over the old, as certbot and lego do) is read too', async () => {
    const paths = install(A)
    const { files, changes } = await open(paths)
    const fresh = { cert: dir.copy(B.cert, 'renamed/cert.new'), key: dir.copy(B.key, 'renamed/key.new') }
    renameSync(fresh.key, paths.key)
    renameSync(fresh.cert, paths.cert)
    await files.check()
    expect(changes.map((pair) => pair.cert)).toEqual([B.certText])
  })

  test('a certificate renewed before its key is kept out, with a warning that says so, until the key follows', async () => {
    const paths = install(A)
    const { files, lines, changes } = await open(paths)
    copyFileSync(C.cert, paths.cert)
    await files.check()
    expect(changes).toEqual([])
    expect(files.current).toEqual({ cert: A.certText, key: A.keyText })
    const warning = lines.at(-1)!
    expect(warning).toContain('warn ')
    expect(warning).toContain(`the TLS key ${paths.key} is not the key of the certificate ${paths.cert}`)
    expect(warning).toContain(`still serving the certificate loaded before (CN=localhost`)
    expect(warning).toContain('trying again when either file changes')
    // Nothing changed since: no second warning.
    await files.check()
    expect(lines.filter((line) => line.includes('warn '))).toHaveLength(1)
    copyFileSync(C.key, paths.key)
    await files.check()
    expect(changes).toEqual([{ cert: C.certText, key: C.keyText }])
  })

  test('a half-written certificate and a file gone for a moment are kept out; the complete files are taken', async () => {
    const paths = install(A)
    const { files, lines, changes } = await open(paths)
    writeFileSync(paths.cert, B.certText.slice(0, 250))
    copyFileSync(B.key, paths.key)
    await files.check()
    expect(lines.at(-1)).toContain('ends in the middle of a certificate (still being written?)')
    rmSync(paths.cert)
    await files.check()
    expect(lines.at(-1)).toContain(`cannot read the TLS certificate ${paths.cert}: not found; still serving`)
    expect(changes).toEqual([])
    expect(files.current.cert).toBe(A.certText)
    copyFileSync(B.cert, paths.cert)
    await files.check()
    expect(changes.map((pair) => pair.cert)).toEqual([B.certText])
  })

  test('files touched but unchanged announce nothing', async () => {
    const paths = install(A)
    const { files, changes, lines } = await open(paths)
    const later = new Date(Date.now() + 5000)
    utimesSync(paths.cert, later, later)
    await files.check()
    expect(changes).toEqual([])
    expect(lines.filter((line) => line.includes('renewed'))).toEqual([])
  })

  test('the files are looked at every pollMs without being asked, and not at all once closed', async () => {
    const paths = install(A)
    const { files, changes } = await open(paths, 50)
    copyFileSync(B.cert, paths.cert)
    copyFileSync(B.key, paths.key)
    await waitFor(() => changes.length === 1, 5000, 'the poll to see the renewal')
    files.close()
    copyFileSync(C.cert, paths.cert)
    copyFileSync(C.key, paths.key)
    await Bun.sleep(300)
    expect(changes).toHaveLength(1)
  })
})

describe('TlsHolder', () => {
  test('announces each pair set to its listeners until they stop listening', () => {
    const holder = new TlsHolder({ cert: 'a', key: 'a' })
    const seen: string[] = []
    const stop = holder.onChange((pair) => seen.push(pair.cert))
    holder.set({ cert: 'b', key: 'b' })
    stop()
    holder.set({ cert: 'c', key: 'c' })
    expect(seen).toEqual(['b'])
    expect(holder.current).toEqual({ cert: 'c', key: 'c' })
  })
})
