// A plug-in's documentation with a few HTML tags, as pyblish-qml's rich-text docs had them, read
// into a small tree the page renders itself: the host's markup never reaches the page as HTML.
// Kept: b, strong, i, em, u, code, pre, p, ul, ol, li, br and links to http(s) addresses. Other
// HTML tags go and their text stays (script and style go with their text); anything that only
// looks like a tag (`<name>` in a plain-text doc) stays as written. Pure: unit-tested.

export type DocTag =
  | 'b'
  | 'strong'
  | 'i'
  | 'em'
  | 'u'
  | 'code'
  | 'pre'
  | 'p'
  | 'ul'
  | 'ol'
  | 'li'
  | 'br'
  | 'a';

export type DocNode = string | { tag: DocTag; href?: string; children: DocNode[] };

const KEPT = new Set<string>([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'code',
  'pre',
  'p',
  'ul',
  'ol',
  'li',
  'br',
  'a',
]);
/** Tags whose text stays without them. */
const UNWRAPPED = new Set([
  'span',
  'div',
  'font',
  'small',
  'big',
  'sub',
  'sup',
  'tt',
  'blockquote',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'thead',
  'tbody',
  'tr',
  'td',
  'th',
  'center',
  'img',
  'hr',
]);
/** Tags that go with their text. */
const DROPPED = new Set(['script', 'style']);

const TAG = /<!--[\s\S]*?-->|<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s[^<>]*)?)\/?>/g;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] !== '#') return NAMED[name.toLowerCase()] ?? whole;
    const code =
      name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** The link's address when it is an http(s) one; a link anywhere else is shown as its text. */
function safeHref(attributes: string): string | null {
  const m = HREF.exec(attributes);
  const href = decode(m?.[1] ?? m?.[2] ?? m?.[3] ?? '').trim();
  return /^https?:\/\//i.test(href) ? href : null;
}

type Open = { tag: DocTag; href?: string; children: DocNode[] };

/** The doc as text and kept elements; a doc without markup is one string. */
export function docNodes(doc: string): DocNode[] {
  const root: DocNode[] = [];
  const stack: Open[] = [];
  const out = () => stack.at(-1)?.children ?? root;
  const text = (s: string) => {
    if (s === '') return;
    const children = out();
    const last = children.at(-1);
    if (typeof last === 'string') children[children.length - 1] = last + s;
    else children.push(s);
  };
  let at = 0;
  let skipping: string | null = null;
  for (const m of doc.matchAll(TAG)) {
    const [whole, closing, rawName = '', attributes = ''] = m;
    const name = rawName.toLowerCase();
    const index = m.index ?? 0;
    if (skipping) {
      if (closing && name === skipping) {
        skipping = null;
        at = index + whole.length;
      }
      continue;
    }
    const known = whole.startsWith('<!--') || KEPT.has(name) || UNWRAPPED.has(name) || DROPPED.has(name);
    if (!known) continue; // `<name>` in plain text: left as written
    text(decode(doc.slice(at, index)));
    at = index + whole.length;
    if (DROPPED.has(name)) {
      if (!closing) skipping = name;
      continue;
    }
    if (!KEPT.has(name)) continue;
    if (name === 'br') {
      if (!closing) out().push({ tag: 'br', children: [] });
      continue;
    }
    if (closing) {
      const open = stack.findLastIndex((e) => e.tag === name);
      if (open >= 0) stack.length = open;
      continue;
    }
    let element: Open = { tag: name as DocTag, children: [] };
    if (name === 'a') {
      const href = safeHref(attributes);
      if (href === null) continue;
      element = { tag: 'a', href, children: [] };
    }
    out().push(element);
    stack.push(element);
  }
  if (!skipping) text(decode(doc.slice(at)));
  return root;
}
