// The page on its own, against a scripted stand-in for the GUI process's web server: what is
// hard to make the real process do on cue (a busy host, a dropped stream, a missed patch).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Browser, ensureBuilt, launchBrowser } from './support/browser.js';
import { type Fixture, instanceRow, largeState, startFixture } from './support/fixture.js';

let fixture: Fixture;
let browser: Browser;
let page: Page;
const eventually = (check: () => Promise<void> | void) =>
  vi.waitFor(check, { timeout: 10_000, interval: 50 });
const message = () => page.locator('footer output').first().textContent();

beforeAll(async () => {
  ensureBuilt();
  const state = largeState(3, 2);
  state.instances.push(instanceRow('extra', 'Extra', 'model'));
  // What the GUI converted to carry it on (an <i8> beyond 2^53, its digits now), flagged.
  state.instances.push(
    instanceRow('odd', 'Odd', 'model', {
      data: { family: 'model', frames: '9223372036854775807' },
      converted: { frames: 'i8' },
    }),
  );
  fixture = await startFixture(state);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(fixture.url);
  await page.getByRole('treeitem', { name: 'Extra', exact: true }).waitFor();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
});

describe('the page', () => {
  it('says plainly when the host is busy, lost, hidden or absent', async () => {
    const host = fixture.state.hosts[0]!;
    // How long it has been busy, ticking; not how long since its last heartbeat (0 s while busy).
    fixture.patch({ state: { hosts: [{ ...host, status: 'busy', silentFor: 0, busyFor: 4000 }] } });
    await eventually(async () =>
      expect(await page.getByRole('alert').textContent()).toContain('Bench host has been busy for 4 s'),
    );
    fixture.patch({ state: { hosts: [{ ...host, status: 'busy', silentFor: 0, busyFor: 65_000 }] } });
    await eventually(async () =>
      expect(await page.getByRole('alert').textContent()).toContain('Bench host has been busy for 1 min 5 s'),
    );
    fixture.patch({ state: { hosts: [{ ...host, status: 'lost', silentFor: 9000 }] } });
    await eventually(async () =>
      expect(await page.getByRole('alert').textContent()).toContain('Lost contact with Bench host'),
    );
    fixture.patch({ state: { hosts: [host], visible: false } });
    await eventually(async () =>
      expect(await page.getByRole('alert').textContent()).toContain('The host hid this window'),
    );
    fixture.patch({ state: { hosts: [], phase: 'noHost' } });
    await eventually(async () =>
      expect(await page.getByRole('alert').textContent()).toContain('No host is connected'),
    );
    fixture.patch({ state: { hosts: [host], phase: 'ready', visible: true } });
    await page.getByRole('alert').waitFor({ state: 'detached' });
  });

  it("marks the data fields the GUI converted in an instance's details", async () => {
    await page.getByRole('treeitem', { name: 'Odd', exact: true }).click();
    await page.keyboard.press('Enter');
    const details = page.getByRole('region', { name: 'Odd' });
    await details.waitFor();
    const field = details.locator('.field', { hasText: 'frames' });
    expect(await field.textContent()).toBe('frames9223372036854775807 (converted)');
    expect(await field.locator('.converted').getAttribute('title')).toBe(
      'The host sent an integer too large for exact arithmetic, shown as its digits.',
    );
    expect(await details.locator('.field', { hasText: 'family' }).locator('.converted').count()).toBe(0);
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });
  });

  it('says when its host has not answered since the GUI gave its call up', async () => {
    const host = fixture.state.hosts[0]!;
    fixture.patch({ state: { hosts: [{ ...host, status: 'unresponsive' }] } });
    await eventually(async () =>
      expect(await page.getByRole('alert').textContent()).toContain(
        'Bench host has not answered since the GUI stopped waiting for its call',
      ),
    );
    fixture.patch({ state: { hosts: [host] } });
    await page.getByRole('alert').waitFor({ state: 'detached' });
  });

  it('catches up after its event stream drops: fresh state and the log lines it missed', async () => {
    fixture.drop();
    fixture.patch({ state: { message: 'Validated' } }, { send: false });
    fixture.terminal([{ type: 'message', level: 'info', text: 'Logged while away' }], { send: false });
    await eventually(async () => expect(await message()).toBe('Validated'));
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByRole('log', { name: 'Terminal' }).getByText('Logged while away').waitFor();
    await page.getByRole('tab', { name: 'Overview' }).click();
  });

  it('shows only the terminal entries the GUI process still keeps, and how many it dropped', async () => {
    fixture.terminal([
      { type: 'message', level: 'info', text: 'An old line' },
      { type: 'message', level: 'info', text: 'A kept line' },
    ]);
    await page.getByRole('tab', { name: 'Terminal' }).click();
    const log = page.getByRole('log', { name: 'Terminal' });
    await log.getByText('An old line').waitFor();
    const dropped = fixture.state.terminalSeq - 1;
    fixture.patch({ state: { terminalDropped: dropped } });
    await page.getByText(`${dropped} earlier entries dropped`).waitFor();
    await log.getByText('An old line').waitFor({ state: 'detached' });
    expect(await log.getByText('A kept line').count()).toBe(1);
    await page.getByRole('tab', { name: 'Overview' }).click();
  });

  it('starts over from a fresh snapshot when a patch went missing', async () => {
    fixture.patch({ instances: [{ id: 'extra', label: 'Renamed' }] }, { send: false });
    fixture.patch({ state: { message: 'After the gap' } });
    await eventually(async () => expect(await message()).toBe('After the gap'));
    await page.getByRole('treeitem', { name: 'Renamed', exact: true }).waitFor();
  });

  it('shows a refused command as a notice', async () => {
    fixture.reply = { ok: false, error: { code: 'BUSY', message: 'Busy: a run is going' } };
    await page.getByRole('button', { name: 'Validate', exact: true }).click();
    await page.locator('.notices').getByText('Busy: a run is going').waitFor();
    expect(fixture.commands.at(-1)).toEqual({ type: 'validate' });
    fixture.reply = { ok: true };
  });
});
