// The window a host asks for in show(settings): title, context label, size (never below the
// smallest usable window), position and hidden sections. Anything malformed is left as it was.
import type { ShowSettings } from '@pyblish/host';
import type { WindowSettings } from './view-model.js';

/** A pair of finite numbers, or null. */
function pair(v: unknown): [number, number] | null {
  return Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number' && Number.isFinite(n))
    ? [v[0] as number, v[1] as number]
    : null;
}

/** `current` with what `settings` says about the window applied. */
export function windowWith(current: WindowSettings, settings: ShowSettings): WindowSettings {
  const window: WindowSettings = { ...current };
  if (typeof settings.WindowTitle === 'string') window.title = settings.WindowTitle;
  if (typeof settings.ContextLabel === 'string') window.contextLabel = settings.ContextLabel;
  const size = pair(settings.WindowSize);
  if (size) window.size = [Math.max(430, size[0]), Math.max(300, size[1])];
  const position = pair(settings.WindowPosition);
  if (position) window.position = position;
  if (Array.isArray(settings.HiddenSections)) {
    window.hiddenSections = settings.HiddenSections.filter((s): s is string => typeof s === 'string');
  }
  return window;
}
