/**
 * The operator dashboard in the browser: polls `dashboard.json` (every 2 s while the tab is seen,
 * every 30 s while hidden) and keeps each mount's panel current (the chart, what is on air, the
 * listeners, the programme and its requests); its buttons call the admin API's own commands
 * (`killclient`, `ban`, `skip`, `metadata`, and the request queue's in `programme-panel.ts`) on the same
 * origin, with the login the browser already holds. Text from the server goes into the
 * page with `textContent` only (the CSP's Trusted Types would refuse anything else).
 */
import type { AdminReplyJson, DashboardJson, ListenerJson, MountStateJson } from './api-types.d.ts'
import { ChartView } from './chart-view.ts'
import { element, setText } from './dom.ts'
import { ProgrammePanel } from './programme-panel.ts'
import { backoffSeconds, formatBytes, formatDuration, INPUT_LABELS } from './timeline.ts'

/** A header no page of another origin can send without the server's consent: the API knows the dashboard sent it. */
const FROM_THIS_PAGE = { 'X-Requested-With': 'airwave-dashboard' }
const POLL_MS = 2000
const HIDDEN_POLL_MS = 30_000
/** How long a Ban button waits for its confirming click. */
const BAN_CONFIRM_MS = 5000
/** Calls an admin command on this server (`skip`, `killclient`, `metadata`, `request`…) and returns its message and outcome. */
const command = async (name: string, params: Record<string, string>): Promise<{ ok: boolean; message: string }> => {
  try {
    const response = await fetch(new URL(`${name}.json?${new URLSearchParams(params)}`, document.baseURI), {
      cache: 'no-store',
      headers: FROM_THIS_PAGE,
    })
    const reply = (await response.json()) as AdminReplyJson
    return {
      ok: response.ok && reply.iceresponse?.return === 1,
      message: reply.iceresponse?.message ?? `HTTP ${response.status}`,
    }
  } catch {
    return { ok: false, message: 'The server did not answer; try again.' }
  }
}

/** One mount's panel. */
class Panel {
  readonly path: string
  readonly #section: HTMLElement
  readonly #input: HTMLElement
  readonly #stream: Element
  readonly #count: Element
  readonly #hls: Element
  readonly #title: Element
  readonly #detail: Element
  readonly #hint: Element
  readonly #result: Element
  readonly #skip: HTMLButtonElement
  readonly #retitle: HTMLFieldSetElement
  readonly #song: HTMLInputElement
  readonly #rows: HTMLTableSectionElement
  readonly #more: Element
  readonly #chart: ChartView
  readonly #programme: ProgrammePanel
  readonly #byId = new Map<number, HTMLTableRowElement>()
  readonly #refresh: () => void
  #order = ''

  constructor(section: HTMLElement, refresh: () => void) {
    this.#section = section
    this.#refresh = refresh
    this.path = section.dataset.mount!
    this.#input = element(section, '.input')
    this.#stream = element(section, '.stream')
    this.#count = element(section, '.count')
    this.#hls = element(section, '.counts .hls')
    this.#title = element(section, '.on-air .title')
    this.#detail = element(section, '.on-air .detail')
    this.#hint = element(section, '.hint')
    this.#result = element(section, ':scope > .result')
    this.#skip = element(section, 'form.skip button')
    this.#retitle = element(section, 'form.retitle fieldset')
    this.#song = element(section, 'input[name="song"]')
    this.#rows = element(section, 'table.listeners tbody')
    this.#more = element(section, '.more')
    this.#chart = new ChartView(element(section, 'figure.chart'), this.path)
    this.#programme = new ProgrammePanel(element(section, '.programme'), this.path, (...args) => this.#run(...args))
    element<HTMLFormElement>(section, 'form.skip').addEventListener('submit', (e) => {
      e.preventDefault()
      void this.#run(this.#skip, 'skip', { mount: this.path })
    })
    element<HTMLFormElement>(section, 'form.retitle').addEventListener('submit', (e) => {
      e.preventDefault()
      void this.#run(element(this.#retitle, 'button'), 'metadata', {
        mount: this.path,
        mode: 'updinfo',
        song: this.#song.value,
      }).then((ok) => ok && (this.#song.value = ''))
    })
    this.#rows.addEventListener('click', (e) => {
      const button = (e.target as Element).closest<HTMLButtonElement>('button[data-id], button[data-address]')
      if (button?.dataset.id) void this.#run(button, 'killclient', { mount: this.path, id: button.dataset.id })
      else if (button?.dataset.address) this.#ban(button, button.dataset.address)
    })
  }

  /**
   * A ban, station-wide and at once, asks to be confirmed: the first click arms the button for a few
   * seconds ("Confirm ban"), the second bans.
   */
  #ban(button: HTMLButtonElement, address: string): void {
    if (button.dataset.armed !== 'yes') {
      button.dataset.armed = 'yes'
      button.textContent = 'Confirm ban'
      button.setAttribute('aria-label', `Confirm: ban ${address} from the station`)
      setTimeout(() => {
        delete button.dataset.armed
        button.textContent = 'Ban'
        button.setAttribute('aria-label', `Ban ${address} from the station`)
      }, BAN_CONFIRM_MS)
      return
    }
    void this.#run(button, 'ban', { ip: address })
  }

  /** Runs an admin command for a button, shows its answer (in `result`), and refreshes; returns whether it worked. */
  async #run(
    button: HTMLButtonElement,
    name: string,
    params: Record<string, string>,
    result: Element = this.#result,
  ): Promise<boolean> {
    button.disabled = true
    const { ok, message } = await command(name, params)
    button.disabled = false
    result.classList.toggle('failed', !ok)
    setText(result, message)
    this.#refresh()
    return ok
  }

  render(state: MountStateJson, range: number): void {
    const input = state.input ?? 'off-air'
    this.#input.dataset.input = input
    setText(this.#input, INPUT_LABELS[input]!)
    setText(this.#stream, state.stream)
    setText(this.#count, String(state.listeners.current))
    setText(this.#hls, state.hlsSessions === null ? '' : ` · ${state.hlsSessions} on HLS`)
    setText(this.#title, state.nowPlaying?.title ?? '')
    setText(this.#detail, this.#describe(state))
    this.#section.classList.toggle('off-air', state.input === null)
    this.#skip.disabled = !state.hasPlaylist
    this.#retitle.disabled = state.input !== 'live' && state.input !== 'relay'
    setText(this.#hint, this.#hintFor(state))
    this.#chart.show(state.history, range, state.listeners.current)
    this.#programme.render(state.programme, state.next)
    this.#showListeners(state.listeners.list)
    const { matching, current } = state.listeners
    const shown = state.listeners.list.length
    setText(
      this.#more,
      shown < matching
        ? `Showing ${shown} of ${matching}${
          matching < current ? ` matching (of ${current})` : ''
        }: filter to find others.`
        : matching < current
        ? `${matching} of ${current} match the filter.`
        : current === 0
        ? 'No listeners.'
        : '',
    )
  }

  #describe(state: MountStateJson): string {
    const { nowPlaying, source } = state
    if (state.input === null) {
      return state.serving
        ? `Off air: its listeners hear ${state.serving} (listed there).`
        : 'Off air: no source is connected.'
    }
    if (source) {
      const who = `${source.origin}${source.userAgent ? ` (${source.userAgent})` : ''}`
      return `${
        source.kind === 'live' ? `${source.name ? `“${source.name}” live` : 'Live'} from ${who}` : `Relayed from ${who}`
      } for ${formatDuration(source.connected)}`
    }
    if (!nowPlaying) return ''
    const time = `${formatDuration(nowPlaying.elapsed)}${
      nowPlaying.duration ? ` / ${formatDuration(nowPlaying.duration)}` : ''
    }`
    return state.next ? `${time} · next: ${state.next}` : time
  }

  #hintFor(state: MountStateJson): string {
    switch (state.input) {
      case 'playlist':
        return "Playlist titles come from the files' tags: the title can be set while a DJ or a relay is on air."
      case 'live':
        return state.hasPlaylist ? 'Skip: the playlist starts its next track when the DJ is done.' : ''
      case 'relay':
        return 'A title set here lasts until the upstream sends its next one.'
      default:
        return ''
    }
  }

  #showListeners(list: readonly ListenerJson[]): void {
    const seen = new Set<number>()
    for (const listener of list) {
      seen.add(listener.id)
      let row = this.#byId.get(listener.id)
      if (!row) {
        row = this.#row(listener)
        this.#byId.set(listener.id, row)
      }
      const cells = row.cells
      setText(cells[3]!, formatDuration(listener.connected))
      setText(cells[4]!, formatBytes(listener.bytes))
    }
    for (const id of [...this.#byId.keys()]) if (!seen.has(id)) this.#byId.delete(id)
    const order = list.map((l) => l.id).join(',')
    if (order !== this.#order) {
      this.#order = order
      this.#rows.replaceChildren(...list.map((l) => this.#byId.get(l.id)!))
    }
  }

  #row(listener: ListenerJson): HTMLTableRowElement {
    const row = document.createElement('tr')
    row.dataset.id = String(listener.id)
    const cell = (text: string, className?: string) => {
      const td = document.createElement('td')
      td.textContent = text
      if (className) td.className = className
      row.append(td)
    }
    cell(`#${listener.id}`)
    cell(listener.user === undefined ? listener.address : `${listener.address} (${listener.user})`)
    cell(listener.userAgent || 'Unknown', 'agent')
    cell('', 'number')
    cell('', 'number')
    const action = document.createElement('td')
    const kick = document.createElement('button')
    kick.type = 'button'
    kick.className = 'kick'
    kick.dataset.id = String(listener.id)
    kick.textContent = 'Kick'
    kick.setAttribute('aria-label', `Kick listener #${listener.id} (${listener.address})`)
    const ban = document.createElement('button')
    ban.type = 'button'
    ban.className = 'ban'
    ban.dataset.address = listener.address
    ban.textContent = 'Ban'
    ban.title = 'Ban this address from the station: its listeners are ended, and it cannot connect again'
    ban.setAttribute('aria-label', `Ban ${listener.address} from the station`)
    action.append(kick, ' ', ban)
    row.append(action)
    return row
  }
}

const start = (): void => {
  const main = element<HTMLElement>(document, '#dashboard')
  const connection = element(main, '.connection')
  const controls = element<HTMLFormElement>(main, 'form.controls')
  const filter = element<HTMLInputElement>(controls, 'input[name="filter"]')
  const range = element<HTMLSelectElement>(controls, 'select[name="range"]')
  const panels = new Map<string, Panel>()
  let timer: ReturnType<typeof setTimeout> | undefined
  let busy = false
  let again = false
  let failures = 0
  let stopped = false

  const schedule = (ms: number) => {
    clearTimeout(timer)
    timer = setTimeout(poll, ms)
  }

  const poll = async (): Promise<void> => {
    if (stopped) return
    if (busy) {
      again = true
      return
    }
    busy = true
    clearTimeout(timer)
    let next = document.hidden ? HIDDEN_POLL_MS : POLL_MS
    try {
      const query = new URLSearchParams({ range: range.value, filter: filter.value })
      const response = await fetch(new URL(`dashboard.json?${query}`, document.baseURI), {
        cache: 'no-store',
        headers: FROM_THIS_PAGE,
      })
      if (response.status === 401) {
        // Polling on would only ask for a login again and again.
        stopped = true
        setText(
          connection,
          'Not logged in (the server may have restarted with other credentials): reload the page to log in.',
        )
        return
      }
      if (!response.ok) {
        const reply = (await response.json().catch(() => ({}))) as AdminReplyJson
        throw new Error(reply.iceresponse?.message ?? `HTTP ${response.status}`)
      }
      const state = (await response.json()) as DashboardJson
      failures = 0
      const paths = state.mounts.map((mount) => mount.path)
      const changed = paths.length !== panels.size || paths.some((path) => !panels.has(path))
      setText(
        connection,
        changed ? 'The mounts changed (the configuration was reloaded): reload the page to see them.' : '',
      )
      for (const mount of state.mounts) panels.get(mount.path)?.render(mount, state.range)
    } catch (error) {
      const seconds = backoffSeconds(++failures)
      next = seconds * 1000
      setText(
        connection,
        `Updates interrupted (${
          error instanceof Error && !(error instanceof TypeError) ? error.message : 'the server does not answer'
        }). Retrying in ${Math.max(1, Math.round(seconds))} s…`,
      )
    } finally {
      busy = false
      if (again) {
        again = false
        void poll()
      } else if (!stopped) {
        schedule(next)
      }
    }
  }

  for (const section of main.querySelectorAll<HTMLElement>('section.panel[data-mount]')) {
    const panel = new Panel(section, () => void poll())
    panels.set(panel.path, panel)
  }
  let typing: ReturnType<typeof setTimeout> | undefined
  filter.addEventListener('input', () => {
    clearTimeout(typing)
    typing = setTimeout(() => void poll(), 300)
  })
  range.addEventListener('change', () => void poll())
  controls.addEventListener('submit', (e) => {
    e.preventDefault()
    void poll()
  })
  document.addEventListener('visibilitychange', () => !document.hidden && void poll())
  addEventListener('online', () => void poll())
  void poll()
}

start()
