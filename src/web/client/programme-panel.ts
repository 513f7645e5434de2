/**
 * A mount's programme on the dashboard: the slot on air, the title coming next, today's schedule
 * and the jingles' rule, and the request queue with Up, Down and Remove per request and a form to
 * queue a file (the admin API's `moverequest`, `removerequest` and `request`). It is filled from
 * `dashboard.json` at each poll; text goes in with `textContent` only.
 */
import type { ProgrammeJson, RequestJson, SlotJson } from './api-types.d.ts'
import { element, setText } from './dom.ts'

/** Runs an admin command for a button and shows its answer in `result`; resolves to whether it worked. */
export type RunCommand = (
  button: HTMLButtonElement,
  name: string,
  params: Record<string, string>,
  result: Element,
) => Promise<boolean>

type Move = 'up' | 'down' | 'remove'

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`

/**
 * The jingles' rule in words.
 *
 * @example
 * jingleRule({ everyTracks: 4, everyMinutes: null, topOfHour: true, showTitles: false })
 * // 'Jingles: every 4 tracks, at the top of the hour; titles hidden'
 */
export const jingleRule = (jingles: ProgrammeJson['jingles']): string => {
  if (!jingles) return 'No jingles.'
  const when = [
    ...(jingles.everyTracks === null ? [] : [`every ${plural(jingles.everyTracks, 'track')}`]),
    ...(jingles.everyMinutes === null ? [] : [`every ${plural(jingles.everyMinutes, 'minute')}`]),
    ...(jingles.topOfHour ? ['at the top of the hour'] : []),
  ]
  return `Jingles: ${when.join(', ')}${jingles.showTitles ? '' : '; titles hidden'}`
}

/** One slot of today's schedule as a list item: its times, its name, and whether it cuts in and is on air. */
const slotItem = (slot: SlotJson): HTMLLIElement => {
  const item = document.createElement('li')
  const part = (tag: string, className: string, text: string) => {
    const node = document.createElement(tag)
    node.className = className
    node.textContent = text
    if (item.firstChild) item.append(' ')
    item.append(node)
  }
  part('span', 'hours', `${slot.from}–${slot.to}`)
  part('span', 'slot-name', slot.name)
  if (slot.cutIn) part('span', 'tag', 'cuts in')
  if (slot.onAir) {
    item.classList.add('current')
    item.setAttribute('aria-current', 'true')
    part('strong', 'tag on', 'on air')
  }
  return item
}

/** The programme and requests part of one mount's panel. */
export class ProgrammePanel {
  readonly #root: HTMLElement
  readonly #mount: string
  readonly #run: RunCommand
  readonly #slot: Element
  readonly #next: Element
  readonly #zone: Element
  readonly #slots: HTMLElement
  readonly #jingles: Element
  readonly #queue: HTMLElement
  readonly #empty: HTMLElement
  readonly #path: HTMLInputElement
  readonly #result: Element
  readonly #rows = new Map<number, HTMLLIElement>()
  #today = ''
  #order = ''
  /** The button to focus again once the list shows what it did (a redrawn list loses the focus). */
  #refocus: { id: number; action: Move; position: number } | undefined

  constructor(root: HTMLElement, mount: string, run: RunCommand) {
    this.#root = root
    this.#mount = mount
    this.#run = run
    this.#slot = element(root, '.slot')
    this.#next = element(root, '.next')
    this.#zone = element(root, '.tz')
    this.#slots = element(root, '.slots')
    this.#jingles = element(root, '.jingles')
    this.#queue = element(root, '.queue')
    this.#empty = element(root, '.empty')
    this.#path = element(root, 'input[name="path"]')
    this.#result = element(root, '.result')
    const form = element<HTMLFormElement>(root, 'form.request')
    form.addEventListener('submit', (e) => {
      e.preventDefault()
      void this.#run(element(form, 'button'), 'request', { mount: this.#mount, path: this.#path.value }, this.#result)
        .then((ok) => ok && (this.#path.value = ''))
    })
    this.#queue.addEventListener('click', (e) => {
      const button = (e.target as Element).closest<HTMLButtonElement>('button[data-action]')
      const row = button?.closest<HTMLLIElement>('li[data-id]')
      if (button && row) void this.#act(button, Number(row.dataset.id), button.dataset.action as Move)
    })
  }

  /** Moves a request a place up or down (`moverequest`), or removes it (`removerequest`). */
  async #act(button: HTMLButtonElement, id: number, action: Move): Promise<void> {
    const position = [...this.#queue.children].indexOf(this.#rows.get(id)!)
    const to = String(Math.max(0, position + (action === 'up' ? -1 : 1)))
    const [name, params] = action === 'remove'
      ? ['removerequest', { mount: this.#mount, id: String(id) }]
      : ['moverequest', { mount: this.#mount, id: String(id), position: to }]
    this.#refocus = { id, action, position }
    if (!(await this.#run(button, name, params, this.#result))) this.#refocus = undefined
  }

  /** Shows the mount's programme (hidden when it has none: no playlist) and `next`, the title coming next. */
  render(programme: ProgrammeJson | null, next: string | null): void {
    this.#root.hidden = programme === null
    if (!programme) return
    setText(this.#slot, programme.slot ?? 'Default rotation')
    setText(this.#next, next ? `Next: ${next}` : '')
    setText(this.#zone, programme.timeZone)
    const today = JSON.stringify(programme.today)
    if (today !== this.#today) {
      this.#today = today
      if (programme.today.length > 0) this.#slots.replaceChildren(...programme.today.map(slotItem))
      else {
        const none = document.createElement('li')
        none.textContent = 'No slots today: the default rotation plays all day.'
        this.#slots.replaceChildren(none)
      }
    }
    setText(this.#jingles, jingleRule(programme.jingles))
    this.#showRequests(programme.requests)
  }

  #showRequests(requests: readonly RequestJson[]): void {
    const seen = new Set<number>()
    requests.forEach((request, position) => {
      seen.add(request.id)
      let row = this.#rows.get(request.id)
      if (!row) {
        row = this.#row(request.id)
        this.#rows.set(request.id, row)
      }
      setText(element(row, '.title'), request.title)
      for (const button of row.querySelectorAll<HTMLButtonElement>('button[data-action]')) {
        const action = button.dataset.action as Move
        button.setAttribute(
          'aria-label',
          `${action === 'remove' ? 'Remove' : 'Move'} “${request.title}”${action === 'remove' ? '' : ` ${action}`}`,
        )
        button.disabled = (action === 'up' && position === 0) || (action === 'down' && position === requests.length - 1)
      }
    })
    for (const id of [...this.#rows.keys()]) if (!seen.has(id)) this.#rows.delete(id)
    this.#empty.hidden = requests.length > 0
    const order = requests.map((r) => r.id).join(',')
    if (order === this.#order) return
    this.#order = order
    this.#queue.replaceChildren(...requests.map((r) => this.#rows.get(r.id)!))
    this.#restoreFocus(requests)
  }

  /** After a move, the same button (or its row's other one); after a removal, the next row's Remove, or the form. */
  #restoreFocus(requests: readonly RequestJson[]): void {
    const refocus = this.#refocus
    this.#refocus = undefined
    if (!refocus) return
    const row = this.#rows.get(refocus.id)
    const buttons = (li: HTMLLIElement | undefined) =>
      [...(li?.querySelectorAll<HTMLButtonElement>('button[data-action]') ?? [])].filter((b) => !b.disabled)
    if (row) {
      const enabled = buttons(row)
      ;(enabled.find((b) => b.dataset.action === refocus.action) ?? enabled[0])?.focus()
      return
    }
    const next = requests[Math.min(refocus.position, requests.length - 1)]
    const remove = buttons(next && this.#rows.get(next.id)).find((b) => b.dataset.action === 'remove')
    ;(remove ?? this.#path).focus()
  }

  #row(id: number): HTMLLIElement {
    const row = document.createElement('li')
    row.dataset.id = String(id)
    const title = document.createElement('span')
    title.className = 'title'
    row.append(title)
    for (const [action, label] of [['up', 'Up'], ['down', 'Down'], ['remove', 'Remove']] as const) {
      const button = document.createElement('button')
      button.type = 'button'
      button.dataset.action = action
      button.className = action
      button.textContent = label
      row.append(' ', button)
    }
    return row
  }
}
