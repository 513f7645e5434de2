import { Hono } from 'hono'
import type { Station } from '../../station/station.ts'
import type { AdminOptions } from './admin-app.ts'
import { adminApp } from './admin-app.ts'

/**
 * The admin API as the source port serves it (no dashboard): encoders send their title updates to
 * the port they stream to. The client's address (for the log and the back-off) is passed in.
 *
 * @example
 * startIngest({ …, admin: sourcePortAdmin(station, { log, clock }) })
 */
export const sourcePortAdmin = (
  station: Station,
  options: Omit<AdminOptions, 'hooks' | 'dashboard'>,
): (request: Request, address: string) => Response | Promise<Response> => {
  const admin = new Hono()
  admin.route(
    '/admin',
    adminApp(station, {
      ...options,
      hooks: { clientAddress: (c) => (c.env as { address?: string } | undefined)?.address },
    }),
  )
  return (request, address) => admin.fetch(request, { address })
}
