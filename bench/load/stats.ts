/** The value at quantile `q` (0-1) of `values`, nearest rank; undefined for no values. */
export const quantile = (values: readonly number[], q: number): number | undefined => {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}

/** The largest of `values`, undefined for none. */
export const max = (
  values: readonly number[],
): number | undefined => (values.length === 0 ? undefined : values.reduce((a, b) => (b > a ? b : a)))

/** The smallest of `values`, undefined for none. */
export const min = (
  values: readonly number[],
): number | undefined => (values.length === 0 ? undefined : values.reduce((a, b) => (b < a ? b : a)))

/** Summary of a distribution: the figures the report prints. */
export interface Distribution {
  readonly count: number
  readonly min?: number
  readonly p1?: number
  readonly p50?: number
  readonly p90?: number
  readonly p99?: number
  readonly max?: number
}

const round = (
  value: number | undefined,
  digits: number,
): number | undefined => (value === undefined ? undefined : Number(value.toFixed(digits)))

/** min, p1, p50, p90, p99 and max of `values`, rounded to `digits` decimals. */
export const distribution = (values: readonly number[], digits = 1): Distribution => ({
  count: values.length,
  min: round(min(values), digits),
  p1: round(quantile(values, 0.01), digits),
  p50: round(quantile(values, 0.5), digits),
  p90: round(quantile(values, 0.9), digits),
  p99: round(quantile(values, 0.99), digits),
  max: round(max(values), digits),
})
