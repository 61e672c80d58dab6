import type { Plan } from '../store/index.js';

/** A plan as the admin area and the API see it. Limits are null when unlimited. */
export interface PlanView {
  id: number;
  title: string;
  isActive: boolean;
  voucherPrefix: string;
  priceMinor: number;
  currency: string;
  speedDownKbps: number | null;
  speedUpKbps: number | null;
  /** Total data (download + upload); null = unlimited unless the split limits are set. */
  dataLimitBytes: number | null;
  downloadLimitBytes: number | null;
  uploadLimitBytes: number | null;
  /** Cumulative online time over all sessions. */
  timeLimitSeconds: number | null;
  /** Counted from activation. */
  validitySeconds: number | null;
  devicesLimit: number;
  createdAtMs: number;
  updatedAtMs: number;
}

export type PlanInput = Omit<PlanView, 'id' | 'createdAtMs' | 'updatedAtMs'>;

export function toPlanView(row: Plan): PlanView {
  return {
    id: row.id,
    title: row.title,
    isActive: row.is_active === 1,
    voucherPrefix: row.voucher_prefix,
    priceMinor: row.price_minor,
    currency: row.currency,
    speedDownKbps: row.speed_down_kbps,
    speedUpKbps: row.speed_up_kbps,
    dataLimitBytes: row.data_limit_bytes,
    downloadLimitBytes: row.download_limit_bytes,
    uploadLimitBytes: row.upload_limit_bytes,
    timeLimitSeconds: row.time_limit_seconds,
    validitySeconds: row.validity_seconds,
    devicesLimit: row.devices_limit,
    createdAtMs: row.created_at,
    updatedAtMs: row.updated_at,
  };
}
