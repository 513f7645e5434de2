import { Buffer } from 'node:buffer'

/** Reason phrases of the statuses airwave answers on raw sockets. */
const REASONS: Readonly<Record<number, string>> = {
  100: 'Continue',
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** The reason phrase of `status` (`OK`, `Not Found` …). */
export const rawReason = (status: number): string => REASONS[status] ?? (status < 400 ? 'OK' : 'Error')

/**
 * A whole HTTP/1.0 response as bytes, for a socket that no HTTP server writes for (the source port):
 * the status line, the headers as given, `Content-Length` and `Connection: close`, then the body.
 * Header values are sent as their bytes (Latin-1), as on the wire.
 *
 * @example
 * socket.end(rawResponse(401, { 'WWW-Authenticate': 'Basic realm="x"' }, 'Authentication required\n'))
 */
export const rawResponse = (
  status: number,
  headers: Iterable<[string, string]> | Record<string, string>,
  body: Uint8Array | string = '',
): Uint8Array => {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
  const entries = Symbol.iterator in headers ? [...(headers as Iterable<[string, string]>)] : Object.entries(headers)
  const lines = [
    `HTTP/1.0 ${status} ${rawReason(status)}`,
    ...entries.filter(([name]) => !/^(content-length|connection|transfer-encoding)$/i.test(name)).map(([name, value]) =>
      `${name}: ${value}`
    ),
    `Content-Length: ${bytes.length}`,
    'Connection: close',
  ]
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bytes])
}
