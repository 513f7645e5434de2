import { z } from 'zod'
import { AUDIO_FORMATS } from '../format/params.ts'
import { isRange } from '../security/address-range.ts'
import { LOG_LEVELS } from '../log.ts'
import { isTimeZone, systemTimeZone } from '../util/zoned-time.ts'
import { AccessSchema, ListenerAuthSchema } from './access-schema.ts'
import { JinglesSchema, playlistEntries, ScheduleSlotSchema } from './programme-schema.ts'
import { TlsConfigSchema } from './tls-schema.ts'
import { recordSetting } from './recording-schema.ts'

/** First path segments that belong to airwave's own pages and APIs, never to a mount. */
const RESERVED_SEGMENTS: readonly string[] = [
  'api',
  'admin',
  'embed',
  'metrics',
  'status-json.xsl',
  'assets',
  'favicon.ico',
  'hls',
]

const mountPath = z
  .string()
  .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'a path like "/stream" (letters, digits, ".", "_", "~", "-")')
  .refine((path) => !RESERVED_SEGMENTS.includes((path.split('/')[1] ?? '').toLowerCase()), {
    message: `must not start with a reserved name (${RESERVED_SEGMENTS.join(', ')})`,
  })
  .refine((path) => !/\.(m3u|pls)$/i.test(path), {
    message: 'must not end in .m3u or .pls (those serve playlists of the mount)',
  })

const text = z.string().max(1024)

/** A password: never empty; never echoed in a message (zod's messages do not quote values). */
const secret = z.string().min(1, 'must not be empty').max(1024)

/** Where a relay pulls from: an http(s) URL of a stream on another server. */
const relayUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL of a stream' })

/** HLS for a mount (`/hls/<mount>/live.m3u8`): how its segments are cut and how many the playlist lists. */
const HlsConfigSchema = z.strictObject({
  /** Longest segment, in seconds (a segment also ends at each track change). */
  segmentSeconds: z.number().min(1).max(30).default(6),
  /** Segments the live playlist lists (as many older ones stay served a while for late players). */
  segments: z.number().int().min(3).max(60).default(6),
})

/**
 * One mount: a stream at a path, with its own playlist (AutoDJ), relay and live source, and tuning.
 * A live source takes over from the relay, which takes over from the playlist.
 */
const MountConfigSchema = z.strictObject({
  path: mountPath,
  /** Files, folders and .m3u/.m3u8/.pls files; a single string is one entry. Optional for live or relay mounts. */
  playlist: playlistEntries.optional(),
  /** Playlists that replace `playlist` (the default rotation) at set times; the first listed wins an overlap. */
  schedule: z.array(ScheduleSlotSchema).max(200).optional(),
  /** Station IDs and sweepers played between tracks. */
  jingles: JinglesSchema.optional(),
  /** Folders whose files may be requested through the admin API, besides the playlists' own files. */
  requestFolders: z.array(z.string().min(1)).optional(),
  /** Pull this remote stream (another airwave, an Icecast, a SHOUTcast) and rebroadcast it. */
  relay: relayUrl.optional(),
  /** Password of live source clients on this mount (user `source`); overrides the station's. */
  sourcePassword: secret.optional(),
  /** Where listeners go while this mount has nothing to play (a mount without a playlist). */
  fallbackMount: mountPath.optional(),
  /** Seconds without data after which a live or relayed source is dropped (default: the station's). */
  sourceTimeout: z.number().min(1).max(600).optional(),
  shuffle: z.boolean().default(false),
  /** Only play files of this format (default: the first playable file's). */
  format: z.enum(AUDIO_FORMATS).optional(),
  /** Seconds of recent audio a new listener gets at once. */
  burst: z.number().min(0).max(60).default(3),
  /** Seconds of audio per chunk sent to listeners. */
  chunkDuration: z.number().min(0.02).max(2).default(0.25),
  /** Seconds of audio a listener may be skipped in a row (its connection full) before it is dropped. */
  slowListenerLimit: z.number().min(1).max(600).default(10),
  /** Who may listen to this mount, by address, and for how long (besides the station's `access`). */
  access: AccessSchema.optional(),
  /** Listeners log in: users of an htpasswd file, or an auth server (Icecast's URL authentication). */
  auth: ListenerAuthSchema.optional(),
  /** Refuse listeners beyond this many (503); unlimited when absent. */
  maxListeners: z.number().int().min(1).optional(),
  name: text.optional(),
  description: text.optional(),
  genre: text.optional(),
  url: z.url().optional(),
  /** Whether directories may list the stream (icy-pub). */
  public: z.boolean().default(false),
  /** Audio bytes between ICY metadata blocks for listeners that ask for them. */
  metaint: z.number().int().min(256).max(65_536).default(16_000),
  /** Sent as `StreamUrl` in ICY metadata blocks. */
  streamUrl: z.url().optional(),
  /** HLS of this mount (MP3, AAC and Opus): its settings, or `false` for none. */
  hls: z
    .union([z.boolean().transform((on) => on && HlsConfigSchema.parse({})), HlsConfigSchema], {
      error: 'true, false, or { "segmentSeconds": 1-30, "segments": 3-60 }',
    })
    .prefault({}),
  record: recordSetting,
})

/** The whole station: where it listens and its mounts. */
const StationConfigSchema = z
  .strictObject({
    host: z.string().min(1).default('0.0.0.0'),
    port: z.number().int().min(0).max(65535).default(8000),
    /**
     * Processes serving listeners: 1 serves everything from one process; more (or `auto`: one per
     * core) serve listeners from that many worker processes sharing the port, fed by one station.
     */
    workers: z.union([z.number().int().min(1).max(64), z.literal('auto')]).default(1),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    /** Default `name` for mounts that have none. */
    name: text.optional(),
    /** Where the station is, and whom to contact, as Icecast's status reports them. */
    location: text.default('Earth'),
    contact: text.default('icemaster@localhost'),
    /** The IANA time zone (`Europe/Berlin`) schedules and the top of the hour are read in (default: the machine's). */
    timeZone: z
      .string()
      .refine(isTimeZone, { message: 'an IANA time zone such as "Europe/Berlin", "America/New_York" or "UTC"' })
      .optional(),
    /**
     * The URL listeners reach the station at, when a reverse proxy or a prefix makes it differ from
     * what requests show (`https://radio.example/radio`): the base of every URL airwave writes.
     */
    publicUrl: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).optional(),
    /** Who may listen to any mount, by address, and for how long. */
    access: AccessSchema.prefault({}),
    /**
     * Reverse proxies (addresses or ranges) whose `X-Forwarded-For` names the real client: bans,
     * caps, logs and authentication then see the listener's address, not the proxy's.
     */
    trustedProxies: z.array(z.string().refine(isRange, { message: 'an IP address or CIDR range' })).default([]),
    /** HTTPS on the HTTP port, and optionally TLS on the source port (`config/tls-schema.ts`). */
    tls: TlsConfigSchema.optional(),
    /** TCP port for live source clients (default: the HTTP port + 1, or any free port when that is 0). */
    sourcePort: z.number().int().min(0).max(65535).optional(),
    /** Password of live source clients (user `source`) on every mount without its own. Unset: no live sources. */
    sourcePassword: secret.optional(),
    /** User name for the admin API. */
    adminUser: z.string().min(1).max(256).default('admin'),
    /** Password for the admin API. Unset: the admin API is off. */
    adminPassword: secret.optional(),
    /** Seconds without data after which a live or relayed source is dropped. */
    sourceTimeout: z.number().min(1).max(600).default(10),
    mounts: z.array(MountConfigSchema).min(1, 'at least one mount'),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>()
    config.mounts.forEach((mount, index) => {
      const key = mount.path.toLowerCase()
      const first = seen.get(key)
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['mounts', index, 'path'],
          message: `duplicate of mounts[${first}].path (${mount.path})`,
        })
      } else seen.set(key, index)
    })
    for (const problem of sourceProblems(config)) ctx.addIssue({ code: 'custom', ...problem })
  })
  .transform((config) => ({ ...config, mounts: config.mounts.map((mount) => effectiveMount(mount, config)) }))

/**
 * A mount's settings with what it takes from the station filled in, worked out here once: its name,
 * its source password and its source timeout (the mount's own, else the station's), and the
 * station's time zone.
 */
const effectiveMount = <M extends { name?: string; sourcePassword?: string; sourceTimeout?: number }>(
  mount: M,
  station: { name?: string; sourcePassword?: string; sourceTimeout: number; timeZone?: string },
): M & { sourceTimeout: number; timeZone: string } => {
  const name = mount.name ?? station.name
  const sourcePassword = mount.sourcePassword ?? station.sourcePassword
  return {
    ...mount,
    ...(name !== undefined && { name }),
    ...(sourcePassword !== undefined && { sourcePassword }),
    sourceTimeout: mount.sourceTimeout ?? station.sourceTimeout,
    timeZone: station.timeZone ?? systemTimeZone(),
  }
}

/**
 * What is wrong with the mounts' sources: a mount with nothing that could ever play, a fallback that
 * does not exist, points to itself, loops, or belongs to a mount that never needs one.
 */
const sourceProblems = (config: {
  sourcePassword?: string
  mounts: readonly {
    path: string
    playlist?: string[]
    relay?: string
    sourcePassword?: string
    fallbackMount?: string
    schedule?: { name?: string }[]
    jingles?: unknown
    requestFolders?: string[]
    auth?: { url?: { streamAuth?: string } }
  }[]
}): { path: (string | number)[]; message: string }[] => {
  const problems: { path: (string | number)[]; message: string }[] = []
  const byPath = new Map(config.mounts.map((mount) => [mount.path, mount]))
  config.mounts.forEach((mount, index) => {
    const live = mount.sourcePassword ?? config.sourcePassword ?? mount.auth?.url?.streamAuth
    if (!mount.playlist && !mount.relay && !live) {
      problems.push({
        path: ['mounts', index],
        message:
          'has no playlist, no relay and no source password: give it a playlist, a relay URL, or a sourcePassword (here or for the station) or an auth.url.streamAuth so a live source can connect',
      })
    }
    for (const field of ['schedule', 'jingles', 'requestFolders'] as const) {
      if (mount[field] !== undefined && !mount.playlist) {
        problems.push({
          path: ['mounts', index, field],
          message: `needs the mount's "playlist" too: it is the default rotation the programme returns to`,
        })
      }
    }
    const names = new Set<string>()
    mount.schedule?.forEach((slot, i) => {
      const named = slot.name ?? `slot ${i + 1}`
      if (names.has(named)) {
        problems.push({ path: ['mounts', index, 'schedule', i, 'name'], message: `"${named}" names another slot too` })
      }
      names.add(named)
    })
    if (mount.fallbackMount === undefined) return
    if (mount.playlist) {
      problems.push({
        path: ['mounts', index, 'fallbackMount'],
        message: 'a mount with a playlist never goes off air, so it has no use for a fallback mount',
      })
      return
    }
    const chain = [mount.path]
    for (
      let next: string | undefined = mount.fallbackMount;
      next !== undefined;
      next = byPath.get(next)?.fallbackMount
    ) {
      if (!byPath.has(next)) {
        problems.push({ path: ['mounts', index, 'fallbackMount'], message: `no mount at ${next}` })
        return
      }
      if (chain.includes(next)) {
        problems.push({
          path: ['mounts', index, 'fallbackMount'],
          message: `falls back in a loop: ${[...chain, next].join(' -> ')}`,
        })
        return
      }
      chain.push(next)
    }
  })
  return problems
}

export type MountConfigInput = z.input<typeof MountConfigSchema>
export type StationConfigInput = z.input<typeof StationConfigSchema>
/** A station's validated configuration, defaults and each mount's effective settings filled in. */
export type StationConfig = z.output<typeof StationConfigSchema> & {
  /** Where relative playlist entries resolve (the config file's folder, or the working directory). */
  baseDir?: string
}
/** A mount's validated configuration, with what it takes from the station (name, source password and timeout) filled in. */
export type MountConfig = StationConfig['mounts'][number]

/**
 * The port live source clients connect to: as configured, else the HTTP port + 1 (Icecast's
 * SHOUTcast-compatible convention, and what DJ software suggests), else any free port when the HTTP
 * port itself is chosen by the system (0).
 *
 * @example
 * sourcePortOf({ port: 8000 }) // 8001
 */
export const sourcePortOf = (config: { port: number; sourcePort?: number }): number =>
  config.sourcePort ?? (config.port === 0 ? 0 : config.port + 1)

/**
 * Whether any mount accepts live source clients (a source password is set for it).
 *
 * @example
 * if (liveEnabled(station.config)) await startSourcePort(station)
 */
export const liveEnabled = (config: Pick<StationConfig, 'mounts'>): boolean =>
  config.mounts.some((mount) => mount.sourcePassword !== undefined || mount.auth?.url?.streamAuth !== undefined)

/**
 * A configuration that failed validation: each problem names the field and what was expected.
 *
 * @example
 * try { await createStation(input) } catch (error) { if (error instanceof ConfigError) console.error(error.problems) }
 */
export class ConfigError extends Error {
  readonly problems: readonly string[]
  constructor(source: string, problems: readonly string[]) {
    super(`invalid configuration in ${source}:\n${problems.map((p) => `  ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  ) || '(root)'

/**
 * Validates a configuration object, filling in defaults; throws a ConfigError that names every bad
 * field and what was expected.
 *
 * @example
 * parseStationConfig({ mounts: [{ path: '/stream', playlist: ['music'] }] }, 'airwave.json')
 */
export const parseStationConfig = (
  input: unknown,
  source: string,
  rename: (field: string) => string = (f) => f,
): StationConfig => {
  const result = StationConfigSchema.safeParse(input)
  if (result.success) return result.data
  throw new ConfigError(
    source,
    result.error.issues.map((issue) => `${rename(formatPath(issue.path))}: ${issue.message}`),
  )
}
