import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import type { Logger } from '../log.ts'
import type { Result } from '../util/result.ts'
import { done, refused } from '../util/result.ts'

/** A certificate (PEM, the full chain: the server's own first) and its private key (PEM). */
export interface TlsPair {
  readonly cert: string
  readonly key: string
}

/** Where a TLS server takes its certificate from: the pair to use now, and word of each new one. */
export interface TlsSource {
  readonly current: TlsPair
  /** Calls `listener` with every new pair (for new connections); returns how to stop. */
  onChange(listener: (pair: TlsPair) => void): () => void
}

/** A pair that was read and checked, with what the log says of it. */
export interface CheckedPair extends TlsPair {
  /** The certificate's subject, e.g. `CN=radio.example`. */
  readonly subject: string
  readonly fingerprint256: string
  readonly validTo: Date
}

/** Where the pair is read from. */
export interface TlsPaths {
  readonly cert: string
  readonly key: string
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const readProblem = (error: unknown): string => {
  const code = (error as { code?: string }).code
  if (code === 'ENOENT') return 'not found'
  if (code === 'EACCES' || code === 'EPERM' || (error as { name?: string }).name === 'NotCapable') {
    return 'not allowed to read it (run airwave as a user who may, or copy the files where it may read them)'
  }
  if (code === 'EISDIR') return 'a folder, not a file'
  return messageOf(error)
}

/**
 * Checks a certificate and key as read: every certificate of the chain whole and valid, the key a
 * private key, and the key the first certificate's. On Deno, `tls.createSecureContext` takes a
 * mismatched or half-written pair without a word, so the check is made here, with `node:crypto`.
 *
 * @example
 * const checked = checkTlsPair(certText, keyText, { cert: 'fullchain.pem', key: 'privkey.pem' })
 * if (!checked.ok) log.warn(checked.reason)
 */
export const checkTlsPair = (cert: string, key: string, paths: TlsPaths): Result<CheckedPair> => {
  const blocks = cert.match(CERT_BLOCK) ?? []
  const begun = cert.split('-----BEGIN ').length - 1
  if (begun > blocks.length) {
    return refused(`the TLS certificate ${paths.cert} ends in the middle of a certificate (still being written?)`)
  }
  if (blocks.length === 0) {
    return refused(`the TLS certificate ${paths.cert} holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`)
  }
  let leaf: X509Certificate | undefined
  for (const [index, block] of blocks.entries()) {
    try {
      const parsed = new X509Certificate(block)
      leaf ??= parsed
    } catch (error) {
      return refused(
        `the TLS certificate ${paths.cert}: certificate ${index + 1} of ${blocks.length} is not valid (${
          messageOf(error)
        })`,
      )
    }
  }
  let privateKey
  try {
    privateKey = createPrivateKey(key)
  } catch (error) {
    return refused(`the TLS key ${paths.key} is not a usable PEM private key (${messageOf(error)})`)
  }
  if (!leaf!.checkPrivateKey(privateKey)) {
    return refused(
      `the TLS key ${paths.key} is not the key of the certificate ${paths.cert} (one of them is from another pair, or not yet renewed)`,
    )
  }
  return done({
    cert,
    key,
    subject: leaf!.subject.replace(/\n/g, ', '),
    fingerprint256: leaf!.fingerprint256,
    validTo: new Date(leaf!.validTo),
  })
}

/**
 * Reads and checks a certificate and key (see `checkTlsPair`); a file that cannot be read is a
 * refusal that says why.
 *
 * @example
 * const pair = await readTlsPair({ cert: '/etc/letsencrypt/live/radio.example/fullchain.pem', key: '…/privkey.pem' })
 */
export const readTlsPair = async (paths: TlsPaths): Promise<Result<CheckedPair>> => {
  const texts: string[] = []
  for (const [what, path] of [['certificate', paths.cert], ['key', paths.key]] as const) {
    try {
      texts.push(await readFile(path, 'utf8'))
    } catch (error) {
      return refused(`cannot read the TLS ${what} ${path}: ${readProblem(error)}`)
    }
  }
  return checkTlsPair(texts[0]!, texts[1]!, paths)
}

/**
 * A pair set by hand (a worker process, told each new pair by its station).
 *
 * @example
 * const tls = new TlsHolder(setup.tls)
 * tls.set(next) // servers using it take `next` for new connections
 */
export class TlsHolder implements TlsSource {
  #current: TlsPair
  readonly #listeners = new Set<(pair: TlsPair) => void>()

  constructor(pair: TlsPair) {
    this.#current = { cert: pair.cert, key: pair.key }
  }

  get current(): TlsPair {
    return this.#current
  }

  set(pair: TlsPair): void {
    this.#current = { cert: pair.cert, key: pair.key }
    for (const listener of [...this.#listeners]) listener(this.#current)
  }

  onChange(listener: (pair: TlsPair) => void): () => void {
    this.#listeners.add(listener)
    return () => void this.#listeners.delete(listener)
  }
}

/** How often the files are looked at (their size, time and inode; read again only when one changed). */
export const TLS_POLL_MS = 3000

export interface TlsFilesOptions extends TlsPaths {
  log: Logger
  /** Milliseconds between looks at the files (default TLS_POLL_MS). */
  pollMs?: number
}

const describe = (pair: CheckedPair): string =>
  `${pair.subject}, valid until ${pair.validTo.toISOString()}, SHA-256 ${pair.fingerprint256.slice(0, 23)}…`

/** What says a file changed: its size, modification time and inode (a renewal may replace it, or move a symlink). */
const signature = async (paths: TlsPaths): Promise<string> => {
  const parts: string[] = []
  for (const path of [paths.cert, paths.key]) {
    try {
      const s = await stat(path)
      parts.push(`${s.size}:${s.mtimeMs}:${s.ino}`)
    } catch (error) {
      parts.push(`unreadable:${(error as { code?: string }).code}`)
    }
  }
  return parts.join('|')
}

/**
 * A certificate and key read from files and read again whenever either changes (a renewal by
 * certbot or lego: the files are simply replaced), so that new connections get the new
 * certificate without a restart; connections already open keep theirs. A pair that does not check
 * out (half written, the certificate renewed and the key not yet) is kept out: the one in use
 * stays, a warning says what is wrong, and the files are read again at their next change.
 *
 * @example
 * const tls = await TlsFiles.open({ cert: 'fullchain.pem', key: 'privkey.pem', log })
 * tls.onChange((pair) => server.setSecureContext(pair))
 */
export class TlsFiles implements TlsSource {
  readonly #options: TlsFilesOptions
  readonly #holder: TlsHolder
  #pair: CheckedPair
  #seen: string
  #timer: ReturnType<typeof setInterval> | undefined
  #checking: Promise<void> | undefined

  private constructor(options: TlsFilesOptions, pair: CheckedPair, seen: string) {
    this.#options = options
    this.#pair = pair
    this.#seen = seen
    this.#holder = new TlsHolder(pair)
    this.#timer = setInterval(() => void this.check(), options.pollMs ?? TLS_POLL_MS)
    ;(this.#timer as { unref?: () => void }).unref?.()
  }

  /** Reads and checks the pair, then watches the files; rejects, saying what is wrong, when the pair is not usable. */
  static async open(options: TlsFilesOptions): Promise<TlsFiles> {
    const seen = await signature(options)
    const read = await readTlsPair(options)
    if (!read.ok) throw new Error(read.reason)
    const files = new TlsFiles(options, read.value, seen)
    options.log.info(`TLS certificate ${options.cert}: ${describe(read.value)}`)
    files.#warnIfExpired()
    return files
  }

  get current(): TlsPair {
    return this.#holder.current
  }

  /** The pair in use, with its subject, fingerprint and expiry. */
  get pair(): CheckedPair {
    return this.#pair
  }

  onChange(listener: (pair: TlsPair) => void): () => void {
    return this.#holder.onChange(listener)
  }

  /** Looks at the files now (as the poll does), reading them again if either changed. */
  check(): Promise<void> {
    this.#checking ??= this.#check().finally(() => (this.#checking = undefined))
    return this.#checking
  }

  /** Stops watching the files. */
  close(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  async #check(): Promise<void> {
    const seen = await signature(this.#options)
    if (seen === this.#seen || this.#timer === undefined) return
    this.#seen = seen
    const { log } = this.#options
    const read = await readTlsPair(this.#options)
    if (this.#timer === undefined) return
    if (!read.ok) {
      return log.warn(
        `${read.reason}; still serving the certificate loaded before (${
          describe(this.#pair)
        }); trying again when either file changes`,
      )
    }
    if (read.value.cert === this.#pair.cert && read.value.key === this.#pair.key) return
    this.#pair = read.value
    log.info(`TLS certificate ${this.#options.cert} renewed: ${describe(read.value)}; new connections get it`)
    this.#warnIfExpired()
    this.#holder.set(read.value)
  }

  #warnIfExpired(): void {
    if (this.#pair.validTo.getTime() > Date.now()) return
    this.#options.log.warn(
      `TLS certificate ${this.#options.cert} expired on ${this.#pair.validTo.toISOString()}: clients will refuse it; renew it (the new files are picked up without a restart)`,
    )
  }
}
