import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chapResponse, verifyChap } from '../radius/protocol/index.js';
import { chapPasswordHex, decodeRouterOsString, encodeRouterOsString, parseChapParameters } from './chap.js';

describe('RouterOS octal-escaped strings', () => {
  it('decodes one byte per \\NNN escape, 1 to 3 digits, and plain characters as Latin-1', () => {
    expect([...decodeRouterOsString('\\000\\377\\12A\\1')!]).toEqual([0, 255, 10, 0x41, 1]);
    expect(decodeRouterOsString('\\\\')).toEqual(Buffer.from('\\'));
    // What a JavaScript string literal '\061x' would be: "1x".
    expect(decodeRouterOsString('\\061x')!.toString('latin1')).toBe('1x');
  });

  it('refuses what is not such a string', () => {
    expect(decodeRouterOsString('\\400')).toBeUndefined(); // > 0xff
    expect(decodeRouterOsString('\\x41')).toBeUndefined();
    expect(decodeRouterOsString('é€')).toBeUndefined();
    expect(parseChapParameters('\\001\\002', '\\003')).toBeUndefined(); // the id is one byte
    expect(parseChapParameters('\\001', '')).toBeUndefined();
  });

  it('round-trips random bytes', () => {
    for (let i = 0; i < 200; i++) {
      const bytes = crypto.randomBytes(1 + (i % 32));
      expect(decodeRouterOsString(encodeRouterOsString(bytes))).toEqual(bytes);
    }
  });
});

describe('HTTP-CHAP response', () => {
  it('is what the RADIUS server verifies as CHAP-Password = id ‖ MD5(id ‖ code ‖ challenge)', () => {
    for (let i = 0; i < 100; i++) {
      const id = crypto.randomBytes(1);
      const challenge = crypto.randomBytes(16);
      const code = `202611-1h-${crypto.randomBytes(6).toString('base64url')}`;
      const parameters = parseChapParameters(encodeRouterOsString(id), encodeRouterOsString(challenge))!;
      const hex = chapPasswordHex(parameters, code);
      const chapPassword = Buffer.concat([id, Buffer.from(hex, 'hex')]);
      expect(chapPassword).toEqual(chapResponse(id[0]!, Buffer.from(code), challenge));
      expect(verifyChap(chapPassword, challenge, Buffer.from(code))).toBe(true);
      expect(verifyChap(chapPassword, crypto.randomBytes(16), Buffer.from(code))).toBe(false);
    }
  });

  it('matches a value computed by hand (MikroTik md5.js over the decoded string)', () => {
    const parameters = parseChapParameters('\\061', '\\141\\142\\143')!;
    expect(chapPasswordHex(parameters, 'pw')).toBe(crypto.createHash('md5').update('1pwabc').digest('hex'));
  });
});
