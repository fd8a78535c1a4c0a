// Inline SVG icons (no icon font, so the page works offline). Plug-in actions name Font
// Awesome icons; common names map onto these glyphs and anything else gets a generic one.
const PATHS: Record<string, string> = {
  check: 'M3 8.5l3.2 3L13 4.5',
  cross: 'M4 4l8 8M12 4l-8 8',
  alert: 'M8 2l6.5 11.5h-13zM8 6.5v3.5M8 11.8v.2',
  info: 'M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13M8 7v4.5M8 4.8v.2',
  error: 'M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13M8 4.5v4.5M8 11.2v.2',
  circle: 'M8 3a5 5 0 1 0 0 10a5 5 0 1 0 0-10',
  right: 'M6 3.5l4.5 4.5L6 12.5',
  down: 'M3.5 6l4.5 4.5L12.5 6',
  left: 'M10 3.5L5.5 8l4.5 4.5',
  wrench:
    'M10.5 2a3.5 3.5 0 0 0-3.2 4.8L2.5 11.6a1.3 1.3 0 0 0 1.9 1.9l4.8-4.8A3.5 3.5 0 0 0 14 5.5l-2 2-2-.5-.5-2 2-2a3.5 3.5 0 0 0-1-.9z',
  play: 'M4.5 2.5v11l9-5.5z',
  flask: 'M6 1.5h4M6.5 1.5v4.5L2.5 13a1 1 0 0 0 .9 1.5h9.2a1 1 0 0 0 .9-1.5L9.5 6V1.5M4.5 10h7',
  refresh: 'M13 3v3.5H9.5M3 13V9.5h3.5M12.6 6.3A5 5 0 0 0 3.4 5.5M3.4 9.7a5 5 0 0 0 9.2.8',
  stop: 'M4 4h8v8H4z',
  comment: 'M2.5 3h11v7.5H7l-3 2.5v-2.5H2.5z',
  sun: 'M8 5a3 3 0 1 0 0 6a3 3 0 1 0 0-6M8 1v1.5M8 13.5V15M1 8h1.5M13.5 8H15M3 3l1 1M12 12l1 1M3 13l1-1M12 4l1-1',
  moon: 'M13 10A6 6 0 0 1 6 3a6 6 0 1 0 7 7z',
  search: 'M7 2.5a4.5 4.5 0 1 0 0 9a4.5 4.5 0 1 0 0-9M10.3 10.3L14 14',
  download: 'M8 2v8.5M4.5 7L8 10.5 11.5 7M2.5 13.5h11',
  copy: 'M5.5 5.5h8v8h-8zM10.5 5.5v-3h-8v8h3',
  plug: 'M5.5 1.5v3.5M10.5 1.5v3.5M3.5 5h9v2.5a4.5 4.5 0 0 1-9 0zM8 12v2.5',
  file: 'M3.5 1.5h6l3 3v10h-9zM9.5 1.5v3h3',
  menu: 'M3 4h10M3 8h10M3 12h10',
  hand: 'M5.5 8V3a1 1 0 0 1 2 0v4.5V2.5a1 1 0 0 1 2 0v5V3.5a1 1 0 0 1 2 0V10a4.5 4.5 0 0 1-4.5 4.5c-2 0-3-1-4.3-3L2.8 9.5a1 1 0 0 1 1.6-1.2z',
  eye: 'M1.5 8S4 3.5 8 3.5 14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8zM8 6a2 2 0 1 0 0 4a2 2 0 1 0 0-4',
  trash: 'M2.5 4h11M6 4V2.5h4V4M4 4l.7 10h6.6L12 4',
  folder: 'M1.5 3.5h4.5l1.5 1.5h7v8h-13z',
  bug: 'M5.5 5.5h5v4a2.5 2.5 0 0 1-5 0zM8 5.5v6.5M2.5 8h3M10.5 8h3M3 12.5l2.5-1.5M13 12.5l-2.5-1.5M3 4l2.5 1.5M13 4l-2.5 1.5',
  terminal: 'M2 3h12v10H2zM4.5 6l2 2-2 2M8 10h3.5',
  list: 'M5.5 4h8M5.5 8h8M5.5 12h8M2.5 4h.5M2.5 8h.5M2.5 12h.5',
  report: 'M3.5 1.5h9v13h-9zM5.5 5h5M5.5 8h5M5.5 11h3',
  spinner: 'M8 1.5a6.5 6.5 0 1 1-6.5 6.5',
  skip: 'M4 3.5l5 4.5-5 4.5zM11.5 3.5v9',
  bolt: 'M9 1.5L3.5 9H8l-1 5.5L12.5 7H8z',
  link: 'M6.5 9.5l3-3M7 4.5l1.5-1.5a2.5 2.5 0 0 1 3.5 3.5L10.5 8M9 11.5L7.5 13A2.5 2.5 0 0 1 4 9.5L5.5 8',
  external: 'M9.5 2.5h4v4M13.5 2.5L8 8M11.5 9.5v4h-9v-9h4',
  expand: 'M4 6h8M8 2v8',
  collapse: 'M4 8h8',
};

/** Font Awesome names (as plug-in actions use them) onto our glyphs. */
const FONT_AWESOME: Record<string, keyof typeof PATHS> = {
  check: 'check',
  'check-circle': 'check',
  times: 'cross',
  close: 'cross',
  warning: 'alert',
  'exclamation-triangle': 'alert',
  'exclamation-circle': 'error',
  info: 'info',
  'info-circle': 'info',
  wrench: 'wrench',
  cog: 'wrench',
  gear: 'wrench',
  hammer: 'wrench',
  magic: 'bolt',
  bolt: 'bolt',
  play: 'play',
  flask: 'flask',
  refresh: 'refresh',
  repeat: 'refresh',
  stop: 'stop',
  comment: 'comment',
  'comment-o': 'comment',
  search: 'search',
  download: 'download',
  copy: 'copy',
  clipboard: 'copy',
  plug: 'plug',
  file: 'file',
  'file-o': 'file',
  bars: 'menu',
  'hand-o-up': 'hand',
  'hand-pointer-o': 'hand',
  'mouse-pointer': 'hand',
  eye: 'eye',
  trash: 'trash',
  'trash-o': 'trash',
  folder: 'folder',
  'folder-open': 'folder',
  bug: 'bug',
  terminal: 'terminal',
  list: 'list',
  link: 'link',
  'external-link': 'external',
  'angle-right': 'right',
};

export type IconName = keyof typeof PATHS;

export function Icon({ name, className }: { name: IconName | string; className?: string }) {
  const glyph = PATHS[name] ?? PATHS[FONT_AWESOME[name] ?? 'bolt'];
  return (
    <svg className={`icon ${className ?? ''}`} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d={glyph} />
    </svg>
  );
}
