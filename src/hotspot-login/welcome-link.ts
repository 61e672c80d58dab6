/**
 * The post-login link to "the voucher you just used": `<payload>.<mac>` where the payload is
 * tenant id, voucher id and expiry, and the MAC is HMAC-SHA256 with a key derived from the server
 * secret. It proves the holder logged in with that voucher a moment ago (it was minted only after
 * the code checked out), so it shows that one voucher, read-only, with no phone typed. It is not
 * a portal session of either level: it opens nothing else and changes nothing.
 */
import crypto from 'node:crypto';

/** How long the link works: the guest opens it right after login (the sheet may close soon). */
export const WELCOME_LINK_TTL_MS = 30 * 60 * 1000;

export interface WelcomeClaims {
  tenantId: number;
  voucherId: number;
  expiresAtMs: number;
}

export class WelcomeLinks {
  private readonly key: Buffer;

  constructor(serverSecret: string) {
    // A key of its own (domain separation), so a token here is nothing anywhere else.
    this.key = crypto.createHmac('sha256', serverSecret).update('portico/hotspot-welcome-link/v1').digest();
  }

  sign(claims: WelcomeClaims): string {
    const payload = Buffer.from(
      `${claims.tenantId}.${claims.voucherId}.${claims.expiresAtMs}`,
      'utf8',
    ).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The claims of a valid, unexpired token for this tenant, else undefined. */
  verify(token: string, tenantId: number, nowMs: number): WelcomeClaims | undefined {
    const match = /^([A-Za-z0-9_-]{1,80})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return undefined;
    const [, payload, mac] = match as unknown as [string, string, string];
    const expected = Buffer.from(this.mac(payload));
    if (!crypto.timingSafeEqual(expected, Buffer.from(mac))) return undefined;
    const parts = Buffer.from(payload, 'base64url').toString('utf8').split('.');
    if (parts.length !== 3 || !parts.every((p) => /^\d{1,16}$/.test(p))) return undefined;
    const [tenant, voucher, expires] = parts.map(Number) as [number, number, number];
    if (tenant !== tenantId || expires <= nowMs) return undefined;
    return { tenantId: tenant, voucherId: voucher, expiresAtMs: expires };
  }

  private mac(payload: string): string {
    return crypto.createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
