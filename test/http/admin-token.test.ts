import { describe, expect, it } from 'vitest';
import { keyFromTokens } from '../../src/http/admin-token.js';

const front = { name: 'front-desk', token: 'a'.repeat(32) };
const ops = { name: 'ops', token: 'b'.repeat(32) };

describe('keys derived from the admin tokens', () => {
  it('should give every process with the same tokens the same key, in whatever order they are listed', () => {
    expect(keyFromTokens('slotline-cursor', [front, ops])).toEqual(keyFromTokens('slotline-cursor', [ops, front]));
  });

  it('should give each purpose its own key', () => {
    expect(keyFromTokens('slotline-cursor', [front])).not.toEqual(keyFromTokens('slotline-cookie', [front]));
  });

  it('should give another key once a token changes or is removed', () => {
    const key = keyFromTokens('slotline-cursor', [front, ops]);
    expect(keyFromTokens('slotline-cursor', [front, { ...ops, token: 'c'.repeat(32) }])).not.toEqual(key);
    expect(keyFromTokens('slotline-cursor', [front])).not.toEqual(key);
  });
});
