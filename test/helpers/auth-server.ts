import type { Server } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A POST the auth server received: its form fields in order, and the request headers. */
export interface AuthPost {
  readonly path: string
  readonly fields: [string, string][]
  readonly form: Record<string, string>
  readonly headers: Record<string, string | string[] | undefined>
}

/** How the auth server answers a POST: status and headers (`icecast-auth-user: 1` admits). */
export type AuthReply = { status?: number; headers?: Record<string, string> } | 'hang'

/**
 * A small HTTP service playing an Icecast URL-auth server (a paywall, a listener-statistics
 * service): it records every POST's form fields, and answers as `reply` says, or not at all.
 *
 * @example
 * const auth = await startAuthServer(() => ({ headers: { 'icecast-auth-user': '1' } }))
 */
export const startAuthServer = async (reply: (post: AuthPost) => AuthReply) => {
  const posts: AuthPost[] = []
  const hanging = new Set<() => void>()
  const server: Server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => {
      const fields = [...new URLSearchParams(body)]
      const post = { path: req.url ?? '', fields, form: Object.fromEntries(fields), headers: req.headers }
      posts.push(post)
      const answer = reply(post)
      if (answer === 'hang') {
        hanging.add(() => res.destroy())
        return
      }
      res.writeHead(answer.status ?? 200, { 'Content-Type': 'text/plain', ...answer.headers })
      res.end('ok\n')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    posts,
    /** The POSTs of one action (`listener_add` …). */
    of: (action: string) => posts.filter((post) => post.form.action === action),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const end of hanging) end()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
