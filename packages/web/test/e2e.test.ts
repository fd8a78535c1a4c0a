// The artist's path through the GUI, end to end: the real GUI process, real TypeScript hosts
// serving the demo plug-ins, and the built page in headless Chromium, found by role and name.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Browser, ensureBuilt, launchBrowser, screenshotFailures } from './support/browser.js';
import { type DemoHost, startDemoHost, startTestGui, type TestGui } from './support/gui.js';

let t: TestGui;
let host: DemoHost;
let browser: Browser;
let page: Page;

const WAIT = { timeout: 20_000, interval: 50 };
const eventually = (check: () => Promise<void> | void) => vi.waitFor(check, WAIT);

const tree = (name: 'Instances' | 'Plug-ins') => page.getByRole('tree', { name });
const item = (list: 'Instances' | 'Plug-ins', name: string) =>
  tree(list).getByRole('treeitem', { name, exact: true });
const button = (name: string) => page.getByRole('button', { name, exact: true });
const message = () => page.locator('footer output').first().textContent();
const renders = () => page.evaluate('window.__pyblishRenders()') as Promise<Record<string, number>>;
const idOf = (name: string) => {
  const row = t.gui.snapshot().instances.find((i) => i.name === name);
  if (!row) throw new Error(`no instance ${name}`);
  return row.id;
};

/** After a failed validation: repairs the two repairable validators from the report, and leaves
 * Piraya12 (which has no repair) out, so the next publish can pass validation. */
async function repairFromReport(): Promise<void> {
  await page.getByRole('tab', { name: /Report/ }).click();
  for (const name of ['Validate naming', 'Validate scene saved']) {
    await page.getByRole('article', { name }).getByRole('button', { name: 'Repair' }).click();
    await page.getByRole('article', { name }).waitFor({ state: 'detached' });
  }
  await page.getByRole('tab', { name: 'Overview' }).click();
  // Toggles are kept across Reset: after an earlier round, Piraya12 is off already.
  if ((await item('Instances', 'Piraya12').getAttribute('aria-checked')) === 'true')
    await item('Instances', 'Piraya12').locator('.check').click();
  await eventually(async () =>
    expect(await item('Instances', 'Piraya12').getAttribute('aria-checked')).toBe('false'),
  );
}

beforeAll(async () => {
  ensureBuilt();
  t = await startTestGui();
  host = await startDemoHost(t, 'Maya (demo)');
  browser = await launchBrowser();
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  // `renders` turns on the page's render counters (see src/instrument.ts).
  await page.goto(t.gui.url.replace('/#', '/?renders#'));
}, 60_000);

screenshotFailures(() => page);

afterAll(async () => {
  await browser?.close();
  await host?.kill();
  await t?.close();
});

describe('the artist', () => {
  it('sees the context, the instances by family and the plug-ins by step', async () => {
    await item('Instances', 'Richard05').waitFor();
    expect(page.url()).not.toContain('secret=');
    for (const section of ['model', 'rig', 'camera', 'Shading']) await item('Instances', section).waitFor();
    for (const section of ['Collect', 'Validate', 'Extract', 'Integrate'])
      await item('Plug-ins', section).waitFor();
    await item('Plug-ins', 'Validate naming').waitFor();
    expect(await item('Instances', 'Peter01').getAttribute('aria-checked')).toBe('false');
    expect(await button('Validate').isEnabled()).toBe(true);
    expect(await button('Publish').isEnabled()).toBe(true);
    expect(await button('Stop').isEnabled()).toBe(false);
    expect(await page.getByRole('banner').textContent()).toContain('Maya (demo)');
  });

  it('untoggles an instance and the plug-ins only it needed disappear', async () => {
    await item('Plug-ins', 'Validate look assignments').waitFor();
    await item('Instances', 'HeroLook').locator('.check').click();
    await eventually(async () =>
      expect(await item('Instances', 'HeroLook').getAttribute('aria-checked')).toBe('false'),
    );
    await item('Plug-ins', 'Validate look assignments').waitFor({ state: 'detached' });
  });

  it('toggles a whole section from its header', async () => {
    const camera = item('Instances', 'camera');
    await camera.locator('.check').click();
    await eventually(async () => expect(await camera.getAttribute('aria-checked')).toBe('false'));
    expect(await item('Instances', 'MainCamera').getAttribute('aria-checked')).toBe('false');
    await item('Plug-ins', 'Validate camera settings').waitFor({ state: 'detached' });
    await camera.locator('.check').click();
    await eventually(async () => expect(await camera.getAttribute('aria-checked')).toBe('true'));
    await item('Plug-ins', 'Validate camera settings').waitFor();
  });

  it('re-renders only the row that a change from the GUI process touches', async () => {
    const before = await renders();
    const reply = await t.gui.controller.command({ type: 'toggle', id: idOf('HeroLook'), value: true });
    expect(reply.ok).toBe(true);
    await eventually(async () =>
      expect(await item('Instances', 'HeroLook').getAttribute('aria-checked')).toBe('true'),
    );
    await item('Plug-ins', 'Validate look assignments').waitFor();
    const after = await renders();
    expect(after[`row:${idOf('HeroLook')}`]).toBeGreaterThan(before[`row:${idOf('HeroLook')}`] ?? 0);
    expect(after[`row:${idOf('Richard05')}`]).toBe(before[`row:${idOf('Richard05')}`]);
    expect(after['list:instances']).toBe(before['list:instances']);
  });

  it('works the lists from the keyboard: arrows, Space, Enter and Escape', async () => {
    await item('Instances', 'HeroLook').click();
    await page.keyboard.press('Space');
    await item('Plug-ins', 'Validate look assignments').waitFor({ state: 'detached' });
    await page.keyboard.press('Space');
    await item('Plug-ins', 'Validate look assignments').waitFor();
    await item('Instances', 'Richard05').click();
    await page.keyboard.press('ArrowDown');
    await eventually(async () =>
      expect(await page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe(
        'tree01 (bad name)',
      ),
    );
    await page.keyboard.press('Enter');
    const details = page.getByRole('region', { name: 'tree01 (bad name)' });
    await details.waitFor();
    expect(await details.textContent()).toContain('model');
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });
    await item('Instances', 'tree01 (bad name)').waitFor();
  });

  it('comments on the publish and switches the theme', async () => {
    await button('Comment').click();
    await page.getByRole('textbox', { name: 'Comment text' }).fill('Fixed the arm rig');
    await eventually(() => expect(t.gui.snapshot().comment).toBe('Fixed the arm rig'));
    await button('Comment').click();
    await page.getByRole('textbox', { name: 'Comment text' }).waitFor({ state: 'detached' });

    const theme = button('Dark theme');
    const before = await page.evaluate('document.documentElement.dataset.theme');
    await theme.click();
    expect(await page.evaluate('document.documentElement.dataset.theme')).not.toBe(before);
    expect(await theme.getAttribute('aria-pressed')).toBe(before === 'dark' ? 'false' : 'true');
    await theme.click();
  });

  it('searches instances and plug-ins', async () => {
    const search = page.getByRole('searchbox', { name: 'Search instances and plug-ins' });
    await search.fill('camera');
    await item('Instances', 'MainCamera').waitFor();
    await item('Instances', 'Richard05').waitFor({ state: 'detached' });
    await item('Plug-ins', 'Validate camera settings').waitFor();
    await item('Plug-ins', 'Validate naming').waitFor({ state: 'detached' });
    await search.fill('');
    await item('Instances', 'Richard05').waitFor();
  });

  it('validates and reads the failing validators, their instances and fixes in the report', async () => {
    await button('Validate').click();
    await eventually(async () => expect(await message()).toBe('Validated, with errors..'));
    expect(await item('Plug-ins', 'Validate naming').getAttribute('aria-description')).toBe('Failed');
    expect(await item('Instances', 'tree01 (bad name)').getAttribute('aria-description')).toBe('Failed');
    expect(await item('Plug-ins', 'Validate camera settings').getAttribute('aria-description')).toBe(
      'Warning',
    );

    await page.getByRole('tab', { name: /Report/ }).click();
    const naming = page.getByRole('article', { name: 'Validate naming' });
    expect(await naming.textContent()).toContain('must start with a capital letter');
    await naming.getByRole('button', { name: 'tree01 (bad name)' }).waitFor();
    await naming.getByRole('button', { name: 'Repair' }).waitFor();
    const rig = page.getByRole('article', { name: 'Validate rig controls' });
    await rig.getByRole('button', { name: 'Piraya12' }).waitFor();
    await rig.getByRole('button', { name: 'Select failed instances' }).waitFor();
    expect(await rig.getByRole('button', { name: 'Celebrate' }).count()).toBe(0);
    await page.getByRole('article', { name: 'Validate scene saved' }).waitFor();

    await button('Copy errors').click();
    await eventually(async () =>
      expect(await page.evaluate('navigator.clipboard.readText()')).toContain(
        'Validate naming: "tree01" must start',
      ),
    );
  });

  it('runs an action from the plug-in menu and sees its result', async () => {
    await page.getByRole('tab', { name: 'Overview' }).click();
    await item('Plug-ins', 'Validate rig controls').click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Actions of Validate rig controls' });
    await menu.getByRole('menuitem', { name: 'Select failed instances' }).waitFor();
    expect(await menu.getByRole('menuitem', { name: 'Explain (not run yet)' }).count()).toBe(0);
    await menu.getByRole('menuitem', { name: 'Select failed instances' }).click();
    await eventually(async () =>
      expect(await item('Plug-ins', 'Validate rig controls').locator('.action-succeeded').count()).toBe(1),
    );
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByRole('log', { name: 'Terminal' }).getByText('Failed: Piraya12').waitFor();
  });

  it('repairs from the report, then publishes to the end', async () => {
    await repairFromReport();
    // Watch the terminal while publishing: the slow extractor's records must arrive while it
    // runs (Frame 1 without Frame 5), with Stop enabled and Publish disabled at that moment.
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByRole('searchbox', { name: 'Filter terminal' }).fill('Frame ');
    await page.evaluate(`(() => {
      window.__seen = [];
      const log = document.querySelector('[role="log"]');
      new MutationObserver(() => {
        const frames = [...log.querySelectorAll('.entry-text')].map((e) => e.textContent);
        const stop = document.querySelector('button[aria-label="Stop"]').disabled;
        const publish = document.querySelector('button[aria-label="Publish"]').disabled;
        window.__seen.push({ frames, stop, publish });
      }).observe(log, { childList: true, subtree: true, characterData: true });
    })()`);
    await page.keyboard.press('Control+Enter');
    await eventually(async () => expect(await message()).toBe('Published'));
    const seen = (await page.evaluate('window.__seen')) as Array<{
      frames: string[];
      stop: boolean;
      publish: boolean;
    }>;
    const midway = seen.filter((s) => s.frames.includes('Frame 1/5') && !s.frames.includes('Frame 5/5'));
    expect(midway.length).toBeGreaterThan(0);
    expect(midway.every((s) => !s.stop && s.publish)).toBe(true);
    await page.getByRole('searchbox', { name: 'Filter terminal' }).fill('');
    await page.getByRole('tab', { name: 'Overview' }).click();
    const progress = page.getByRole('progressbar', { name: 'Progress' });
    expect(await progress.getAttribute('aria-valuenow')).toBe(await progress.getAttribute('aria-valuemax'));
    expect(await item('Plug-ins', 'Integrate assets').getAttribute('aria-description')).toBe('Succeeded');
  });

  it('exports the report of the run as JSON', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), button('Export report').click()]);
    const report = JSON.parse(readFileSync((await download.path()) as string, 'utf8'));
    expect(report).toMatchObject({
      format: 'pyblish-report',
      kind: 'publish',
      success: true,
      message: 'Published',
    });
    expect(report.results.length).toBeGreaterThan(5);
  });

  it('filters the terminal by text and level together, and expands records', async () => {
    await page.getByRole('tab', { name: 'Terminal' }).click();
    const log = page.getByRole('log', { name: 'Terminal' });
    const filter = page.getByRole('searchbox', { name: 'Filter terminal' });
    await log.getByText(/Published Richard05 as v\d+/).waitFor();
    expect(await button('DEBUG').getAttribute('aria-pressed')).toBe('false');
    expect(await log.getByText('Checking Richard05').count()).toBe(0);

    await filter.fill('Richard05');
    await log.getByText(/Published Richard05 as v\d+/).waitFor();
    await log.getByText('Review for MainCamera').waitFor({ state: 'detached' });
    await button('INFO').click();
    await log.getByText(/Published Richard05 as v\d+/).waitFor({ state: 'detached' });
    await button('DEBUG').click();
    await log.getByText('Checking Richard05').first().waitFor();
    await button('INFO').click();

    // A multi-line record shows its first line until expanded.
    await filter.fill('Checked:');
    const checked = log.getByRole('button', { name: /^Checked:/ }).first();
    await checked.click();
    expect(await checked.getAttribute('aria-expanded')).toBe('true');
    expect(await checked.textContent()).toContain('- cameras');
  });

  it('stops a publish midway: the slow extractor is cancelled and nothing after it runs', async () => {
    // Collected afresh, the scene fails validation again.
    await button('Reset').click();
    await eventually(async () => expect(await message()).toBe('Ready'));
    await button('Validate').click();
    await eventually(async () => expect(await message()).toBe('Validated, with errors..'));
    await repairFromReport();
    await page.getByRole('tab', { name: 'Terminal' }).click();
    const log = page.getByRole('log', { name: 'Terminal' });
    await page.getByRole('searchbox', { name: 'Filter terminal' }).fill('Frame ');
    // The earlier publish left its frames in the terminal: this run's are the ones after them.
    const [firsts, lasts] = [
      await log.getByText('Frame 1/5').count(),
      await log.getByText('Frame 5/5').count(),
    ];

    await button('Publish').click();
    await eventually(async () => expect(await log.getByText('Frame 1/5').count()).toBe(firsts + 1));
    await button('Stop').click();
    await eventually(async () => expect(await message()).toBe('Stopped'));
    expect(await log.getByText('Frame 5/5').count()).toBe(lasts);
    expect(await button('Publish').isDisabled()).toBe(false);

    await page.getByRole('searchbox', { name: 'Filter terminal' }).fill('');
    await page.getByRole('tab', { name: 'Overview' }).click();
    const status = (name: string) => item('Plug-ins', name).getAttribute('aria-description');
    expect(await status('Extract model')).toBe('Succeeded');
    expect(await status('Extract playblast (slow)')).not.toBe('Succeeded');
    expect(await status('Integrate assets')).toBe('Skipped');
  });

  it('switches between two hosts, and says so when the shown host is lost', async () => {
    const second = await startDemoHost(t, 'Houdini (demo)');
    try {
      const picker = page.getByRole('combobox', { name: 'Host' });
      await eventually(async () => expect(await picker.locator('option').count()).toBe(2));
      expect(await picker.inputValue()).toBe(String(second.port));
      expect(await picker.locator('option:checked').textContent()).toContain('Houdini (demo)');
      await page.getByRole('tab', { name: 'Overview' }).click();
      await eventually(async () =>
        expect(await item('Instances', 'Piraya12').getAttribute('aria-checked')).toBe('true'),
      );

      await picker.selectOption(String(host.port));
      await eventually(async () => expect(await picker.inputValue()).toBe(String(host.port)));
      await eventually(async () => expect(await message()).toBe('Ready'));
      await picker.selectOption(String(second.port));
      await eventually(async () => expect(await picker.inputValue()).toBe(String(second.port)));
      await eventually(async () => expect(await message()).toBe('Ready'));
    } finally {
      await second.kill();
    }
    await eventually(async () =>
      expect(await page.getByRole('alert').textContent()).toMatch(/stopped answering|Lost contact/),
    );
  });
});
