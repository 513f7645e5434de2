import type { ListenerInfo } from '../broadcast/listener.ts'
import { parseBasicAuth } from '../security/credentials.ts'
import type { Knock } from '../station/listener-gate.ts'

/**
 * What a listener's request says for it at the station's gate: its address and agent, its HTTP
 * Basic credentials, the path with its query (where a paywall's token rides), and the server name
 * and port it reached (the `publicUrl`'s when set, as Icecast sends its configured hostname).
 *
 * @example
 * gate.admit(mount, knockOf(c.req.url, c.req.raw.headers, info, station.config.publicUrl))
 */
export const knockOf = (url: string, headers: Headers, info: ListenerInfo, publicUrl?: string): Knock => {
  const reached = new URL(url)
  const shown = publicUrl ? new URL(publicUrl) : reached
  const port = shown.port ? Number(shown.port) : shown.protocol === 'https:' ? 443 : 80
  return {
    address: info.address,
    userAgent: info.userAgent,
    credentials: parseBasicAuth(headers.get('authorization')),
    target: `${reached.pathname}${reached.search}`,
    server: shown.hostname,
    port,
    headers,
  }
}
