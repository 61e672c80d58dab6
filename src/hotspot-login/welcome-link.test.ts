import { describe, expect, it } from 'vitest';
import { WelcomeLinks } from './welcome-link.js';

describe('signed "voucher you just used" links', () => {
  const links = new WelcomeLinks('a server secret of enough length 0123456789');
  const claims = { tenantId: 3, voucherId: 42, expiresAtMs: 2_000_000 };

  it('verifies its own token for the same tenant before expiry', () => {
    expect(links.verify(links.sign(claims), 3, 1_999_999)).toEqual(claims);
  });

  it('refuses it after expiry, for another tenant, altered, or signed with another secret', () => {
    const token = links.sign(claims);
    expect(links.verify(token, 3, 2_000_000)).toBeUndefined();
    expect(links.verify(token, 4, 1_000)).toBeUndefined();
    const [payload, mac] = token.split('.') as [string, string];
    const other = Buffer.from('3.43.2000000').toString('base64url');
    expect(links.verify(`${other}.${mac}`, 3, 1_000)).toBeUndefined();
    expect(links.verify(`${payload}.${mac.slice(0, -1)}A`, 3, 1_000)).toBeUndefined();
    expect(new WelcomeLinks('another secret 0123456789012345678901').verify(token, 3, 1_000)).toBeUndefined();
    expect(links.verify('garbage', 3, 1_000)).toBeUndefined();
  });
});
