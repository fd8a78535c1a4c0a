// A farm's redis:// or rediss:// URL read into ioredis options, apart from the backend itself:
// naming a farm or checking a URL (the GUI at start, the CLI) must not load BullMQ and ioredis.
import type { RedisOptions } from 'ioredis';
import { FarmError } from './errors.js';

/** ioredis options for a redis:// or rediss:// URL (user, password, database; TLS for rediss). */
export function redisOptions(url: string): { url: string; options: RedisOptions; name: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FarmError(
      'FARM_URL',
      `"${url}" is not a farm: use "local", or redis://[user:password@]HOST:PORT.`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new FarmError(
      'FARM_URL',
      `"${parsed.protocol}" farms are not known: use "local", redis://HOST:PORT or rediss://HOST:PORT (TLS).`,
    );
  const name = parsed.password ? url.replace(`:${parsed.password}@`, ':***@') : url;
  // BullMQ's workers block on Redis: a command must wait for a reconnect rather than fail.
  return {
    url,
    options: { maxRetriesPerRequest: null, enableAutoPipelining: true, lazyConnect: false },
    name,
  };
}
