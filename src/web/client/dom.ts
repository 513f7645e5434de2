/** The small DOM helpers the pages' modules share. */

/**
 * The element matching `selector` under `root`; throws when the page lacks it (a template and its
 * module out of step), so the fault shows at once rather than as a silent no-op.
 *
 * @example
 * const title = element(section, '.on-air .title')
 */
export const element = <T extends Element>(root: ParentNode, selector: string): T => {
  const found = root.querySelector<T>(selector)
  if (!found) throw new Error(`airwave: the page has no ${selector}`)
  return found
}

/**
 * Sets a node's text (never markup), touching the DOM only when it changes.
 *
 * @example
 * setText(count, String(listeners))
 */
export const setText = (node: Element, text: string): void => {
  if (node.textContent !== text) node.textContent = text
}
