import { describe, expect, it } from 'vitest';
import { docNodes } from '../src/doc-markup.js';

describe("a plug-in's documentation", () => {
  it('stays one string when it has no markup, placeholders like <name> included', () => {
    expect(docNodes('Checks <name> and <asset_name>.\n  Then a < b & c > d.')).toEqual([
      'Checks <name> and <asset_name>.\n  Then a < b & c > d.',
    ]);
  });

  it('keeps bold, italics, code, lists, paragraphs and line breaks', () => {
    expect(
      docNodes('<p>Checks <b>names</b> and <i>paths</i>:<br/><code>a_b</code></p><ul><li>one</li></ul>'),
    ).toEqual([
      {
        tag: 'p',
        children: [
          'Checks ',
          { tag: 'b', children: ['names'] },
          ' and ',
          { tag: 'i', children: ['paths'] },
          ':',
          { tag: 'br', children: [] },
          { tag: 'code', children: ['a_b'] },
        ],
      },
      { tag: 'ul', children: [{ tag: 'li', children: ['one'] }] },
    ]);
  });

  it('keeps links to http(s) addresses only, and no other attribute', () => {
    expect(docNodes('See <a href="https://pyblish.com" onclick="steal()">pyblish.com</a>.')).toEqual([
      'See ',
      { tag: 'a', href: 'https://pyblish.com', children: ['pyblish.com'] },
      '.',
    ]);
    expect(docNodes(`<a href='javascript:alert(1)'>click</a> <A HREF=file:///etc/passwd>file</A>`)).toEqual([
      'click file',
    ]);
  });

  it('drops scripts and styles with their text, and other tags without it; decodes entities', () => {
    expect(
      docNodes(
        '<div><span style="color:red">Red</span></div><script>alert(1)</script><style>p{}</style><img src=x onerror=alert(1)><!-- note -->&lt;b&gt; &amp; &#233;&#x21;',
      ),
    ).toEqual(['Red<b> & é!']);
  });

  it('closes what a doc leaves open and ignores closing tags it never opened', () => {
    expect(docNodes('</b>Plain <b>bold <i>both</b> after')).toEqual([
      'Plain ',
      { tag: 'b', children: ['bold ', { tag: 'i', children: ['both'] }] },
      ' after',
    ]);
  });
});
