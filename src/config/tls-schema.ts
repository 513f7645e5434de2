import { z } from 'zod'

/** A file's path: "missing" when absent, for the cert and key go together. */
const path = (what: string) =>
  z.string({ error: (issue) => `${issue.input === undefined ? 'missing' : 'expected'}: the path of ${what}` })
    .min(1, 'must not be empty')

/**
 * HTTPS on the listener port (and, with `sourcePort`, TLS on the source port): a certificate file
 * (PEM, the full chain, as certbot's `fullchain.pem`) and its private key (PEM, as `privkey.pem`).
 * Relative paths are the config file's folder's. The files are read again whenever they change.
 */
export const TlsConfigSchema = z.strictObject({
  cert: path('the certificate file (PEM, the full chain)'),
  key: path("the certificate's private key file (PEM)"),
  /** TLS on the source port too (encoders connect with TLS: ffmpeg's `-tls 1`, BUTT's and Mixxx's TLS options). */
  sourcePort: z.boolean().default(false),
})

export type TlsConfig = z.output<typeof TlsConfigSchema>
