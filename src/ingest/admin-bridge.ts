import type { HttpHead } from '../net/http-head.ts'
import { rawResponse } from '../net/raw-response.ts'

/** Answers an admin request (a fetch handler that also takes the client's address). */
export type AdminHandler = (request: Request, address: string) => Response | Promise<Response>

/**
 * Answers `GET /admin/…` that arrived on the source port, where encoders send their title updates
 * (BUTT, Mixxx, Liquidsoap: `/admin/metadata`), through the admin API, as one HTTP/1.0 response.
 * Rejects when the request cannot be made into a `Request`.
 *
 * @example
 * socket.end(await answerAdmin(head, admin, address))
 */
export const answerAdmin = async (head: HttpHead, admin: AdminHandler, address: string): Promise<Uint8Array> => {
  const headers = new Headers()
  for (const [name, value] of head.headers) {
    try {
      headers.set(name, value)
    } catch {
      // a header value fetch cannot carry: not one the admin API reads
    }
  }
  const response = await admin(
    new Request(new URL(head.second, 'http://source-port'), { method: 'GET', headers }),
    address,
  )
  return rawResponse(response.status, response.headers, new Uint8Array(await response.arrayBuffer()))
}
