// Takes the README's pictures of the GUI: the overview after a failed validation and the
// report, from the real GUI process and a demo host. Run: npm run screenshots -w @pyblish/web
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, launchBrowser, WEB } from './browser.js';
import { startDemoHost, startTestGui } from './gui.js';

const OUT = join(WEB, '..', '..', 'docs', 'screenshots');

ensureBuilt();
mkdirSync(OUT, { recursive: true });
const t = await startTestGui();
const host = await startDemoHost(t, 'Maya (demo)');
const browser = await launchBrowser({ width: 1000, height: 640 });
try {
  const page = await browser.context.newPage();
  await page.goto(t.gui.url);
  await page.getByRole('treeitem', { name: 'Richard05', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Validate', exact: true }).click();
  await page.locator('footer output', { hasText: 'Validated, with errors..' }).waitFor();
  // Let the last patches land and the focus ring go.
  await page.mouse.click(990, 5);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(OUT, 'overview.png') });
  await page.getByRole('tab', { name: /Report/ }).click();
  await page.getByRole('article', { name: 'Validate naming' }).waitFor();
  await page.mouse.click(990, 5);
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(OUT, 'report.png') });
  console.log(`Wrote ${join(OUT, 'overview.png')} and ${join(OUT, 'report.png')}`);
} finally {
  await browser.close();
  await host.kill();
  await t.close();
}
