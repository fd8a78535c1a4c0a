// docs/farm.md shows the job schema the workers check, and points at the example plug-in set
// the farm tests run.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { jobSchema } from '../src/index.js';
import { examplePlugins, root } from './support/farm.js';

const doc = readFileSync(join(root, 'docs/farm.md'), 'utf8');

it('docs/farm.md publishes the schema the workers check', () => {
  const block = /<!-- job-schema[^>]*-->\n```json\n([\s\S]*?)```/.exec(doc);
  expect(block).not.toBeNull();
  expect(JSON.parse(block![1]!)).toEqual(jobSchema);
});

it('docs/farm.md points at every file of the example plug-in set the tests run, and only at those', () => {
  const files = readdirSync(examplePlugins).filter((f) => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(3);
  const linked = [...doc.matchAll(/\]\(farm-example\/([\w.-]+\.ts)\)/g)].map((m) => m[1]);
  expect(linked.sort()).toEqual(files.sort());
});
