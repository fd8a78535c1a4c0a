// Signals: named events with keyword-style payloads, as pyblish emits them.
import type { Context, Instance } from './data.js';
import type { PluginError } from './errors.js';
import type { PluginClass } from './plugin.js';
import type { Result } from './process.js';

/** Every signal the framework or a GUI emits. Callbacks may listen to any other name too. */
export const Signals = {
  /** After every processed pair: `{ result }`. */
  pluginProcessed: 'pluginProcessed',
  /** When a pair failed: `{ plugin, context, instance, error }`. */
  pluginFailed: 'pluginFailed',
  /** At the end of the matching convenience call: `{ context }`. */
  collected: 'collected',
  validated: 'validated',
  extracted: 'extracted',
  integrated: 'integrated',
  published: 'published',
  /** From a GUI: `{ context }` after each reset. */
  reset: 'reset',
  /** From a GUI: `{ instance, new_value, old_value }`. */
  instanceToggled: 'instanceToggled',
  /** From a GUI: `{ plugin, new_value, old_value }`. */
  pluginToggled: 'pluginToggled',
  /** From a GUI: `{ comment }` and `{ comment, name }`. */
  commented: 'commented',
  instanceCommented: 'instanceCommented',
  /** From a GUI: shown, closed, closed with Shift held. */
  pyblishQmlShown: 'pyblishQmlShown',
  pyblishQmlClose: 'pyblishQmlClose',
  pyblishQmlCloseForced: 'pyblishQmlCloseForced',
} as const;

export interface SignalArgs {
  pluginProcessed: { result: Result };
  pluginFailed: { plugin: PluginClass; context: Context; instance: Instance | null; error: PluginError };
  collected: { context: Context };
  validated: { context: Context };
  extracted: { context: Context };
  integrated: { context: Context };
  published: { context: Context };
  reset: { context: Context };
  instanceToggled: { instance: Instance | string; new_value: boolean; old_value: boolean };
  pluginToggled: { plugin: PluginClass | string; new_value: boolean; old_value: boolean };
  [signal: string]: Record<string, unknown>;
}

export type Callback<S extends string = string> = (args: SignalArgs[S]) => unknown;

/** A callback that threw (or rejected) while a signal was emitted. */
export interface CallbackFailure {
  signal: string;
  error: unknown;
}

/** Callbacks per signal. A throwing callback is reported and does not stop the others. */
export class Events {
  private readonly callbacks = new Map<string, Callback[]>();
  /** Where callback failures are reported; defaults to stderr. */
  onCallbackError: (failure: CallbackFailure) => void = ({ signal, error }) => {
    process.stderr.write(
      `pyblish: a "${signal}" callback failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
  };

  registerCallback<S extends string>(signal: S, callback: Callback<S>): void {
    const list = this.callbacks.get(signal) ?? [];
    if (!list.includes(callback as Callback)) list.push(callback as Callback);
    this.callbacks.set(signal, list);
  }

  /** Returns false when the callback was not registered for that signal. */
  deregisterCallback<S extends string>(signal: S, callback: Callback<S>): boolean {
    const list = this.callbacks.get(signal);
    const index = list?.indexOf(callback as Callback) ?? -1;
    if (index < 0) return false;
    list!.splice(index, 1);
    return true;
  }

  deregisterAllCallbacks(): void {
    this.callbacks.clear();
  }

  registeredCallbacks(): Record<string, Callback[]> {
    return Object.fromEntries(
      [...this.callbacks].filter(([, l]) => l.length > 0).map(([s, l]) => [s, [...l]]),
    );
  }

  /** Calls every callback of `signal` with `args`; returns the failures (also reported). */
  emit<S extends string>(signal: S, args: SignalArgs[S]): CallbackFailure[] {
    const failures: CallbackFailure[] = [];
    const list = this.callbacks.get(signal);
    // Emitted after every pair: nothing is made when no one listens.
    if (!list?.length) return failures;
    for (const callback of [...list]) {
      try {
        const out = callback(args);
        if (out instanceof Promise) out.catch((error: unknown) => this.report(signal, error));
      } catch (error) {
        failures.push(this.report(signal, error));
      }
    }
    return failures;
  }

  private report(signal: string, error: unknown): CallbackFailure {
    const failure = { signal, error };
    try {
      this.onCallbackError(failure);
    } catch {
      // The reporter itself failed; the failure is still returned.
    }
    return failure;
  }
}
