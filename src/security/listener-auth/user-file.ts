import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import md5 from 'apache-md5'
import bcrypt from 'bcryptjs'
import type { Credentials } from '../credentials.ts'
import { safeEqual } from '../credentials.ts'

/** How long a file's contents are trusted before its modification time is looked at again. */
const RESTAT_MS = 2000

/** Icecast 2.4's own user files: the password's MD5, in hex. */
const ICECAST_MD5 = /^[0-9a-f]{32}$/i

/** Whether `password` matches an htpasswd hash: bcrypt (`htpasswd -B`), Apache MD5 (`-m`), SHA-1 (`-s`), Icecast's MD5. */
const matches = async (password: string, hash: string): Promise<boolean> => {
  if (/^\$2[aby]\$/.test(hash)) return await bcrypt.compare(password, hash)
  if (hash.startsWith('$apr1$')) return safeEqual(md5(password, hash), hash)
  if (ICECAST_MD5.test(hash)) {
    return safeEqual(createHash('md5').update(password, 'utf8').digest('hex'), hash.toLowerCase())
  }
  if (hash.startsWith('{SHA}')) {
    return safeEqual(`{SHA}${createHash('sha1').update(password, 'utf8').digest('base64')}`, hash)
  }
  return false
}

/** Whether airwave can check a hash of this kind. */
const supported = (hash: string): boolean => /^\$2[aby]\$|^\$apr1\$|^\{SHA\}/.test(hash) || ICECAST_MD5.test(hash)

/** One parsed file: users and their hashes, and the lines it had to pass over. */
interface Parsed {
  readonly users: ReadonlyMap<string, string>
  readonly problems: readonly string[]
}

/**
 * Reads an htpasswd file's text: `user:hash` lines, `#` comments and blank lines passed over.
 *
 * @example
 * parseUserFile('bob:$2y$05$…\n').users.get('bob') // '$2y$05$…'
 */
export const parseUserFile = (text: string): Parsed => {
  const users = new Map<string, string>()
  const problems: string[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const colon = line.indexOf(':')
    const user = line.slice(0, colon)
    const hash = line.slice(colon + 1)
    if (colon <= 0 || hash === '') problems.push(`line ${index + 1}: not "user:hash"`)
    else if (!supported(hash)) {
      problems.push(
        `line ${
          index + 1
        } (${user}): a password hash airwave cannot check; make it with htpasswd -B (bcrypt), -m (MD5) or -s (SHA-1), or use Icecast's file as it is`,
      )
    } else users.set(user, hash)
  })
  return { users, problems }
}

/**
 * A static list of listeners allowed on a mount, from an htpasswd file (as Apache's `htpasswd`
 * makes it: bcrypt, MD5 or SHA-1 hashes). The file is read again when it changes, so users are
 * added and removed without a restart. A password once found right is remembered (as a SHA-256 of
 * it, with the hash it matched), so a listener reconnecting costs no second bcrypt.
 *
 * @example
 * const users = await UserFile.open('/etc/airwave/listeners.htpasswd')
 * await users.check({ user: 'bob', password: 'secret' }) // true
 */
export class UserFile {
  readonly path: string
  #parsed: Parsed
  #mtime: number
  #checkedAt = Date.now()
  #reading: Promise<void> | undefined
  readonly #verified = new Map<string, string>()
  readonly #onProblem: (message: string) => void

  private constructor(path: string, parsed: Parsed, mtime: number, onProblem: (message: string) => void) {
    this.path = path
    this.#parsed = parsed
    this.#mtime = mtime
    this.#onProblem = onProblem
  }

  /**
   * Reads the file; rejects, saying what to do, when it cannot be read. Lines it cannot use are
   * reported through `onProblem` (here and at every re-read) and passed over.
   */
  static async open(path: string, onProblem: (message: string) => void = () => {}): Promise<UserFile> {
    let text: string
    let mtime: number
    try {
      ;[text, mtime] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => s.mtimeMs)])
    } catch (error) {
      const code = (error as { code?: string }).code
      throw new Error(
        code === 'ENOENT'
          ? `the listener user file ${path} does not exist: make it with "htpasswd -cB ${path} <user>"`
          : `cannot read the listener user file ${path}: ${(error as Error).message}`,
      )
    }
    const parsed = parseUserFile(text)
    for (const problem of parsed.problems) onProblem(`${path} ${problem}`)
    return new UserFile(path, parsed, mtime, onProblem)
  }

  /** How many users the file lists. */
  get size(): number {
    return this.#parsed.users.size
  }

  /** Whether `given` names a user of the file with its password. */
  async check(given: Credentials | undefined): Promise<boolean> {
    await this.#fresh()
    const hash = given ? this.#parsed.users.get(given.user) : undefined
    if (!given || hash === undefined) return false
    const key = `${given.user}\0${createHash('sha256').update(given.password, 'utf8').digest('base64')}`
    if (this.#verified.get(key) === hash) return true
    if (!(await matches(given.password, hash))) return false
    if (this.#verified.size >= 10_000) this.#verified.clear()
    this.#verified.set(key, hash)
    return true
  }

  /** Reads the file again when it changed (looked at every couple of seconds at most); a file gone or unreadable keeps the users it had. */
  #fresh(): Promise<void> {
    if (Date.now() - this.#checkedAt < RESTAT_MS) return Promise.resolve()
    this.#reading ??= (async () => {
      try {
        const mtime = (await stat(this.path)).mtimeMs
        if (mtime === this.#mtime) return
        const parsed = parseUserFile(await readFile(this.path, 'utf8'))
        for (const problem of parsed.problems) this.#onProblem(`${this.path} ${problem}`)
        this.#parsed = parsed
        this.#mtime = mtime
      } catch (error) {
        this.#onProblem(`cannot read ${this.path} again (${(error as Error).message}): keeping the users read before`)
      } finally {
        this.#checkedAt = Date.now()
        this.#reading = undefined
      }
    })()
    return this.#reading
  }
}
