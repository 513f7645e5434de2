import { z } from 'zod'

/** The strftime directives a recording's path may hold (besides `{mount}`), read on the station's clock. */
export const RECORD_DIRECTIVES = 'YmdHMSjab%'

/** Where a mount records when its `record` gives no `path`: a folder per day, a file per start time. */
export const DEFAULT_RECORD_PATH = 'recordings/%Y-%m-%d/%H%M%S-{mount}'

const unsupported = (path: string): string | undefined => path.match(new RegExp(`%(?![${RECORD_DIRECTIVES}])(.?)`))?.[0]

const recordPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => !/[\\/]$/.test(path), { message: 'must name a file, not end with a folder separator' })
  .superRefine((path, ctx) => {
    const bad = unsupported(path)
    if (bad !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `"${bad}" is not a directive airwave knows: use %Y %m %d %H %M %S %j %a %b, %% for "%", {mount}`,
      })
    }
  })

/** A mount's recording: its own bytes to files, rotated, pruned (see docs/recording.md). */
export const RecordConfigSchema = z.strictObject({
  /**
   * The files' path, strftime-style on the station's time zone, `{mount}` the mount's path; relative to
   * the config file's folder. The stream's extension is added when the pattern has none.
   */
  path: recordPath.default(DEFAULT_RECORD_PATH),
  /** A new file every this many minutes, on the clock (60: on the hour); 0: none. */
  rotateMinutes: z.number().int().min(0).max(1440).default(60),
  /** A new file when a live source goes on air, and again when it leaves. */
  splitAtLive: z.boolean().default(true),
  /** Record only while a live source is on air. */
  liveOnly: z.boolean().default(false),
  /** Delete this mount's recordings older than this many days (0.5: 12 hours). */
  keepDays: z.number().positive().max(36_500).optional(),
  /** Delete this mount's oldest recordings while they take more than this many megabytes (10^6 bytes). */
  maxTotalMB: z.number().positive().optional(),
})

/**
 * `record` in a mount's config: record what its listeners hear to files (see docs/recording.md).
 * `true` (the defaults), `false` or absent (off), or its settings.
 */
export const recordSetting = z
  .union([z.boolean().transform((on) => (on ? RecordConfigSchema.parse({}) : undefined)), RecordConfigSchema], {
    error: 'true, false, or { "path": "…", "rotateMinutes": 60, "liveOnly": false, … } (see docs/recording.md)',
  })
  .optional()

/** A mount's recording settings, defaults filled in. */
export type RecordConfig = z.output<typeof RecordConfigSchema>
