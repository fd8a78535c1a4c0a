import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  Action,
  Context,
  ContextPlugin,
  getLogger,
  type Instance,
  InstancePlugin,
  type LogRecord,
  type PluginClass,
  type ProcessApi,
  processPlugin,
  Registry,
  type Result,
  repairPlugin,
} from '../src/index.js';

const thisFile = fileURLToPath(import.meta.url);
const lineOf = (text: string) =>
  readFileSync(thisFile, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text)) + 1;
const registry = new Registry();
const options = { registry };

class Logs extends ContextPlugin {
  process(_context: Context, { log }: ProcessApi) {
    log.debug('debug %d', 1);
    log.info('count: %d, %s', 42, 'items');
    log.warning('careful');
    log.error('bad');
    log.critical('worse');
  }
}

class Fails extends InstancePlugin {
  process(instance: Instance) {
    if (instance.name === 'bad') throw new TypeError(`Name "${instance.name}" is not allowed`);
  }
}

describe('processing one pair', () => {
  it('returns a successful result with the plug-in, the instance and the duration', async () => {
    const context = new Context();
    const good = context.createInstance('good');
    const result = await processPlugin(Fails, context, good, options);
    expect(result).toMatchObject({
      success: true,
      plugin: Fails,
      instance: good,
      action: null,
      error: null,
      records: [],
    });
    expect(result.duration).toBeGreaterThanOrEqual(0);
  });

  it('captures log records with level, formatted message, logger name and source location', async () => {
    const result = await processPlugin(Logs, new Context(), null, options);
    expect(result.records.map((r) => [r.levelname, r.levelno, r.message])).toEqual([
      ['DEBUG', 10, 'debug 1'],
      ['INFO', 20, 'count: 42, items'],
      ['WARNING', 30, 'careful'],
      ['ERROR', 40, 'bad'],
      ['CRITICAL', 50, 'worse'],
    ]);
    const record = result.records[1]!;
    expect(record.name).toBe('pyblish.Logs');
    expect(record.pathname).toBe(thisFile);
    expect(record.filename).toBe('process.test.ts');
    expect(record.module).toBe('process.test');
    expect(record.lineno).toBe(lineOf("log.info('count: %d"));
    expect(record.funcName).toMatch(/process/);
    expect(record.created).toBeCloseTo(Date.now() / 1000, -1);
    expect(record.process).toBe(process.pid);
    expect(record.threadName).toBe('MainThread');
  });

  it('turns a thrown error into a failed result naming the file, line and function of the failing frame', async () => {
    const context = new Context();
    const bad = context.createInstance('bad');
    const result = await processPlugin(Fails, context, bad, options);
    expect(result.success).toBe(false);
    expect(result.instance).toBe(bad);
    expect(result.error).toMatchObject({
      message: 'Name "bad" is not allowed',
      exc: 'TypeError',
      fname: thisFile,
    });
    expect(result.error!.lineNumber).toBe(lineOf('throw new TypeError(`Name'));
    expect(result.error!.func).toMatch(/process/);
    expect(result.error!.stack).toContain('TypeError');
  });

  it('still reports a message when a plug-in throws something that is not an Error', async () => {
    class ThrowsString extends ContextPlugin {
      process() {
        throw 'plain string';
      }
    }
    class ThrowsObject extends ContextPlugin {
      process() {
        throw { code: 42 };
      }
    }
    class ThrowsNothing extends ContextPlugin {
      process() {
        throw undefined;
      }
    }
    const context = new Context();
    expect((await processPlugin(ThrowsString, context, null, options)).error).toMatchObject({
      message: 'plain string',
      exc: 'string',
    });
    expect((await processPlugin(ThrowsObject, context, null, options)).error).toMatchObject({
      message: '{ code: 42 }',
      exc: 'Object',
    });
    expect((await processPlugin(ThrowsNothing, context, null, options)).error).toMatchObject({
      message: 'undefined',
      exc: 'undefined',
    });
  });

  it('awaits an async process and captures what it logs after awaiting', async () => {
    class Slow extends ContextPlugin {
      async process(context: Context, { log }: ProcessApi) {
        await new Promise((r) => setTimeout(r, 5));
        log.info('after wait');
        context.data.done = true;
      }
    }
    const context = new Context();
    const result = await processPlugin(Slow, context, null, options);
    expect(result.success).toBe(true);
    expect(context.data.done).toBe(true);
    expect(result.records.map((r) => r.message)).toEqual(['after wait']);
  });

  it('captures console output made while the plug-in runs, attributed to that plug-in', async () => {
    class Prints extends ContextPlugin {
      async process() {
        console.log('printed %s', 'line');
        await Promise.resolve();
        console.warn('a warning');
        console.error(new Error('boom').message);
      }
    }
    const result = await processPlugin(Prints, new Context(), null, options);
    expect(result.records.map((r) => [r.name, r.levelname, r.message])).toEqual([
      ['pyblish.Prints', 'INFO', 'printed line'],
      ['pyblish.Prints', 'WARNING', 'a warning'],
      ['pyblish.Prints', 'ERROR', 'boom'],
    ]);
    expect(result.records[0]!.pathname).toBe(thisFile);
    expect(result.records[0]!.lineno).toBe(lineOf("console.log('printed"));
  });

  it('captures records of helper loggers (getLogger) into the call that runs them', async () => {
    const helper = getLogger('studio.tools');
    class UsesHelper extends ContextPlugin {
      async process() {
        await Promise.resolve();
        helper.warning('from a helper');
      }
    }
    const result = await processPlugin(UsesHelper, new Context(), null, options);
    expect(result.records.map((r) => [r.name, r.levelname, r.message])).toEqual([
      ['studio.tools', 'WARNING', 'from a helper'],
    ]);
  });

  it('keeps records of concurrent calls apart', async () => {
    class Chatty extends InstancePlugin {
      async process(instance: Instance, { log }: ProcessApi) {
        for (let i = 0; i < 3; i++) {
          console.info(`${instance.name} ${i}`);
          log.info(`${instance.name} log ${i}`);
          await new Promise((r) => setTimeout(r, 1));
        }
      }
    }
    const context = new Context();
    const [a, b] = await Promise.all(
      ['a', 'b'].map((n) => processPlugin(Chatty, context, context.createInstance(n), options)),
    );
    expect(a!.records.every((r) => r.message.startsWith('a '))).toBe(true);
    expect(b!.records.every((r) => r.message.startsWith('b '))).toBe(true);
    expect(a!.records).toHaveLength(6);
  });

  it('streams each record to onRecord as it is logged', async () => {
    const live: LogRecord[] = [];
    const result = await processPlugin(Logs, new Context(), null, {
      ...options,
      onRecord: (r) => live.push(r),
    });
    expect(live).toEqual(result.records);
  });

  it('ends the call with an error result when its signal aborts, and passes the signal to the plug-in', async () => {
    let seen: AbortSignal | null = null;
    class Waits extends ContextPlugin {
      process(_c: Context, { signal }: ProcessApi) {
        seen = signal;
        return new Promise<void>(() => {});
      }
    }
    const controller = new AbortController();
    const pending = processPlugin(Waits, new Context(), null, { ...options, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const result = await pending;
    expect(result.success).toBe(false);
    expect(result.error!.exc).toBe('AbortError');
    expect(seen!.aborted).toBe(true);
  });

  it('fails an instance plug-in called without an instance instead of throwing', async () => {
    const result = await processPlugin(Fails, new Context(), null, options);
    expect(result.error!.message).toMatch(/Fails is an instance plug-in: pass an instance/);
  });

  it('makes instances created by a collector visible to the next plug-in', async () => {
    class Collect extends ContextPlugin {
      process(context: Context) {
        context.createInstance('made', { family: 'model' });
      }
    }
    class Count extends ContextPlugin {
      process(context: Context, { log }: ProcessApi) {
        log.info(`${context.length}`);
      }
    }
    const context = new Context();
    await processPlugin(Collect, context, null, options);
    expect((await processPlugin(Count, context, null, options)).records[0]!.message).toBe('1');
  });

  it('appends every result to context.data.results', async () => {
    const context = new Context();
    const r1 = await processPlugin(Logs, context, null, options);
    const r2 = await processPlugin(Logs, context, null, options);
    expect(context.data.results).toEqual([r1, r2]);
  });

  it('emits pluginProcessed after every call and pluginFailed on errors', async () => {
    const events = new Registry();
    const processed: Result[] = [];
    const failed: string[] = [];
    events.registerCallback('pluginProcessed', ({ result }) => processed.push(result));
    events.registerCallback('pluginFailed', ({ plugin, instance, error }) =>
      failed.push(`${plugin.name}/${instance?.name}: ${error.message}`),
    );
    const context = new Context();
    await processPlugin(Fails, context, context.createInstance('good'), { registry: events });
    await processPlugin(Fails, context, context.createInstance('bad'), { registry: events });
    expect(processed.map((r) => r.success)).toEqual([true, false]);
    expect(failed).toEqual(['Fails/bad: Name "bad" is not allowed']);
  });
});

describe('actions and repair', () => {
  class Fix extends Action {
    static override on = 'failed';
    process(context: Context, plugin: PluginClass, { log }: ProcessApi) {
      log.info(`fixing after ${plugin.name}`);
      context.data.fixed = true;
    }
  }
  class Broken extends Action {
    process() {
      throw new Error('action failed');
    }
  }
  class WithActions extends ContextPlugin {
    static override actions = [Fix, Broken];
    process() {}
  }
  class Repairable extends InstancePlugin {
    process(instance: Instance) {
      if (instance.data.broken) throw new Error('broken');
    }
    override repair(instance: Instance, { log }: ProcessApi) {
      log.info('repairing');
      instance.data.broken = false;
    }
  }

  it('runs an action by id with the context and the plug-in, and reports it in the result', async () => {
    const context = new Context();
    const result = await processPlugin(WithActions, context, null, { ...options, action: 'Fix' });
    expect(result).toMatchObject({ success: true, action: 'Fix' });
    expect(result.records[0]).toMatchObject({ name: 'pyblish.Fix', message: 'fixing after WithActions' });
    expect(context.data.fixed).toBe(true);
  });

  it('reports a failing or unknown action as a failed result', async () => {
    const context = new Context();
    expect(
      (await processPlugin(WithActions, context, null, { ...options, action: 'Broken' })).error!.message,
    ).toBe('action failed');
    expect(
      (await processPlugin(WithActions, context, null, { ...options, action: 'Nope' })).error!.message,
    ).toMatch(/WithActions has no action "Nope"/);
  });

  it('repairs an instance so the next process passes, and fails repair of plug-ins without one', async () => {
    const context = new Context();
    const i = context.createInstance('x', { broken: true });
    expect((await processPlugin(Repairable, context, i, options)).success).toBe(false);
    const repaired = await repairPlugin(Repairable, context, i, options);
    expect(repaired).toMatchObject({ success: true });
    expect(repaired.records[0]!.message).toBe('repairing');
    expect((await processPlugin(Repairable, context, i, options)).success).toBe(true);
    expect((await repairPlugin(Logs, context, null, options)).error!.message).toMatch(
      /Logs has no repair method/,
    );
  });
});
