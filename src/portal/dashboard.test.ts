import { describe, expect, it } from 'vitest';
import type { CustomerVoucher } from '../vouchers/index.js';
import { dataUsage, freshUntil, maskCode, statusOf, terminateCauseText } from './dashboard.js';
import { translator } from './i18n/index.js';

const NOW = Date.UTC(2026, 10, 27, 12);

function voucher(values: Partial<CustomerVoucher> = {}): CustomerVoucher {
  return {
    id: 1,
    code: '202611-p-ABCDEFGH',
    shortCode: 'ABCDEFGH',
    status: 'active',
    usedReason: null,
    planTitle: 'Plan',
    priceMinor: 100,
    currency: 'USD',
    speedDownKbps: null,
    speedUpKbps: null,
    dataLimitBytes: null,
    downloadLimitBytes: null,
    uploadLimitBytes: null,
    timeLimitSeconds: null,
    validitySeconds: null,
    devicesLimit: 1,
    validUntilAtMs: null,
    activatedAtMs: NOW - 1000,
    expiresAtMs: null,
    usedAtMs: null,
    disabledAtMs: null,
    downloadedBytes: 0,
    uploadedBytes: 0,
    onlineSeconds: 0,
    lastSessionAtMs: null,
    createdAtMs: NOW - 5000,
    ...values,
  };
}

describe('maskCode', () => {
  it('shows about a quarter of the random part (2 to 4 characters), never the rest', () => {
    expect(maskCode('202611-p-ABCDEFGH', 'ABCDEFGH')).toBe('•••• GH');
    expect(maskCode('202611-p-ABCDEF', 'ABCDEF')).toBe('•••• EF');
    expect(maskCode('202611-p-ABCDEFGHJKLM', 'ABCDEFGHJKLM')).toBe('•••• KLM');
    expect(maskCode('ABCDEFGHJKLMNPQRSTUV', 'ABCDEFGHJKLMNPQRSTUV')).toBe('•••• STUV');
    // A code whose random part is not its tail: judged by the whole code.
    expect(maskCode('DEMO-NEW-0001', 'XYZ')).toBe('•••• 001');
  });
});

describe('statusOf', () => {
  it('names why a used voucher ended', () => {
    expect(statusOf(voucher({ status: 'used', usedReason: 'data' }), NOW)).toBe('used_data');
    expect(statusOf(voucher({ status: 'used', usedReason: 'time' }), NOW)).toBe('used_time');
    expect(statusOf(voucher({ status: 'used', usedReason: 'expired' }), NOW)).toBe('expired');
    expect(statusOf(voucher({ status: 'disabled' }), NOW)).toBe('disabled');
  });

  it('treats a live voucher past its expiry as expired before accounting notices', () => {
    expect(statusOf(voucher({ expiresAtMs: NOW - 1 }), NOW)).toBe('expired');
    expect(statusOf(voucher({ status: 'new', validUntilAtMs: NOW - 1 }), NOW)).toBe('expired');
    expect(statusOf(voucher({ expiresAtMs: NOW + 1 }), NOW)).toBe('active');
    // Still connected: it shows online until the hotspot drops it.
    expect(statusOf(voucher({ status: 'online', expiresAtMs: NOW - 1 }), NOW)).toBe('online');
  });
});

describe('dataUsage', () => {
  it('uses the total limit when there is one', () => {
    expect(dataUsage(voucher({ dataLimitBytes: 1000, downloadedBytes: 300, uploadedBytes: 100 }))).toEqual({
      usedBytes: 400,
      limitBytes: 1000,
    });
  });

  it('derives a limit from separate download/upload limits: what is left before the first is hit', () => {
    const v = voucher({
      downloadLimitBytes: 1000,
      uploadLimitBytes: 200,
      downloadedBytes: 300,
      uploadedBytes: 150,
    });
    // 700 download left, 50 upload left → 50 left in all.
    expect(dataUsage(v)).toEqual({ usedBytes: 450, limitBytes: 500 });
  });

  it('is unlimited without any limit', () => {
    expect(dataUsage(voucher({ downloadedBytes: 5 })).limitBytes).toBeNull();
  });
});

describe('terminateCauseText', () => {
  const t = translator('en');
  it('puts RADIUS causes in plain words', () => {
    expect(terminateCauseText('Idle-Timeout', t)).toBe('Ended after a while without activity');
    expect(terminateCauseText('NAS-Reboot', t)).toBe('The hotspot was restarted');
    expect(terminateCauseText(null, t)).toBe('Ended');
    expect(terminateCauseText('Weird-Thing', t)).toBe('Ended (Weird-Thing)');
  });
});

describe('freshUntil', () => {
  it('is the next minute, or a live voucher expiry or valid-until before it', () => {
    const nextMinute = NOW + 60_000;
    expect(freshUntil(NOW + 1, [voucher()])).toBe(nextMinute);
    expect(freshUntil(NOW + 1, [voucher({ expiresAtMs: NOW + 20_000 })])).toBe(NOW + 20_000);
    expect(freshUntil(NOW + 1, [voucher({ validUntilAtMs: NOW + 30_000 })])).toBe(NOW + 30_000);
    // Instants already past or after the minute change nothing.
    expect(
      freshUntil(NOW + 1, [voucher({ expiresAtMs: NOW - 5 }), voucher({ expiresAtMs: NOW + 90_000 })]),
    ).toBe(nextMinute);
  });
});
