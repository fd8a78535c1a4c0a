import { describe, expect, it } from 'vitest';
import {
  generateToken,
  presentedToken,
  requestHasToken,
  tokensEqual,
  unauthenticatedFromEnv,
} from '../src/auth.js';

describe('host tokens', () => {
  it('are long, random and differ on every call', () => {
    const a = generateToken();
    expect(a.length).toBeGreaterThanOrEqual(40);
    expect(generateToken()).not.toBe(a);
  });

  it('match only exactly, whatever the length', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual('abc', 'ABC')).toBe(false);
  });

  it('are accepted as a Bearer token or as a Basic password', () => {
    expect(presentedToken({ authorization: 'Bearer tok' })).toBe('tok');
    const basic = Buffer.from('anyone:tok').toString('base64');
    expect(requestHasToken({ authorization: `Basic ${basic}` }, 'tok')).toBe(true);
    expect(requestHasToken({ authorization: 'Bearer nope' }, 'tok')).toBe(false);
    expect(requestHasToken({}, 'tok')).toBe(false);
    expect(requestHasToken({ authorization: 'tok' }, 'tok')).toBe(false);
  });

  it('can be switched off only by an explicit environment variable', () => {
    expect(unauthenticatedFromEnv({})).toBe(false);
    expect(unauthenticatedFromEnv({ PYBLISH_ALLOW_UNAUTHENTICATED: '0' })).toBe(false);
    expect(unauthenticatedFromEnv({ PYBLISH_ALLOW_UNAUTHENTICATED: '1' })).toBe(true);
  });
});
