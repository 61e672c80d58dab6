import { describe, expect, it } from 'vitest';
import { decodeGsm7, decodeUcs2, describeSmsText, isGsm7, splitSms } from './sms-parts.js';

describe('splitting SMS texts', () => {
  it('keeps up to 160 GSM-7 septets in one part without a UDH', () => {
    const parts = splitSms('a'.repeat(160), 1);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.hasUdh).toBe(false);
    expect(parts[0]!.dataCoding).toBe(0);
    expect(parts[0]!.shortMessage.length).toBe(160);
  });

  it('counts extension characters as two septets and never splits an escape pair', () => {
    expect(isGsm7('€[]{}^~|\\')).toBe(true);
    expect(splitSms('€'.repeat(80), 1)).toHaveLength(1); // 160 septets
    const parts = splitSms('€'.repeat(81), 9); // 162 septets → 153-septet parts
    expect(parts).toHaveLength(2);
    expect(parts[0]!.shortMessage.length).toBe(6 + 152); // 76 escape pairs fit, the 77th does not
    expect(parts.map((p) => decodeGsm7(p.shortMessage.subarray(6))).join('')).toBe('€'.repeat(81));
  });

  it('builds the 8-bit concatenation UDH: 05 00 03 ref total seq', () => {
    const parts = splitSms('x'.repeat(307), 0x1a7); // reference is taken mod 256
    expect(parts).toHaveLength(3);
    expect(parts.map((p) => [...p.shortMessage.subarray(0, 6)])).toEqual([
      [5, 0, 3, 0xa7, 3, 1],
      [5, 0, 3, 0xa7, 3, 2],
      [5, 0, 3, 0xa7, 3, 3],
    ]);
    expect(parts.map((p) => p.text.length)).toEqual([153, 153, 1]);
  });

  it('uses UCS-2 with 70 units in one part and 67 per part, keeping surrogate pairs whole', () => {
    expect(splitSms('ж'.repeat(70), 1)).toHaveLength(1);
    expect(splitSms('ж'.repeat(70), 1)[0]!.dataCoding).toBe(8);
    const withEmoji = `${'ж'.repeat(66)}😀tail`;
    const parts = splitSms(withEmoji, 1);
    expect(parts).toHaveLength(2);
    expect(parts[0]!.text).toBe('ж'.repeat(66)); // the emoji (2 units) would make 68
    expect(parts.map((p) => decodeUcs2(p.shortMessage.subarray(6))).join('')).toBe(withEmoji);
  });

  it('refuses empty texts and texts beyond 10 parts', () => {
    expect(() => splitSms('', 1)).toThrow('empty');
    expect(() => splitSms('a'.repeat(153 * 10 + 1), 1)).toThrow('11 SMS parts');
  });
});

describe('describing a text for the template preview', () => {
  it('counts parts and room left exactly as the text will be split', () => {
    for (const text of [
      'a',
      'a'.repeat(160),
      'a'.repeat(161),
      '€'.repeat(81),
      `${'x'.repeat(152)}€y`,
      'Привет '.repeat(20),
      '1 hour · 500 MB',
    ]) {
      const info = describeSmsText(text);
      expect(info.parts, text).toBe(splitSms(text, 1).length);
    }
    expect(describeSmsText('a'.repeat(150))).toMatchObject({
      encoding: 'gsm7',
      parts: 1,
      charactersLeft: 10,
    });
    expect(describeSmsText('a'.repeat(161))).toMatchObject({ parts: 2, charactersLeft: 153 - 8 });
    expect(describeSmsText('€'.repeat(81))).toMatchObject({ parts: 2, units: 162, charactersLeft: 153 - 10 });
  });

  it('names the characters that force UCS-2 (the demo plan titles once used a middle dot)', () => {
    expect(describeSmsText('1 hour · 500 MB · 2 devices')).toMatchObject({
      encoding: 'ucs2',
      parts: 1,
      charactersLeft: 70 - 27,
      nonGsmCharacters: ['·'],
    });
    expect(describeSmsText('1 hour, 500 MB, 2 devices').encoding).toBe('gsm7');
  });
});
