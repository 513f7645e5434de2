import { connect } from 'node:net'
import type { Context } from 'hono'
import { Hono } from 'hono'
import { Broadcaster } from '../broadcast/broadcaster.ts'
import type { CloseReason, Listener } from '../broadcast/listener.ts'
import { publicCors } from '../http/cors.ts'
import { clientInfo, listenerFactory, probeRange, respond, wantsIcy } from '../http/listen.ts'
import type { Logger } from '../log.ts'
import { TlsHolder } from '../net/tls-files.ts'
import type { RunningServer, Runtime } from '../runtime/types.ts'
import type { LinkMessage } from './link.ts'
import { Link } from './link.ts'
import { forwardRequest } from './forward.ts'
import type { ChunkContext, EdgeMount, Joined, JoinRequest, Refused, Setup } from './messages.ts'
import { chunkOf } from './messages.ts'

/** How a worker finds its station: the link's port, the token, and its number. */
export interface EdgeEnv {
  readonly link: number
  readonly token: string
  readonly index: number
}

/** The environment variable a worker process reads its `EdgeEnv` from. */
export const EDGE_ENV = 'AIRWAVE_WORKER'

/** Seconds between reports of bytes sent to the station. */
const REPORT_MS = 1000

interface Edge {
  readonly config: EdgeMount
  readonly broadcaster: Broadcaster
  readonly context: ChunkContext
}

/**
 * A worker process: serves listeners of every mount from its own copy of the broadcast (each
 * chunk the station publishes, received once over the link and shared by its listeners, with its
 * own burst buffer), asking the station to admit each one; forwards every other request to the
 * station. Runs until the station says stop or its link closes.
 *
 * @example
 * await runEdge(await loadRuntime(), JSON.parse(process.env.AIRWAVE_WORKER!), log)
 */
export const runEdge = async (runtime: Runtime, env: EdgeEnv, log: Logger): Promise<void> => {
  const { hooks } = runtime
  const socket = connect(env.link, '127.0.0.1')
  const edges = new Map<string, Edge>()
  const listeners = new Map<number, Listener>()
  const pending = new Map<number, (answer: Joined | Refused | undefined) => void>()
  let lastRequest = 0
  let server: RunningServer | undefined
  let tls: TlsHolder | undefined
  let setupReceived: (setup: Setup) => void
  const setup = new Promise<Setup>((resolve) => (setupReceived = resolve))
  let stopped: () => void
  const done = new Promise<void>((resolve) => (stopped = resolve))

  const stop = async () => {
    for (const listener of [...listeners.values()]) listener.close('shutdown')
    for (const answer of pending.values()) answer(undefined)
    await server?.close()
    link.close()
    stopped()
  }
  const receive = (message: LinkMessage) => {
    const head = message.head as Record<string, unknown> & { t: string }
    if (head.t === 'chunk') {
      const edge = edges.get(head.m as string)
      edge?.broadcaster.publish(chunkOf(message, edge.context))
    } else if (head.t === 'joined' || head.t === 'refused') {
      pending.get(head.r as number)?.(head as unknown as Joined | Refused)
      pending.delete(head.r as number)
    } else if (head.t === 'move') {
      const listener = listeners.get(head.id as number)
      const to = edges.get(head.to as string)
      if (listener?.host instanceof Broadcaster && to) listener.host.transfer(listener, to.broadcaster)
    } else if (head.t === 'close') listeners.get(head.id as number)?.close(head.reason as CloseReason)
    else if (head.t === 'clear') edges.get(head.m as string)?.broadcaster.clearBurst()
    else if (head.t === 'setup') setupReceived(head as unknown as Setup)
    else if (head.t === 'tls') tls?.set(head as unknown as { cert: string; key: string })
    else if (head.t === 'stop') void stop()
  }
  const link = new Link(socket, receive, () => void stop())
  link.send({ t: 'hello', token: env.token, index: env.index })
  const { mounts, forward, listen, tls: pair } = await setup
  if (pair) tls = new TlsHolder(pair)
  for (const config of mounts) {
    edges.set(config.path, {
      config,
      context: { tracks: new Map() },
      broadcaster: new Broadcaster({
        name: config.path,
        burstSeconds: config.burst,
        slowLimit: config.slowLimit,
        highWaterMark: config.highWaterMark,
      }),
    })
  }

  const ask = (request: Omit<JoinRequest, 't' | 'r'>) => {
    const r = ++lastRequest
    const answer = new Promise<Joined | Refused | undefined>((resolve) => pending.set(r, resolve))
    link.send({ t: 'join', r, ...request })
    return answer
  }

  /** The mount a request would listen to: a GET (Hono routes HEAD here too) of a mount's path that is not a probe. */
  const edgeOf = (c: Context) =>
    c.req.method === 'GET' && probeRange(c.req.header('range')) === undefined
      ? edges.get(`/${c.req.param('mount')}`)
      : undefined
  const cors = publicCors()
  const app = new Hono()
  app.get('/:mount{.+}', (c, next) => (edgeOf(c) ? cors(c, next) : next()), async (c, next) => {
    const path = `/${c.req.param('mount')}`
    const edge = edgeOf(c)
    if (!edge) return next()
    const icy = wantsIcy(c.req.header('icy-metadata'))
    const info = clientInfo(c, hooks)
    const answer = link.closed
      ? undefined
      : await ask({ m: path, info, icy, url: c.req.url, headers: [...c.req.raw.headers] })
    if (!answer || answer.t === 'refused') {
      return new Response(answer?.body ?? 'The station is restarting; try again in a moment\n', {
        status: answer?.status ?? 503,
        headers: answer?.headers.map(([k, v]) => [k, v] as [string, string]) ?? { 'Retry-After': '5' },
      })
    }
    const { id } = answer
    const headers = new Headers(answer.headers.map(([k, v]) => [k, v] as [string, string]))
    const direct = hooks.directResponse?.(c, headers)
    const listener = (edges.get(answer.serving) ?? edge).broadcaster.add(
      info,
      // ICY only where the station granted it (never on an Ogg mount): its answer then carries icy-metaint.
      listenerFactory(icy && headers.has('icy-metaint'), edge.config, direct?.open, id),
    )
    listeners.set(id, listener)
    void listener.closed.then((reason) => {
      listeners.delete(id)
      link.send({ t: 'left', id, reason, sent: listener.bytesSent })
    })
    return respond(c, hooks, { listener, headers, direct: direct?.response })
  })
  app.all('*', async (c) => {
    const address = hooks.clientAddress(c)
    const response = await forwardRequest(c.req.raw, forward, { address, protocol: hooks.httpVersion?.(c) })
    if (response.body) hooks.keepOpen?.(c)
    return response
  })

  const reported = new Map<number, number>()
  const report = setInterval(() => {
    const ids: number[] = []
    const bytes: number[] = []
    for (const [id, listener] of listeners) {
      const sent = listener.bytesSent
      if (reported.get(id) === sent) continue
      reported.set(id, sent)
      ids.push(id)
      bytes.push(sent)
    }
    for (const id of reported.keys()) if (!listeners.has(id)) reported.delete(id)
    if (ids.length > 0) link.send({ t: 'sent', ids, bytes })
  }, REPORT_MS)
  try {
    server = await runtime.serve(app.fetch, {
      hostname: listen.hostname,
      port: listen.port,
      shared: true,
      ...(tls && { tls }),
      claim: ({ path, headers }) => edges.has(path) && probeRange(headers.get('range')) === undefined,
    })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    link.send({ t: 'failed', message, code: (error as { code?: string }).code })
    log.debug(`cannot listen on ${listen.hostname}:${listen.port}: ${message}`)
    clearInterval(report)
    link.close()
    return
  }
  link.send({ t: 'ready', port: server.port })
  await done
  clearInterval(report)
}
