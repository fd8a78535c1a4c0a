import type { PluginRow } from '@pyblish/gui/view-model';
import { actionProblem, menuEntries } from '../derive.js';
import { useServices, useTopField } from '../hooks.js';
import { Icon } from './Icon.js';

/** Repair and the plug-in's available actions as buttons, for the report and the details page. */
export function ActionBar({ plugin }: { plugin: PluginRow }) {
  const { connection } = useServices();
  const idle = useTopField((t) => t?.phase === 'ready' || t?.phase === 'finished');
  const actions = menuEntries(plugin.actions).filter((a) => a.kind === 'action');
  if (!plugin.hasRepair && actions.length === 0) return null;
  return (
    <div className="action-bar">
      {plugin.hasRepair && (
        <button
          type="button"
          className="button text-button"
          disabled={!idle}
          title={`Run the repair of ${plugin.label}`}
          onClick={() => void connection.send({ type: 'repair', pluginId: plugin.id })}
        >
          <Icon name="wrench" />
          Repair
        </button>
      )}
      {actions.map((a) => {
        const problem = actionProblem(a);
        return (
          <button
            key={a.id}
            type="button"
            className={`button text-button${a.error ? ' broken' : ''}`}
            disabled={!idle || problem !== null}
            title={problem ?? a.label}
            onClick={() => void connection.send({ type: 'action', pluginId: plugin.id, actionId: a.id })}
          >
            <Icon name={a.icon} />
            {a.label}
          </button>
        );
      })}
      {plugin.actionState === 'running' && <span className="action-state">Running..</span>}
      {plugin.actionState === 'succeeded' && <span className="action-state ok">Last action succeeded</span>}
      {plugin.actionState === 'failed' && (
        <span className="action-state bad">Last action failed (see the Terminal)</span>
      )}
    </div>
  );
}
