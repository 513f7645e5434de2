import type { AddressRange } from './address-range.ts'
import { parseRange } from './address-range.ts'

/** Why an address may not listen: it is banned, or there is an allow list and it is not on it. */
export type Exclusion = 'banned' | 'not allowed'

/** Ranges as written, read; what is not a range is an error that names it. */
const ranges = (texts: readonly string[]): AddressRange[] =>
  texts.map((text) => {
    const range = parseRange(text)
    if (!range) throw new Error(`"${text}" is not an IP address or CIDR range (like 203.0.113.7 or 2001:db8::/32)`)
    return range
  })

/**
 * Who may connect, by address: denied ranges (bans) and, when there are any, allowed ranges (only
 * those may). A ban wins over an allow. Bans added at run time (the admin API) are kept apart from
 * the configured ones, so a reload of the configuration keeps them.
 *
 * @example
 * const access = new AccessList({ deny: ['203.0.113.0/24'] })
 * access.exclusion('203.0.113.7') // 'banned'
 * access.ban('198.51.100.9')
 */
export class AccessList {
  #deny: AddressRange[] = []
  #allow: AddressRange[] = []
  readonly #banned = new Map<string, AddressRange>()

  constructor(lists: { deny?: readonly string[]; allow?: readonly string[] } = {}) {
    this.configure(lists)
  }

  /** Takes the configured lists afresh; the bans added at run time stay. */
  configure(lists: { deny?: readonly string[]; allow?: readonly string[] }): void {
    this.#deny = ranges(lists.deny ?? [])
    this.#allow = ranges(lists.allow ?? [])
  }

  /** Why `address` may not connect, or undefined when it may. */
  exclusion(address: string): Exclusion | undefined {
    if (this.#deny.some((range) => range.contains(address))) return 'banned'
    for (const range of this.#banned.values()) if (range.contains(address)) return 'banned'
    if (this.#allow.length > 0 && !this.#allow.some((range) => range.contains(address))) return 'not allowed'
    return undefined
  }

  /** Bans an address or range from now on; throws when `text` is neither. */
  ban(text: string): AddressRange {
    const [range] = ranges([text])
    this.#banned.set(range!.text, range!)
    return range!
  }

  /** Lifts a ban added at run time; false when there was none (a configured ban is lifted in the configuration). */
  unban(text: string): boolean {
    return this.#banned.delete(parseRange(text)?.text ?? text.trim())
  }

  /** The bans: configured, and added at run time. */
  get bans(): { configured: string[]; added: string[] } {
    return { configured: this.#deny.map((r) => r.text), added: [...this.#banned.keys()] }
  }

  /** The allow list as configured (empty: every address not banned may connect). */
  get allowed(): string[] {
    return this.#allow.map((r) => r.text)
  }
}
