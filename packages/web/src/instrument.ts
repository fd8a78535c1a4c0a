// Render counting for checks that a one-row update re-renders one row: enabled by adding
// `?renders` to the page address; read with `window.__pyblishRenders()`.
const enabled = typeof window !== 'undefined' && new URLSearchParams(window.location.search).has('renders');
const counts = new Map<string, number>();

export function countRender(key: string): void {
  if (enabled) counts.set(key, (counts.get(key) ?? 0) + 1);
}

if (enabled) {
  (window as unknown as { __pyblishRenders: () => Record<string, number> }).__pyblishRenders = () =>
    Object.fromEntries(counts);
}
