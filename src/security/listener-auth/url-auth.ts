import { Buffer } from 'node:buffer'

/** Icecast's URL authentication, as configured for a mount (`<authentication type="url">`). */
export interface UrlAuthOptions {
  readonly listenerAdd?: string
  readonly listenerRemove?: string
  readonly streamAuth?: string
  readonly mountAdd?: string
  readonly mountRemove?: string
  /** HTTP Basic credentials airwave sends to the auth server, if it asks for them. */
  readonly username?: string
  readonly password?: string
  /** The answer's header line that admits (`icecast-auth-user: 1`). */
  readonly authHeader: string
  /** The answer's header that limits the listener's time, in seconds (`icecast-auth-timelimit:`). */
  readonly timelimitHeader: string
  /** The listener's request headers passed on, each as a field named `headerPrefix` + its name. */
  readonly headers: readonly string[]
  readonly headerPrefix: string
  readonly timeoutMs: number
  /** What an unreachable, slow or failing auth server means: refuse (fail closed) or admit (fail open). */
  readonly onError: 'refuse' | 'admit'
  /** How long an answer is reused for the same listener (mount and query, user, password, address, agent); 0: never. */
  readonly cacheMs: number
}

/** What a listener says for itself, in Icecast's `listener_add` fields. */
export interface ListenerFields {
  /** The listener's id (Icecast's client id), the same in `listener_remove`. */
  readonly client: number
  readonly server: string
  readonly port: number
  /** The mount's path with the request's query string (`/live?token=abc`). */
  readonly mount: string
  readonly user: string
  readonly pass: string
  readonly ip: string
  readonly agent: string
  /** The request's headers, names lower-cased. */
  readonly requestHeaders: ReadonlyMap<string, string> | Headers
}

/** The auth server's answer to a listener: admitted (maybe for a limited time), or refused with its message. */
export type AuthAnswer =
  | {
    readonly admitted: true
    readonly timeLimitMs?: number
    readonly via: 'server' | 'cache' | 'fail open'
    /** Why the auth server could not answer (`fail open`), for the log. */
    readonly why?: string
  }
  | {
    readonly admitted: false
    readonly unavailable: boolean
    /** For the listener. */
    readonly message: string
    /** Why the auth server could not answer (`unavailable`), for the log. */
    readonly why?: string
  }

interface Cached {
  readonly answer: AuthAnswer
  readonly at: number
}

/** A listener's fields in Icecast 2.4's order; `listener_remove` has the seconds listened before the address. */
const listenerForm = (
  action: 'listener_add' | 'listener_remove',
  fields: Omit<ListenerFields, 'requestHeaders'>,
  duration?: number,
): [string, string][] => [
  ['action', action],
  ['server', fields.server],
  ['port', String(fields.port)],
  ['client', String(fields.client)],
  ['mount', fields.mount],
  ['user', fields.user],
  ['pass', fields.pass],
  ...(duration === undefined ? [] : [['duration', String(duration)] as [string, string]]),
  ['ip', fields.ip],
  ['agent', fields.agent],
]

/** Why a request to the auth server failed, for the operator: a timeout, or the network's reason (Node hides it in `cause`). */
const describeFailure = (error: unknown, url: string, timeoutMs: number): string => {
  const failure = error as Error & { cause?: { code?: string; message?: string } }
  if (failure.name === 'TimeoutError') return `no answer from ${url} within ${timeoutMs / 1000} s`
  const cause = failure.cause?.code ?? failure.cause?.message
  return `${url}: ${failure.message}${cause && !failure.message.includes(cause) ? ` (${cause})` : ''}`
}

/** The largest number of answers kept for reuse; the oldest go first. */
const CACHE_LIMIT = 10_000

/** `name: value` from a header line as Icecast configures it (`icecast-auth-user: 1`), the name lower-cased. */
const headerLine = (line: string): [string, string] => {
  const colon = line.indexOf(':')
  return colon < 0
    ? [line.trim().toLowerCase(), '']
    : [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]
}

/**
 * Icecast 2.4's URL authentication: `listener_add` and `listener_remove` POSTs (form-encoded, with
 * Icecast's fields), `stream_auth` for sources, `mount_add`/`mount_remove` when a source starts and
 * stops. A listener is admitted only when the answer has the configured header line
 * (`icecast-auth-user: 1`); `icecast-auth-timelimit` limits its time and `icecast-auth-message`
 * says why it was refused. A server that cannot be reached in time, or answers 5xx, refuses or
 * admits as configured. Answers are reused briefly for the same listener, and one question is
 * asked once however many identical requests wait for it, so a reconnect storm does not hammer
 * the hook.
 *
 * @example
 * const auth = new UrlAuth(options, { userAgent: 'airwave/0.1.0', now: () => clock.now() })
 * const answer = await auth.listenerAdd({ client: 7, server: 'radio.example', port: 8000, mount: '/live', … })
 */
export class UrlAuth {
  readonly options: UrlAuthOptions
  readonly #userAgent: string
  readonly #now: () => number
  readonly #cache = new Map<string, Cached>()
  readonly #asking = new Map<string, Promise<AuthAnswer>>()
  readonly #authName: string
  readonly #authValue: string
  readonly #limitName: string

  constructor(options: UrlAuthOptions, context: { userAgent: string; now: () => number }) {
    this.options = options
    this.#userAgent = context.userAgent
    this.#now = context.now
    ;[this.#authName, this.#authValue] = headerLine(options.authHeader)
    this.#limitName = headerLine(options.timelimitHeader)[0]
  }

  /** Asks whether a listener may listen (`listener_add`); admitted at once when no `listenerAdd` URL is set. */
  listenerAdd(fields: ListenerFields): Promise<AuthAnswer> {
    const url = this.options.listenerAdd
    if (!url) return Promise.resolve({ admitted: true, via: 'server' })
    const key = JSON.stringify([fields.mount, fields.user, fields.pass, fields.ip, fields.agent])
    const cached = this.#fromCache(key)
    if (cached) return Promise.resolve(cached)
    const waiting = this.#asking.get(key)
    // Those who wait on another's question share its answer, as if cached: it was asked (and announced) once.
    if (waiting) {
      return waiting.then((
        answer,
      ) => (answer.admitted && answer.via === 'server' ? { ...answer, via: 'cache' } : answer))
    }
    const form = listenerForm('listener_add', fields)
    for (const name of this.options.headers) {
      const value = fields.requestHeaders.get(name.toLowerCase())
      if (value !== undefined && value !== null) form.push([`${this.options.headerPrefix}${name}`, value])
    }
    const asking = this.#ask(url, form).then((answer) => {
      this.#asking.delete(key)
      if (this.options.cacheMs > 0 && (answer.admitted ? answer.via !== 'fail open' : !answer.unavailable)) {
        if (this.#cache.size >= CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!)
        this.#cache.set(key, { answer: answer.admitted ? { ...answer, via: 'cache' } : answer, at: this.#now() })
      }
      return answer
    })
    this.#asking.set(key, asking)
    return asking
  }

  /** Tells the auth server a listener left (`listener_remove`), with how long it listened; never rejects. */
  async listenerRemove(fields: Omit<ListenerFields, 'requestHeaders'>, seconds: number): Promise<void> {
    const url = this.options.listenerRemove
    if (!url) return
    await this.#tell(url, listenerForm('listener_remove', fields, Math.max(0, Math.floor(seconds))))
  }

  /** Asks whether a source client may stream to `mount` (`stream_auth`): the same admitting header as listeners. */
  streamAuth(
    fields: { mount: string; ip: string; server: string; port: number; user: string; pass: string },
  ): Promise<AuthAnswer> {
    return this.#ask(this.options.streamAuth!, [
      ['action', 'stream_auth'],
      ['mount', fields.mount],
      ['ip', fields.ip],
      ['server', fields.server],
      ['port', String(fields.port)],
      ['user', fields.user],
      ['pass', fields.pass],
    ])
  }

  /** Tells the auth server a mount's source started (`mount_add`) or stopped (`mount_remove`); never rejects. */
  async mountEvent(
    action: 'mount_add' | 'mount_remove',
    fields: { mount: string; server: string; port: number },
  ): Promise<void> {
    const url = action === 'mount_add' ? this.options.mountAdd : this.options.mountRemove
    if (!url) return
    const form: [string, string][] = [['action', action], ['mount', fields.mount], ['server', fields.server]]
    await this.#tell(url, [...form, ['port', String(fields.port)]])
  }

  /** Posts a notice whose answer says nothing: read to its end, and never a rejection. */
  async #tell(url: string, form: [string, string][]): Promise<void> {
    await this.#post(url, form).then((response) => response.arrayBuffer()).catch(() => undefined)
  }

  #fromCache(key: string): AuthAnswer | undefined {
    const cached = this.#cache.get(key)
    if (!cached) return undefined
    const age = this.#now() - cached.at
    const { answer } = cached
    const expired = age >= this.options.cacheMs ||
      (answer.admitted && answer.timeLimitMs !== undefined && age >= answer.timeLimitMs)
    if (expired) {
      this.#cache.delete(key)
      return undefined
    }
    // A time limit counts from the answer that granted it: reconnecting does not restart it.
    return answer.admitted && answer.timeLimitMs !== undefined
      ? { ...answer, timeLimitMs: answer.timeLimitMs - age }
      : answer
  }

  /** Posts `form` and reads the verdict from the answer's headers; an error is answered as configured. */
  async #ask(url: string, form: [string, string][]): Promise<AuthAnswer> {
    let response: Response
    try {
      response = await this.#post(url, form)
      // Read to its end (it is small), not cancelled: a reset would make the auth server log an error.
      await response.arrayBuffer()
    } catch (error) {
      return this.#failed(describeFailure(error, url, this.options.timeoutMs))
    }
    if (response.status >= 500) return this.#failed(`${url} answered ${response.status}`)
    const message = response.headers.get('icecast-auth-message')?.trim()
    const admitted = response.headers.get(this.#authName)?.trim() === this.#authValue
    if (!admitted) {
      return { admitted: false, unavailable: false, message: message || "not allowed by the station's authentication" }
    }
    const limit = Number(response.headers.get(this.#limitName)?.trim())
    return { admitted: true, via: 'server', ...(Number.isFinite(limit) && limit > 0 && { timeLimitMs: limit * 1000 }) }
  }

  #failed(why: string): AuthAnswer {
    if (this.options.onError === 'admit') return { admitted: true, via: 'fail open', why }
    return {
      admitted: false,
      unavailable: true,
      message: "the station's authentication server is unavailable; try again later",
      why,
    }
  }

  #post(url: string, form: [string, string][]): Promise<Response> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      'User-Agent': this.#userAgent,
    }
    if (this.options.username !== undefined) {
      const token = Buffer.from(`${this.options.username}:${this.options.password ?? ''}`, 'utf8').toString('base64')
      headers.Authorization = `Basic ${token}`
    }
    return fetch(url, {
      method: 'POST',
      headers,
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(this.options.timeoutMs),
      redirect: 'follow',
    })
  }
}
