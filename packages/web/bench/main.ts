// Browser benchmark of the overview with 10,000 instances and 100 plug-ins, in headless
// Chromium: time to first render and frame times while scrolling, for our virtualised tree
// and, as the peer measured in the same run, the same rows rendered without virtualisation
// (plain DOM with the page's own CSS). Also counts React renders caused by one-row patches.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { recordFigures } from '../../../scripts/bench-figures.js';
import { ensureBuilt, launchBrowser } from '../test/support/browser.js';
import { DIST, largeState, startFixture } from '../test/support/fixture.js';

const INSTANCES = 10_000;
const PLUGINS = 100;
const SCROLL_FRAMES = 180;
const RUNS = 3;

ensureBuilt();
const css = readdirSync(join(DIST, 'assets')).find((f) => f.endsWith('.css'));

// The same rows as the page draws, all of them, with no virtualisation.
const plainPage = `<!doctype html><html data-theme="dark"><head><meta charset="utf-8">
<link rel="stylesheet" href="/assets/${css}"><style>.row{position:relative}</style></head>
<body><div class="app"><div class="main"><div class="overview"><div class="columns">
<section class="list"><div class="list-scroll" role="tree" aria-label="Instances"><div class="list-inner" id="rows"></div></div></section>
</div></div></div></div>
<script>
const families = ['model', 'rig', 'look', 'camera', 'animation'];
const t0 = performance.now();
const parts = [];
for (let i = 0; i < ${INSTANCES}; i++) {
  const f = families[i % families.length];
  const label = f + '_asset_' + String(i).padStart(5, '0');
  parts.push('<div role="treeitem" aria-label="' + label + '" class="row status-idle nested" tabindex="-1">' +
    '<span class="check on" aria-hidden="true"><svg class="icon" viewBox="0 0 16 16"><path d="M3 8.5l3.2 3L13 4.5"/></svg></span>' +
    '<span class="label">' + label + '</span><span class="family">' + f + '</span>' +
    '<button class="icon-button open-details" tabindex="-1"><svg class="icon" viewBox="0 0 16 16"><path d="M6 3.5l4.5 4.5L6 12.5"/></svg></button></div>');
}
document.getElementById('rows').innerHTML = parts.join('');
</script></body></html>`;

// In-page code is passed as source text: tsx would wrap functions in helpers the page lacks.

/** Milliseconds since navigation when the first instance row is on screen (after a frame). */
async function firstRender(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  return page.evaluate(`new Promise((resolve) => {
    const check = () => {
      if (document.querySelector('[role="treeitem"][aria-label="model_asset_00000"]')) {
        requestAnimationFrame(() => resolve(performance.now()));
      } else requestAnimationFrame(check);
    };
    check();
  })`) as Promise<number>;
}

/** Scrolls the instance tree by 240 px a frame and returns the frame intervals. */
async function scrollFrames(page: Page): Promise<number[]> {
  return page.evaluate(`new Promise((resolve) => {
    const el = document.querySelector('[role="tree"][aria-label="Instances"]');
    const times = [];
    let last = performance.now();
    const step = () => {
      const now = performance.now();
      times.push(now - last);
      last = now;
      if (times.length > ${SCROLL_FRAMES}) return resolve(times.slice(1));
      el.scrollTop += 240;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  })`) as Promise<number[]>;
}

const renders = (page: Page) => page.evaluate('window.__pyblishRenders()') as Promise<Record<string, number>>;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const fixture = await startFixture(largeState(INSTANCES, PLUGINS), { '/plain.html': plainPage });
const browser = await launchBrowser({ width: 1000, height: 800 });
try {
  const page = await browser.context.newPage();
  const results: Record<string, { first: number[]; frames: number[] }> = {
    virtualised: { first: [], frames: [] },
    'plain DOM': { first: [], frames: [] },
  };
  for (let run = 0; run < RUNS; run++) {
    for (const [name, url] of [
      ['virtualised', fixture.url],
      ['plain DOM', `${fixture.url}plain.html`],
    ] as const) {
      const r = results[name]!;
      r.first.push(await firstRender(page, url));
      r.frames.push(...(await scrollFrames(page)));
    }
  }

  // One-row patches: how many components render for each (lists must not).
  await page.goto(`${fixture.url}?renders`);
  await page.getByRole('treeitem', { name: 'model_asset_00000', exact: true }).waitFor();
  const before = await renders(page);
  const PATCHES = 50;
  for (let i = 0; i < PATCHES; i++) {
    fixture.patch({
      instances: [
        { id: `i${(i % 5) * 5}`, status: i % 2 ? 'failed' : 'succeeded', processed: true, duration: i },
      ],
    });
  }
  await page.waitForFunction(
    `document.querySelector('[aria-label="model_asset_00020"] .duration')?.textContent === '${PATCHES - 1} ms'`,
  );
  const after = await renders(page);
  const delta = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
  const rowRenders = Object.keys(after)
    .filter((k) => k.startsWith('row:'))
    .reduce((n, k) => n + delta(k), 0);

  const v = results.virtualised!;
  const p = results['plain DOM']!;
  const fmt = (n: number) => n.toFixed(1).padStart(9);
  console.log(
    `Overview with ${INSTANCES} instances and ${PLUGINS} plug-ins (headless Chromium, ${RUNS} runs)`,
  );
  console.log('                                virtualised  plain DOM    plain/virtualised');
  console.log(
    `first render, median (ms)     ${fmt(median(v.first))}  ${fmt(median(p.first))}    ${(median(p.first) / median(v.first)).toFixed(1)}x`,
  );
  console.log(
    `scroll frame, mean (ms)       ${fmt(mean(v.frames))}  ${fmt(mean(p.frames))}    ${(mean(p.frames) / mean(v.frames)).toFixed(2)}x`,
  );
  console.log(
    `scroll frame, p95 (ms)        ${fmt(p95(v.frames))}  ${fmt(p95(p.frames))}    ${(p95(p.frames) / p95(v.frames)).toFixed(2)}x`,
  );
  console.log(
    `rows in the DOM               ${String(await countRows(page)).padStart(9)}  ${String(INSTANCES).padStart(9)}`,
  );
  console.log(
    `${PATCHES} one-row patches: row renders ${rowRenders}, instance list renders ${delta('list:instances')}, plug-in list renders ${delta('list:plugins')}`,
  );
  recordFigures('web', { 'web.firstRender.10000': median(v.first) });
} finally {
  await browser.close();
  await fixture.close();
}

async function countRows(page: Page): Promise<number> {
  return page.locator('[role="tree"][aria-label="Instances"] [role="treeitem"]').count();
}
