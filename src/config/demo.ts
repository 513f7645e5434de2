import { fileURLToPath } from 'node:url'

/** The folder of the built-in demo playlist: short synthesized tracks made by `scripts/make-demo.ts`. */
export const DEMO_PLAYLIST: string = fileURLToPath(new URL('../../assets/demo/', import.meta.url))
