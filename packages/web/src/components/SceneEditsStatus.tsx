// What the artist's edits are doing beyond the rows: toggles still going to the host (a Python
// host takes them one request each, which takes a while for thousands), and toggles kept from
// before the last Reset, with the way back to the scene's defaults.
import { controlsFor } from '../derive.js';
import { useServices, useTopField } from '../hooks.js';

const count = (n: number) => n.toLocaleString('en-US');

/** Toggles on their way to the host, while there are many: how far, and how to take them back. */
export function DeliveryStatus() {
  const delivery = useTopField((t) => t?.delivery ?? null);
  if (!delivery) return null;
  const { sent, total } = delivery;
  return (
    <div className="delivery" role="status">
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Sending to the host"
        aria-valuemin={0}
        aria-valuemax={Math.max(total, 1)}
        aria-valuenow={sent}
        aria-valuetext={`${sent} of ${total}`}
      >
        <div className="progress-fill" style={{ width: `${total > 0 ? (100 * sent) / total : 0}%` }} />
      </div>
      <span>
        Sending toggles to the host: {count(sent)} of {count(total)}. A run starts once they are all there;
        toggle them back to cancel those not sent yet.
      </span>
    </div>
  );
}

/** Toggles that differ from the scene's defaults: kept for this host across Reset, until reset here. */
export function KeptToggles() {
  const { connection } = useServices();
  const changed = useTopField((t) => t?.changedToggles ?? 0);
  const idle = useTopField((t) => controlsFor(t?.phase ?? 'noHost', Boolean(t?.savedReport)).editable);
  if (changed === 0) return null;
  return (
    <div className="kept-toggles" role="status">
      <span>
        {changed === 1 ? '1 toggle differs' : `${count(changed)} toggles differ`} from the scene's defaults.
        The GUI keeps them for this host across Reset.
      </span>
      <button
        type="button"
        className="button text-button"
        disabled={!idle}
        title="Every instance and plug-in back to what the scene and the plug-ins say"
        onClick={() => void connection.send({ type: 'resetToggles' })}
      >
        Reset toggles
      </button>
    </div>
  );
}
