import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** A self-signed certificate for localhost and 127.0.0.1, made by openssl for a test. */
export interface TestCert {
  readonly cert: string
  readonly key: string
  /** The certificate's PEM text and its private key's. */
  readonly certText: string
  readonly keyText: string
  /** As `getPeerCertificate().fingerprint256` says it (`AB:CD:…`). */
  readonly fingerprint256: string
  /** base64 of the SHA-256 of its public key (Chromium's `--ignore-certificate-errors-spki-list`). */
  readonly spki: string
}

/**
 * Makes a P-256 certificate valid one day for `localhost` and `127.0.0.1`, with its key, in `dir`
 * as `<name>.crt` and `<name>.key` (openssl from the PATH: Debian's `openssl` package).
 *
 * @example
 * const first = makeTestCert(dir.root, 'first')
 */
export const makeTestCert = (dir: string, name: string): TestCert => {
  const cert = join(dir, `${name}.crt`)
  const key = join(dir, `${name}.key`)
  try {
    execFileSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ], { stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (error) {
    throw new Error(
      `openssl could not make a test certificate (install it: apt-get install -y openssl): ${(error as Error).message}`,
    )
  }
  const certText = readFileSync(cert, 'utf8')
  const spki = execFileSync('sh', [
    '-c',
    'openssl x509 -pubkey -noout -in "$1" | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64',
    'sh',
    cert,
  ]).toString().trim()
  return {
    cert,
    key,
    certText,
    keyText: readFileSync(key, 'utf8'),
    fingerprint256: new X509Certificate(certText).fingerprint256,
    spki,
  }
}
