import { describe, expect, it } from 'vitest';
import { generateToken, unauthenticatedFromEnv } from '../src/auth.js';

describe('host tokens', () => {
  it('are long, random and differ on every call', () => {
    const a = generateToken();
    expect(a.length).toBeGreaterThanOrEqual(40);
    expect(generateToken()).not.toBe(a);
  });

  it('can be switched off only by an explicit environment variable', () => {
    expect(unauthenticatedFromEnv({})).toBe(false);
    expect(unauthenticatedFromEnv({ PYBLISH_ALLOW_UNAUTHENTICATED: '0' })).toBe(false);
    expect(unauthenticatedFromEnv({ PYBLISH_ALLOW_UNAUTHENTICATED: '1' })).toBe(true);
  });
});
