/**
 * The young generation a worker's V8 may grow to, in MiB per semi-space. V8's default grows with
 * the heap (Node 24: up to 32 MiB per semi-space), and with thousands of listeners each worker
 * filled it: at 10,000 listeners over two Node 24 workers, 48 KiB of RSS per listener by default,
 * 26 KiB with 8 MiB, for some 15 % more CPU (`bench/README.md`). An operator's own
 * `--max-semi-space-size` wins: on Node's command line or in `NODE_OPTIONS`, on Deno in `DENO_V8_FLAGS`.
 */
export const WORKER_SEMI_SPACE_MIB = 8

/**
 * The V8 flags a worker process starts with: `given` (the station's own), plus the worker's young
 * generation size unless `given` or `NODE_OPTIONS` already set one.
 *
 * @example
 * cluster.setupPrimary({ exec: entry, execArgv: workerV8Flags(process.execArgv, process.env.NODE_OPTIONS) })
 */
export const workerV8Flags = (given: readonly string[], nodeOptions = ''): string[] =>
  [...given, nodeOptions].some((flag) => /semi[-_]space/.test(flag))
    ? [...given]
    : [...given, `--max-semi-space-size=${WORKER_SEMI_SPACE_MIB}`]
