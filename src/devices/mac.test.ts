import { describe, expect, it } from 'vitest';
import { isRandomizedMac, parseDeviceMac, parseMac, requireMac } from './mac.js';

describe('parseMac', () => {
  it.each([
    ['aa:bb:cc:dd:ee:0f', 'AA:BB:CC:DD:EE:0F'],
    ['AA-BB-CC-DD-EE-0F', 'AA:BB:CC:DD:EE:0F'],
    ['aabb.ccdd.ee0f', 'AA:BB:CC:DD:EE:0F'],
    ['aabbccddee0f', 'AA:BB:CC:DD:EE:0F'],
    ['aabb-ccdd-ee0f', 'AA:BB:CC:DD:EE:0F'],
    ['  AA:BB:CC:DD:EE:0F ', 'AA:BB:CC:DD:EE:0F'],
  ])('reads %s', (text, expected) => {
    expect(parseMac(text)).toBe(expected);
  });

  it.each(['', 'aa:bb:cc:dd:ee', 'aa:bb:cc:dd:ee:fg', 'aa:bb:cc:dd:ee:ff:00', 'aabbccddeeff00', '<script>'])(
    'rejects %j',
    (text) => {
      expect(parseMac(text)).toBeUndefined();
    },
  );
});

describe('parseDeviceMac', () => {
  it('refuses zero, broadcast and multicast addresses with a clear code', () => {
    for (const mac of ['00:00:00:00:00:00', 'FF:FF:FF:FF:FF:FF', '01:00:5E:00:00:01']) {
      expect(() => parseDeviceMac(mac)).toThrow(expect.objectContaining({ code: 'MAC_INVALID' }));
    }
  });

  it('accepts a unicast address', () => {
    expect(parseDeviceMac('f0-99-b6-12-34-56')).toBe('F0:99:B6:12:34:56');
  });
});

describe('isRandomizedMac', () => {
  it('is true when the locally administered bit is set', () => {
    expect(isRandomizedMac('3A:1F:C2:77:08:9E')).toBe(true);
    expect(isRandomizedMac('F0:99:B6:12:34:56')).toBe(false);
  });
});

describe('requireMac', () => {
  it('normalises any common format, multicast included (a search, not a binding)', () => {
    expect(requireMac('f099.b612.3456')).toBe('F0:99:B6:12:34:56');
    expect(requireMac('01-00-5e-00-00-01')).toBe('01:00:5E:00:00:01');
  });

  it('refuses text that is not a MAC with MAC_INVALID and the format to use', () => {
    expect(() => requireMac('f0:99:b6')).toThrow(
      expect.objectContaining({ code: 'MAC_INVALID', message: expect.stringContaining('AA:BB:CC:DD:EE:FF') }),
    );
  });
});
