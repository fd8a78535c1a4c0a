// A program that may publish on a farm (the GUI, the CLI) starts without BullMQ and ioredis, a
// fifth of a second to load: openFarm loads them when a redis:// farm is first used.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/** Whether ioredis (which BullMQ loads too) has been loaded into this process. */
const redisLoaded = () =>
  Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/ioredis/'));

describe('a redis:// farm', () => {
  it('loads BullMQ and ioredis at its first use, not when the package is imported or the farm named', async () => {
    const { openFarm, redisOptions } = await import('../src/index.js');
    const farm = openFarm('redis://user:s3cret@127.0.0.1:1');
    expect(farm.name).toBe('redis://user:***@127.0.0.1:1');
    expect(redisOptions('rediss://127.0.0.1:6380/2').name).toBe('rediss://127.0.0.1:6380/2');
    expect(redisLoaded()).toBe(false);
    // Nothing listens on port 1: the first use loads the backend, which says so.
    await expect(farm.reach()).rejects.toMatchObject({ code: 'FARM_UNREACHABLE' });
    expect(redisLoaded()).toBe(true);
    await farm.close();
  });
});
