import { delimiter, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ContextPlugin,
  currentHost,
  defaultRegistry,
  defaultTest,
  deregisterAllHosts,
  deregisterAllPlugins,
  discover,
  Order,
  PyblishError,
  Registry,
  registeredPlugins,
  registerHost,
  registerPlugin,
  Signals,
} from '../src/index.js';

class Valid extends ContextPlugin {
  static override order = Order.Collector;
  process() {}
}
class Invalid extends ContextPlugin {
  static override hosts = [1] as unknown as string[];
  process() {}
}

describe('Registry', () => {
  it('registers plug-in paths as absolute paths and adds PYBLISH_PLUGINPATH entries when asked', () => {
    const registry = new Registry();
    registry.registerPluginPath('plugins');
    registry.registerPluginPath('plugins');
    expect(registry.registeredPaths()).toEqual([resolve('plugins')]);
    const env = { PYBLISH_PLUGINPATH: ['/a', '', '/b', resolve('plugins')].join(delimiter) };
    expect(registry.pluginPaths(env)).toEqual([resolve('plugins'), '/a', '/b']);
    expect(registry.deregisterPluginPath('plugins')).toBe(true);
    expect(registry.registeredPaths()).toEqual([]);
  });

  it('registers valid plug-ins and rejects malformed ones with a typed error', () => {
    const registry = new Registry();
    registry.registerPlugin(Valid);
    registry.registerPlugin(Valid);
    expect(registry.registeredPlugins()).toEqual([Valid]);
    let error: unknown;
    try {
      registry.registerPlugin(Invalid);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PyblishError);
    expect((error as PyblishError).code).toBe('INVALID_PLUGIN');
    expect((error as PyblishError).message).toMatch(/Invalid: "hosts" must be a list of strings/);
    registry.deregisterPlugin(Valid);
    expect(registry.registeredPlugins()).toEqual([]);
  });

  it('makes the last registered host the current host', () => {
    const registry = new Registry();
    expect(registry.currentHost()).toBeNull();
    registry.registerHost('maya');
    registry.registerHost('nuke');
    registry.registerHost('maya');
    expect(registry.registeredHosts()).toEqual(['nuke', 'maya']);
    expect(registry.currentHost()).toBe('maya');
    registry.deregisterAllHosts();
    expect(registry.currentHost()).toBeNull();
  });

  it('uses default plus the registered targets when a session names none', () => {
    const registry = new Registry();
    registry.registerTarget('studio');
    expect(registry.defaultTargets()).toEqual(['default', 'studio']);
    registry.deregisterTarget('studio');
    expect(registry.defaultTargets()).toEqual(['default']);
  });

  it('replaces the test and restores the default on deregistration', () => {
    const registry = new Registry();
    const test = () => 'never';
    registry.registerTest(test);
    expect(registry.registeredTest()).toBe(test);
    registry.deregisterTest();
    expect(registry.registeredTest()).toBe(defaultTest);
  });
});

describe('the default registry', () => {
  it('backs the free functions, which discover() uses when given no registry', async () => {
    registerPlugin(Valid);
    registerHost('houdini');
    try {
      expect(registeredPlugins()).toEqual([Valid]);
      expect(currentHost()).toBe('houdini');
      const found = await discover({ paths: [] });
      expect(found.plugins).toEqual([Valid]);
    } finally {
      deregisterAllPlugins();
      deregisterAllHosts();
    }
    expect(defaultRegistry.registeredPlugins()).toEqual([]);
  });
});

describe('events', () => {
  it('calls callbacks registered for a signal with its arguments until they are deregistered', () => {
    const registry = new Registry();
    const seen: unknown[] = [];
    const callback = (args: { new_value: boolean }) => seen.push(args.new_value);
    registry.registerCallback(Signals.instanceToggled, callback);
    registry.emit('instanceToggled', { instance: 'id', new_value: true, old_value: false });
    expect(registry.registeredCallbacks()).toEqual({ instanceToggled: [callback] });
    expect(registry.deregisterCallback('instanceToggled', callback)).toBe(true);
    expect(registry.deregisterCallback('instanceToggled', callback)).toBe(false);
    registry.emit('instanceToggled', { instance: 'id', new_value: false, old_value: true });
    expect(seen).toEqual([true]);
  });

  it('reports a throwing callback without breaking the emitter or the other callbacks', () => {
    const registry = new Registry();
    const reported: string[] = [];
    registry.onCallbackError = ({ signal, error }) => reported.push(`${signal}: ${(error as Error).message}`);
    const calls: string[] = [];
    registry.registerCallback('published', () => {
      throw new Error('callback broke');
    });
    registry.registerCallback('published', () => calls.push('second'));
    const failures = registry.emit('published', { context: null as never });
    expect(calls).toEqual(['second']);
    expect(failures).toHaveLength(1);
    expect(reported).toEqual(['published: callback broke']);
  });

  it('reports a rejecting async callback', async () => {
    const registry = new Registry();
    const reported: string[] = [];
    registry.onCallbackError = ({ error }) => reported.push((error as Error).message);
    registry.registerCallback('custom', async () => {
      throw new Error('async broke');
    });
    registry.emit('custom', {});
    await new Promise((r) => setTimeout(r, 0));
    expect(reported).toEqual(['async broke']);
  });

  it('removes every callback at once', () => {
    const registry = new Registry();
    registry.registerCallback('reset', () => {});
    registry.deregisterAllCallbacks();
    expect(registry.registeredCallbacks()).toEqual({});
  });
});
