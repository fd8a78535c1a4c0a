// docs/security-cases.md, case 56: Stop against a host that never answers. After the grace period
// the GUI gives the call up, says so in the terminal and the report, marks the host
// unresponsive, and takes commands again: another host can be shown, and the host itself can be
// reset once it answers again.

import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, hostileHost } from '../support/hostile.js';
import { guiEndpoint, ping, spawnHost, systemGui } from '../support/system.js';

afterEach(cleanup);

const GRACE_MS = 1000;

describe('case 56: Stop against a host that never answers', () => {
  it('case 56: a pyblish-qml host stuck in process() (no cancel, ping waits too): given up after the grace period; another host can be shown; Reset once it answers', async () => {
    const gui = await systemGui({ stopGraceMs: GRACE_MS });
    const stuck = await hostileHost(gui, 'hang');
    await gui.waitFor((s) => s.phase === 'ready', 30_000);
    expect(await gui.controller.command({ type: 'publish' })).toEqual({ ok: true });
    await gui.waitFor((s) => s.progress.currentPlugin === 'ExtractHang', 20_000);
    expect(await gui.controller.command({ type: 'stop' })).toEqual({ ok: true });

    const ended = await gui.waitFor((s) => s.phase === 'finished', 20_000);
    expect(ended.fault?.code).toBe('HOST_UNRESPONSIVE');
    expect(ended.fault?.message).toMatch(
      new RegExp(`^The host at port ${stuck.port} did not end its call within 1 s of Stop`),
    );
    expect(ended.hosts.find((h) => h.port === stuck.port)?.status).toBe('unresponsive');
    expect(ended.plugins.some((p) => p.status === 'processing')).toBe(false);
    const last = gui.store.terminalAfter(0).at(-1);
    expect(last?.type === 'message' && last.text).toBe(ended.fault?.message);
    expect(gui.report().fault?.code).toBe('HOST_UNRESPONSIVE');
    expect(gui.logs.some((l) => l.includes('stopped waiting for it'))).toBe(true);
    expect(await gui.controller.command({ type: 'reset' })).toMatchObject({
      ok: false,
      error: { code: 'HOST_UNRESPONSIVE' },
    });

    // Another host shows, and works.
    const other = await spawnHost({ gui });
    await gui.waitFor(
      (s) => s.phase === 'ready' && s.hosts.some((h) => h.current && h.port === other.port),
      20_000,
    );

    // The stuck host finishes its plug-in, answers again, and resets.
    stuck.send('release');
    await gui.waitFor((s) => s.hosts.find((h) => h.port === stuck.port)?.status === 'alive', 20_000);
    expect(await gui.controller.command({ type: 'switchHost', key: String(stuck.port) })).toEqual({
      ok: true,
    });
    const back = await gui.waitFor(
      (s) => s.phase === 'ready' && s.hosts.some((h) => h.current && h.port === stuck.port),
      20_000,
    );
    expect(back.fault).toBeNull();
    expect(await ping(guiEndpoint(gui))).toBeTruthy();
  }, 90_000);

  it('case 56: our host whose plug-in blocks its main thread through cancel: given up, unresponsive while its liveness says busy, then Reset works', async () => {
    const gui = await systemGui({ stopGraceMs: GRACE_MS });
    const host = await spawnHost({ gui, env: { SECURITY_BLOCK_MS: '5000' } });
    await gui.waitFor((s) => s.phase === 'ready', 20_000);
    expect(await gui.controller.command({ type: 'toggle', id: 'BlockCpu', value: true })).toEqual({
      ok: true,
    });
    expect(await gui.controller.command({ type: 'publish' })).toEqual({ ok: true });
    await gui.waitFor((s) => s.progress.currentPlugin === 'BlockCpu', 30_000);
    expect(await gui.controller.command({ type: 'stop' })).toEqual({ ok: true });
    const ended = await gui.waitFor((s) => s.phase === 'finished', 20_000);
    expect(ended.fault?.code).toBe('HOST_UNRESPONSIVE');
    expect(ended.hosts.find((h) => h.port === host.port)?.status).toBe('unresponsive');
    await gui.waitFor((s) => s.hosts.find((h) => h.port === host.port)?.status === 'alive', 20_000);
    expect(await gui.controller.command({ type: 'reset' })).toEqual({ ok: true });
    const back = await gui.waitFor((s) => s.phase === 'ready', 20_000);
    expect(back.fault).toBeNull();
  }, 90_000);
});
