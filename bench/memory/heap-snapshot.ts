/**
 * Who holds a listener's JS heap: a V8 heap snapshot's bytes grouped by owner, and differences
 * between two snapshots (or two sets of `bun:jsc` object type counts) per listener.
 */
import { readFileSync } from 'node:fs'

/**
 * Constructor names that own what hangs below them: every node's self size goes to the nearest one
 * up its owner chain (as do `Node / …` natives). The rest is `(other)`.
 */
export const ANCHORS: ReadonlySet<string> = new Set([
  'Listener',
  'IcyListener',
  'StreamSink',
  'ReadableStreamDefaultController',
  'ReadableStreamDefaultReader',
  'ReadableStream',
  'Response$1',
  'Response',
  '_Headers',
  'Headers',
  'Request$1',
  'Request',
  'RequestHeaders',
  'Context',
  'HonoRequest',
  'ServerResponse',
  'IncomingMessage',
  'Socket',
  'TCP',
  'WriteWrap',
  'HTTPParser',
  'Generator',
  'ListenerRouting',
  'Broadcaster',
  'Map',
  'Set',
  'Promise',
  '_HeadersList',
  'HeadersList',
])

/** Bytes (sum of self sizes) and nodes per owner. */
export type OwnerTotals = Map<string, { bytes: number; nodes: number }>

/** One owner's difference between two snapshots, per listener. */
export interface OwnerRow {
  readonly owner: string
  readonly bytes: number
  readonly nodes: number
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } }
  nodes: number[]
  edges: number[]
  strings: string[]
}

const MAX_CHAIN = 40

/**
 * Nodes this large (file buffers, the code space's big arrays) are one per process, never per
 * listener: they get a bucket of their own, since whichever object happens to reach one first can
 * differ between two snapshots and would swing that owner's figure by megabytes.
 */
export const LARGE_NODE = 1024 * 1024
const LARGE_BUCKET = '(single nodes of 1 MiB or more)'

/**
 * Reads a V8 `.heapsnapshot` and adds each node's self size to its owner: the nearest ancestor, by
 * the first strong edge that reaches each node (in the snapshot's node order), whose name is in
 * `ANCHORS` or starts with `Node / ` (`(other)` when there is none within 40 steps). Nodes of
 * `LARGE_NODE` bytes or more are counted apart.
 *
 * @example
 * const totals = ownerTotals('/tmp/at-1000.heapsnapshot')
 */
export const ownerTotals = (path: string, anchors: ReadonlySet<string> = ANCHORS): OwnerTotals => {
  const { snapshot: { meta }, nodes, edges, strings } = JSON.parse(readFileSync(path, 'utf8')) as Snapshot
  const nodeFields = meta.node_fields.length
  const edgeFields = meta.edge_fields.length
  const nodeTypes = meta.node_types[0]
  const edgeTypes = meta.edge_types[0]
  const [type, name, selfSize, edgeCount] = ['type', 'name', 'self_size', 'edge_count'].map((field) =>
    meta.node_fields.indexOf(field)
  ) as [number, number, number, number]
  const edgeType = meta.edge_fields.indexOf('type')
  const toNode = meta.edge_fields.indexOf('to_node')
  const count = nodes.length / nodeFields

  const owner = new Int32Array(count).fill(-1)
  for (let i = 0, e = 0; i < count; i++) {
    const end = e + nodes[i * nodeFields + edgeCount]! * edgeFields
    for (; e < end; e += edgeFields) {
      const kind = edgeTypes[edges[e + edgeType]!]
      if (kind === 'weak' || kind === 'shortcut') continue
      const to = edges[e + toNode]! / nodeFields
      if (owner[to] === -1) owner[to] = i
    }
  }

  const label = (i: number): string | undefined => {
    const kind = nodeTypes[nodes[i * nodeFields + type]!]
    return kind === 'object' || kind === 'native' ? strings[nodes[i * nodeFields + name]!] : undefined
  }
  const anchorOf: (string | undefined)[] = new Array(count)
  const resolve = (i: number): string => {
    const path: number[] = []
    let result = '(other)'
    for (let k = i, step = 0; step < MAX_CHAIN; step++) {
      const known = anchorOf[k]
      if (known !== undefined) {
        result = known
        break
      }
      path.push(k)
      const name = label(k)
      if (name !== undefined && (anchors.has(name) || name.startsWith('Node / '))) {
        result = name
        break
      }
      if (owner[k] === -1) break
      k = owner[k]!
    }
    for (const k of path) anchorOf[k] = result
    return result
  }

  const totals: OwnerTotals = new Map()
  for (let i = 0; i < count; i++) {
    const size = nodes[i * nodeFields + selfSize]!
    const key = size >= LARGE_NODE ? LARGE_BUCKET : resolve(i)
    const entry = totals.get(key) ?? { bytes: 0, nodes: 0 }
    entry.bytes += size
    entry.nodes++
    totals.set(key, entry)
  }
  return totals
}

/**
 * `after − before` per owner, divided by `listeners`, largest first; `total` is the sum over all
 * owners (bytes per listener).
 *
 * @example
 * const { total, rows } = ownerDifference(ownerTotals(at0), ownerTotals(atN), 1000)
 */
export const ownerDifference = (
  before: OwnerTotals,
  after: OwnerTotals,
  listeners: number,
): { total: number; rows: OwnerRow[] } => {
  const rows = [...new Set([...before.keys(), ...after.keys()])].map((owner) => ({
    owner,
    bytes: ((after.get(owner)?.bytes ?? 0) - (before.get(owner)?.bytes ?? 0)) / listeners,
    nodes: ((after.get(owner)?.nodes ?? 0) - (before.get(owner)?.nodes ?? 0)) / listeners,
  }))
  rows.sort((a, b) => b.bytes - a.bytes)
  return { total: rows.reduce((sum, row) => sum + row.bytes, 0), rows }
}

/**
 * Bun's `objectTypeCounts` (after a full GC) at two moments: the change per listener of each
 * type, largest first, and of all cells together.
 *
 * @example
 * const { total, rows } = typeCountDifference(countsAt0, countsAtN, 1000)
 */
export const typeCountDifference = (
  before: Record<string, number>,
  after: Record<string, number>,
  listeners: number,
): { total: number; rows: { type: string; count: number }[] } => {
  const rows = [...new Set([...Object.keys(before), ...Object.keys(after)])].map((type) => ({
    type,
    count: ((after[type] ?? 0) - (before[type] ?? 0)) / listeners,
  }))
  rows.sort((a, b) => b.count - a.count)
  return { total: rows.reduce((sum, row) => sum + row.count, 0), rows }
}
