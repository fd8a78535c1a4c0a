// docs/security-cases.md, case 48: a farm's Redis password is not left where every local user can
// read it. It can come from the environment (PYBLISH_FARM_PASSWORD, readable by its own user only),
// and one given in --farm is masked in the process list as soon as the command starts, with a
// warning that says where to put it instead. Against a real redis-server that requires a password.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../../packages/farm/test/support/redis-server.js';
import { watch } from '../../packages/gui/test/helpers.js';
import { CLI, PLUGINS, until } from '../support/system.js';

const PASSWORD = 'farm-pw-7f3a9c';
let redis: RedisServer;

beforeAll(async () => {
  redis = await RedisServer.start({ fsync: 'everysec', args: ['--requirepass', PASSWORD] });
});
afterAll(async () => {
  await redis?.stop();
});

function pyblish(args: string[], env: NodeJS.ProcessEnv = {}) {
  const proc = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  return watch(proc, 20_000);
}

describe('case 48: the Redis password of a farm', () => {
  it('comes from PYBLISH_FARM_PASSWORD, so the command line carries no password at all', async () => {
    const run = pyblish(['farm', 'status', 'nosuchpublish1', '--farm', redis.url], {
      PYBLISH_FARM_PASSWORD: PASSWORD,
    });
    await run.exited;
    const output = run.output.join('\n');
    // It reached the farm (signed in): the publish is unknown, nothing about authentication.
    expect(output).not.toMatch(/NOAUTH|WRONGPASS|auth/i);
    expect(output).toMatch(/nosuchpublish1/);
    expect(output).not.toContain(PASSWORD);
  });

  it('given in --farm, it is masked in the process list at once, and the user is told where to put it', async () => {
    const url = redis.url.replace('redis://', `redis://:${PASSWORD}@`);
    const run = pyblish(['worker', '--farm', url, '-p', PLUGINS]);
    try {
      await run.line(/PYBLISH_FARM_PASSWORD/);
      await until(() => !readFileSync(`/proc/${run.proc.pid}/cmdline`, 'latin1').includes(PASSWORD), 5000);
      expect(readFileSync(`/proc/${run.proc.pid}/cmdline`, 'latin1')).toMatch(/worker/);
      expect(run.output.join('\n')).not.toContain(PASSWORD);
    } finally {
      await run.kill('SIGTERM');
    }
  });
});
