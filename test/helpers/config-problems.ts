import { expect } from 'bun:test'
import { ConfigError } from '../../src/config/schema.ts'

/**
 * The problems a configuration was refused for: `promise` must reject with a ConfigError.
 *
 * @example
 * expect(await configProblems(loadConfig({ config: 'bad.json' }, []))).toEqual(['port: …'])
 */
export const configProblems = async (promise: Promise<unknown>): Promise<readonly string[]> => {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(ConfigError)
  return (error as ConfigError).problems
}
