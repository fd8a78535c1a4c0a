import { createElement, Fragment, type ReactNode } from 'react';
import { type DocNode, docNodes } from '../doc-markup.js';

const URL_PATTERN = /(https?:\/\/[^\s<>"')]+)/g;

/** Plain text with http(s) addresses made into links that open outside the GUI. */
export function Linkified({ text }: { text: string }) {
  const parts = text.split(URL_PATTERN);
  // The parts of one text never move, so their position is their identity.
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts of one text keep their positions
          <a key={i} href={part} target="_blank" rel="noreferrer">
            {part}
          </a>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts of one text keep their positions
          <Fragment key={i}>{part}</Fragment>
        ),
      )}
    </>
  );
}

/** A plug-in's documentation: its few kept tags rendered here, never the host's HTML (doc-markup.ts). */
export function Doc({ text }: { text: string }) {
  return <>{docNodes(text).map(docNode)}</>;
}

// The nodes of one doc never move, so their position is their identity.
function docNode(node: DocNode, i: number): ReactNode {
  if (typeof node === 'string') return <Linkified key={i} text={node} />;
  if (node.tag === 'a')
    return (
      <a key={i} href={node.href} target="_blank" rel="noreferrer">
        {node.children.map((child, j) => (typeof child === 'string' ? child : docNode(child, j)))}
      </a>
    );
  return createElement(node.tag, { key: i }, ...node.children.map(docNode));
}

export function firstLine(text: string): string {
  const i = text.indexOf('\n');
  return i < 0 ? text : text.slice(0, i);
}

export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
