// Command intake: commands come from a page as JSON, so their shape is checked before the
// controller acts on one. What each command does is the controller's.
import type { Command } from './view-model.js';

type FieldKind = 'string' | 'boolean' | 'string?' | 'boolean?';

/** Each command's fields and their types (`?`: optional). Typed so no command can be left out. */
export const COMMAND_FIELDS: Readonly<Record<Command['type'], Readonly<Record<string, FieldKind>>>> = {
  reset: {},
  validate: {},
  publish: {},
  publishOnFarm: {},
  stop: {},
  toggle: { id: 'string', value: 'boolean?' },
  toggleSection: { list: 'string', section: 'string', value: 'boolean' },
  resetToggles: {},
  comment: { text: 'string', instanceId: 'string?' },
  action: { pluginId: 'string', actionId: 'string' },
  repair: { pluginId: 'string' },
  switchHost: { key: 'string' },
};

/** What is wrong with a command's shape, said for the user, or null when nothing is. */
export function commandProblem(c: Command): string | null {
  const type = (c as { type: unknown }).type;
  // Own names only: "__proto__", "constructor" or "toString" must not pass as commands.
  if (typeof type !== 'string' || !Object.hasOwn(COMMAND_FIELDS, type)) {
    return `Unknown command "${String(type)}"; expected one of ${Object.keys(COMMAND_FIELDS).join(', ')}`;
  }
  const fields = COMMAND_FIELDS[type as Command['type']];
  for (const [name, kind] of Object.entries(fields)) {
    const value = (c as unknown as Record<string, unknown>)[name];
    if (kind.endsWith('?') && value === undefined) continue;
    if (typeof value !== kind.replace('?', ''))
      return `${type}: "${name}" must be a ${kind.replace('?', '')}`;
  }
  if (c.type === 'toggleSection' && c.list !== 'instances' && c.list !== 'plugins') {
    return 'toggleSection: "list" must be "instances" or "plugins"';
  }
  return null;
}
