import { z } from 'zod'
import { isRange } from '../security/address-range.ts'

/** Addresses and CIDR ranges, IPv4 or IPv6. */
const addressRanges = z
  .array(z.string().refine(isRange, { message: 'an IP address or CIDR range, like "203.0.113.7" or "2001:db8::/32"' }))
  .max(100_000)

/**
 * Who may listen, by address, and for how long: for the whole station, or for one mount (both
 * apply). A ban wins over an allow; with an allow list, only addresses on it may listen.
 */
export const AccessSchema = z.strictObject({
  /** Banned addresses and ranges: refused with 403; a listener from one is ended when the ban is added. */
  deny: addressRanges.default([]),
  /** When not empty, only these addresses and ranges may listen. */
  allow: addressRanges.default([]),
  /** Listeners one address may have at once (on the station, or on the mount). */
  maxListenersPerAddress: z.number().int().min(1).optional(),
  /** Seconds a listener may stay connected before its response ends (Icecast's `max-listener-duration`). */
  maxListenerDuration: z.number().int().min(1).optional(),
})

const httpUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })

/** Icecast's URL authentication (`<authentication type="url">`), its option names in camelCase. */
const UrlAuthSchema = z
  .strictObject({
    listenerAdd: httpUrl.optional(),
    listenerRemove: httpUrl.optional(),
    /** Asked when a source client connects: it decides instead of the source password. */
    streamAuth: httpUrl.optional(),
    mountAdd: httpUrl.optional(),
    mountRemove: httpUrl.optional(),
    /** HTTP Basic credentials for the auth server itself. */
    username: z.string().max(256).optional(),
    password: z.string().max(1024).optional(),
    authHeader: z.string().min(1).default('icecast-auth-user: 1'),
    timelimitHeader: z.string().min(1).default('icecast-auth-timelimit:'),
    /** Request headers of the listener to pass on, each as a field named `headerPrefix` + its name. */
    headers: z.array(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name')).default([]),
    headerPrefix: z.string().default('ClientHeader.'),
    /** Seconds to wait for the auth server. */
    timeout: z.number().min(0.1).max(60).default(5),
    /** What an unreachable or failing auth server means: refuse listeners (fail closed) or admit them (fail open). */
    onError: z.enum(['refuse', 'admit']).default('refuse'),
    /** Seconds an answer is reused for the same listener reconnecting (0: ask every time). */
    cacheSeconds: z.number().min(0).max(3600).default(10),
  })
  .refine((url) => url.listenerAdd ?? url.listenerRemove ?? url.streamAuth ?? url.mountAdd ?? url.mountRemove, {
    message: 'give at least one of listenerAdd, listenerRemove, streamAuth, mountAdd, mountRemove',
  })

/** Who may listen to a mount: users of an htpasswd file, or whoever an auth server admits (Icecast's URL authentication). */
export const ListenerAuthSchema = z
  .strictObject({
    /** An htpasswd file (`htpasswd -B`): listeners log in with HTTP Basic auth as one of its users. */
    users: z.string().min(1).optional(),
    /** Whether one user may listen from several connections at once (Icecast's `allow_duplicate_users`). */
    allowDuplicateUsers: z.boolean().default(true),
    url: UrlAuthSchema.optional(),
  })
  .refine((auth) => auth.users !== undefined || auth.url !== undefined, {
    message: 'give "users" (an htpasswd file) or "url" (an auth server)',
  })
  .refine((auth) => !(auth.users !== undefined && auth.url?.listenerAdd !== undefined), {
    message: 'listeners are checked by "users" or by "url.listenerAdd", not both: choose one',
  })

export type AccessConfig = z.output<typeof AccessSchema>
export type ListenerAuthConfig = z.output<typeof ListenerAuthSchema>
