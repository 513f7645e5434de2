/** A value in an admin response: text, a number, nested elements, or a list of one element repeated. */
export type AdminValue = string | number | undefined | AdminElement | AdminElement[]

/** One XML element: its attributes (`@name` keys) and child elements, in order. */
export interface AdminElement {
  [name: string]: AdminValue
}

// deno-lint-ignore no-control-regex -- dropping control characters is the point
const NOT_IN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g

/** Escapes text for XML element content and attribute values; control characters XML 1.0 cannot carry are dropped. */
const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
    .replace(NOT_IN_XML, '')

const element = (name: string, value: AdminValue, indent: string): string => {
  if (value === undefined) return `${indent}<${name}/>`
  if (Array.isArray(value)) return value.map((item) => element(name, item, indent)).join('\n')
  if (typeof value !== 'object') return `${indent}<${name}>${escapeXml(String(value))}</${name}>`
  const attributes = Object.entries(value).filter(([key, v]) => key.startsWith('@') && v !== undefined)
  const children = Object.entries(value).filter(([key]) => !key.startsWith('@'))
  const open = `${name}${attributes.map(([key, v]) => ` ${key.slice(1)}="${escapeXml(String(v))}"`).join('')}`
  if (children.length === 0) return `${indent}<${open}/>`
  return `${indent}<${open}>\n${
    children.map(([key, v]) => element(key, v, `${indent}  `)).join('\n')
  }\n${indent}</${name}>`
}

/**
 * Renders an admin document as Icecast's XML: `{ '@mount': '/a', listeners: 2 }` under `source`
 * becomes `<source mount="/a"><listeners>2</listeners></source>`; an array repeats the element.
 *
 * @example
 * toXml('iceresponse', { message: 'Source Removed', return: 1 })
 */
export const toXml = (root: string, document: AdminElement): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${element(root, document, '')}\n`

const plain = (value: AdminValue): unknown => {
  if (value === undefined) return null
  if (Array.isArray(value)) return value.map(plain)
  if (typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key.startsWith('@') ? key.slice(1) : key, plain(v)]),
  )
}

/**
 * The same document as JSON, with the XML's element names as keys (attributes without their `@`),
 * so scripts can switch between the two: `{ "icestats": { "source": [{ "mount": "/a", "listeners": 2 }] } }`.
 *
 * @example
 * toJson('iceresponse', { message: 'Source Removed', return: 1 })
 */
export const toJson = (root: string, document: AdminElement): string =>
  `${JSON.stringify({ [root]: plain(document) }, null, 2)}\n`
