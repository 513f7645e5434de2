import { describe, expect, test } from 'bun:test'
import { html, raw } from '../../src/web/html.ts'

describe('server-side templates', () => {
  test('html`` escapes every interpolated value, in content and attributes; templates and raw() nest as they are', () => {
    const title = `<img src=x onerror="alert('1')"> & co`
    expect(String(html`<p title="${title}">${title}</p>`)).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; co">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; co</p>',
    )
    expect(String(html`<ul>${['<a>', 'b'].map((i) => html`<li>${i}</li>`)}</ul>`)).toBe(
      '<ul><li>&lt;a&gt;</li><li>b</li></ul>',
    )
    expect(String(html`${raw('<br>')}${null}${undefined}${false}${0}`)).toBe('<br>0')
  })
})
