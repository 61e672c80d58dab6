import { describe, expect, it } from 'vitest';
import { cleanName } from './names.js';

describe('cleanName', () => {
  it('drops bidi embedding, override and isolate controls', () => {
    expect(cleanName('Mallory\u202Eevil')).toBe('Malloryevil');
    for (const code of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      expect(cleanName(`a${String.fromCodePoint(code)}b`)).toBe('ab');
    }
  });

  it('drops control characters and trims, keeping letters of every script', () => {
    expect(cleanName('  Ana\nMaría\u0000 ')).toBe('AnaMaría');
    expect(cleanName('مقهى 東京')).toBe('مقهى 東京');
    expect(cleanName(undefined)).toBe('');
  });
});
