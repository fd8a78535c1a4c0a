// "Publish on farm", beside Publish when the GUI or the shown host has a farm (ViewState.farm):
// validate here, then the farm extracts and integrates, and the window follows its jobs.
import { useServices, useTopField } from '../hooks.js';
import { Icon } from './Icon.js';

export function FarmButton({ enabled }: { enabled: boolean }) {
  const { connection } = useServices();
  const farm = useTopField((t) => t?.farm ?? null);
  if (!farm) return null;
  return (
    <button
      type="button"
      className="button button-farm"
      aria-label="Publish on farm"
      title={`Publish on farm: validate here, then extract and integrate on ${farm}`}
      disabled={!enabled}
      onClick={() => void connection.send({ type: 'publishOnFarm' })}
    >
      <Icon name="farm" />
      <span className="button-text">On farm</span>
    </button>
  );
}
