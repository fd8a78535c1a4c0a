// Fault injection: one GUI process, twenty hosts, each killed with SIGKILL at a random point of a
// publish. Every time the GUI must reach a clear error state, the report on disk must be complete
// and valid JSON, and the next (restarted) host must publish.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '@pyblish/gui/view-model';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, guiEndpoint, ping, spawnHost, systemGui, tempDir } from '../support/system.js';

const ROUNDS = Number(process.env.SECURITY_FAULT_ROUNDS ?? 20);
const SLOW_MS = 40;
const hostEnv = { SECURITY_SLOW_MS: String(SLOW_MS), SECURITY_SHOTS: '3' };

afterAll(cleanup);

/** A random integer in [min, max]. */
const randomInt = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
const running = new Set(['validating', 'extracting', 'integrating']);

describe('fault injection', () => {
  it(`a host killed (SIGKILL) at a random point of a publish, ${ROUNDS} times: clear error, complete report, a restarted host publishes`, async () => {
    const reportFile = join(tempDir(), 'report.json');
    const gui = await systemGui({ reportFile });
    const killedAt: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const host = await spawnHost({ gui, env: hostEnv });
      await gui.waitFor(
        (s) => s.phase === 'ready' && s.hosts.some((h) => h.current && h.port === host.port),
        15_000,
      );
      expect(gui.snapshot().fault).toBeNull();

      const reply = await gui.controller.command({ type: 'publish' });
      expect(reply).toEqual({ ok: true });
      const planned = (await gui.waitFor((s) => running.has(s.phase) && s.progress.planned > 0, 10_000))
        .progress.planned;
      expect(planned).toBeGreaterThan(2);
      // Kill after a random number of finished pairs, a little into the next one.
      const after = randomInt(0, planned - 1);
      await gui.waitFor((s) => s.progress.done >= after || !running.has(s.phase), 15_000);
      await new Promise((r) => setTimeout(r, randomInt(0, SLOW_MS / 3)));
      const at = gui.snapshot();
      expect(running.has(at.phase), `round ${round}: the publish ended before the kill`).toBe(true);
      killedAt.push(`${at.progress.done}/${planned} ${at.progress.currentPlugin ?? ''}`);
      await host.kill('SIGKILL');

      // A clear error state, within the GUI's own timeouts.
      const state = await gui.waitFor((s) => s.phase === 'finished' && s.fault !== null, 10_000);
      expect(state.fault).toEqual({
        code: 'HOST_LOST',
        message: `The host at port ${host.port} stopped answering. Restart it and it will show again.`,
      });
      expect(state.plugins.some((p) => p.status === 'processing')).toBe(false);
      expect(state.hosts.find((h) => h.port === host.port)?.status).toBe('lost');
      const refused = await gui.controller.command({ type: 'publish' });
      expect(refused).toMatchObject({ ok: false, error: { code: 'HOST_LOST' } });

      // The report on disk: complete, valid JSON, telling what happened.
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
      expect(report.format).toBe('pyblish-report');
      expect(report.kind).toBe('publish');
      expect(report.finalPhase).toBe('finished');
      expect(report.fault?.code).toBe('HOST_LOST');
      expect(report.success).toBe(false);
      expect(report.finishedAt).not.toBeNull();
      expect(report.host?.port).toBe(host.port);
      expect(report.results.length).toBe(report.stats.pairs);
      expect(report.results.filter((r) => r.pluginId === 'CollectShots')).toHaveLength(1);
      expect(report.instances.map((i) => i.name)).toEqual(['shot001', 'shot002', 'shot003']);
      for (const r of report.results) expect(typeof r.success).toBe('boolean');
      expect(await ping(guiEndpoint(gui))).toBeTruthy();
    }

    // The last restart publishes to the end.
    await spawnHost({ gui, env: hostEnv });
    await gui.waitFor((s) => s.phase === 'ready' && s.fault === null, 15_000);
    expect(await gui.controller.command({ type: 'publish' })).toEqual({ ok: true });
    const done = await gui.waitFor((s) => s.phase === 'finished', 15_000);
    expect(done.fault).toBeNull();
    expect(done.message).toBe('Published, with errors..');
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(report.fault).toBeNull();
    expect(report.results.filter((r) => r.pluginId === 'IntegrateShots')).toHaveLength(1);
    expect(killedAt).toHaveLength(ROUNDS);
    console.log(`fault injection: ${ROUNDS} SIGKILLs at ${killedAt.join(', ')}`);
  }, 240_000);
});
