import { toPlanTerms, type PlanTerms } from '../plans/index.js';
import type { Voucher } from '../store/index.js';

export const VOUCHER_STATUSES = ['new', 'active', 'online', 'used', 'disabled'] as const;
export type VoucherStatus = (typeof VOUCHER_STATUSES)[number];

/** A voucher's lifecycle instants (epoch ms), the same for every view of it. */
export interface VoucherLifecycle {
  validUntilAtMs: number | null;
  activatedAtMs: number | null;
  expiresAtMs: number | null;
  usedAtMs: number | null;
  disabledAtMs: number | null;
  lastSessionAtMs: number | null;
  createdAtMs: number;
}

export function toVoucherLifecycle(
  row: Pick<
    Voucher,
    | 'valid_until_at'
    | 'activated_at'
    | 'expires_at'
    | 'used_at'
    | 'disabled_at'
    | 'last_session_at'
    | 'created_at'
  >,
): VoucherLifecycle {
  return {
    validUntilAtMs: row.valid_until_at,
    activatedAtMs: row.activated_at,
    expiresAtMs: row.expires_at,
    usedAtMs: row.used_at,
    disabledAtMs: row.disabled_at,
    lastSessionAtMs: row.last_session_at,
    createdAtMs: row.created_at,
  };
}

/** A voucher as the admin area and the API see it; limits are null when unlimited. */
export interface VoucherView extends PlanTerms, VoucherLifecycle {
  id: number;
  code: string;
  shortCode: string;
  status: VoucherStatus;
  /** Why it is used: data, time or expired. */
  usedReason: string | null;
  planId: number;
  planTitle: string;
  seriesId: number | null;
  customerId: number | null;
  /** Cumulative over every session and device of the voucher. */
  usage: { downloadedBytes: number; uploadedBytes: number; onlineSeconds: number };
}

export function toVoucherView(row: Voucher): VoucherView {
  return {
    id: row.id,
    code: row.code,
    shortCode: row.short_code,
    status: (VOUCHER_STATUSES as readonly string[]).includes(row.status)
      ? (row.status as VoucherStatus)
      : 'new',
    usedReason: row.used_reason,
    planId: row.plan_id,
    planTitle: row.plan_title,
    seriesId: row.series_id,
    customerId: row.customer_id,
    ...toPlanTerms(row),
    ...toVoucherLifecycle(row),
    usage: {
      downloadedBytes: row.downloaded_bytes,
      uploadedBytes: row.uploaded_bytes,
      onlineSeconds: row.online_seconds,
    },
  };
}

export const SERIES_STATUSES = ['generating', 'ready', 'failed'] as const;
export type SeriesStatus = (typeof SERIES_STATUSES)[number];
export type ExpiryMode = 'after_activation' | 'valid_until';

export interface VoucherSeriesView {
  id: number;
  code: string;
  planId: number;
  customerId: number | null;
  quantity: number;
  /** Progress while a large series is generated. */
  createdCount: number;
  status: SeriesStatus;
  expiryMode: ExpiryMode;
  validUntilAtMs: number | null;
  createdByAdminId: number | null;
  createdAtMs: number;
}
