import { describe, expect, it } from 'vitest';
import { countOf } from './plural.js';

describe('countOf', () => {
  it.each([
    [0, '0 devices'],
    [1, '1 device'],
    [2, '2 devices'],
  ])('%i → %s', (count, text) => {
    expect(countOf(count, 'device', 'devices')).toBe(text);
  });
});
