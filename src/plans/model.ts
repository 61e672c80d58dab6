import type { Plan } from '../store/index.js';

/**
 * What a plan sells: price, speeds, limits and devices. A voucher copies these from its plan when
 * it is made, so editing a plan never changes vouchers already sold. Limits are null when unlimited.
 */
export interface PlanTerms {
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
}

/** The columns of PlanTerms, the same in the plans and vouchers tables. */
export type PlanTermsRow = Pick<
  Plan,
  | 'price_minor'
  | 'currency'
  | 'speed_down_kbps'
  | 'speed_up_kbps'
  | 'data_limit_bytes'
  | 'download_limit_bytes'
  | 'upload_limit_bytes'
  | 'time_limit_seconds'
  | 'validity_seconds'
  | 'devices_limit'
>;

/** Just the terms of anything that carries them (a plan, a voucher view). */
export function copyPlanTerms(from: PlanTerms): PlanTerms {
  return {
    priceMinor: from.priceMinor,
    currency: from.currency,
    speedDownKbps: from.speedDownKbps,
    speedUpKbps: from.speedUpKbps,
    dataLimitBytes: from.dataLimitBytes,
    downloadLimitBytes: from.downloadLimitBytes,
    uploadLimitBytes: from.uploadLimitBytes,
    timeLimitSeconds: from.timeLimitSeconds,
    validitySeconds: from.validitySeconds,
    devicesLimit: from.devicesLimit,
  };
}

export function toPlanTerms(row: PlanTermsRow): PlanTerms {
  return {
    priceMinor: Number(row.price_minor),
    currency: row.currency,
    speedDownKbps: row.speed_down_kbps,
    speedUpKbps: row.speed_up_kbps,
    dataLimitBytes: row.data_limit_bytes,
    downloadLimitBytes: row.download_limit_bytes,
    uploadLimitBytes: row.upload_limit_bytes,
    timeLimitSeconds: row.time_limit_seconds,
    validitySeconds: row.validity_seconds,
    devicesLimit: row.devices_limit,
  };
}

/** A plan as the admin area and the API see it. */
export interface PlanView extends PlanTerms {
  id: number;
  title: string;
  isActive: boolean;
  voucherPrefix: string;
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
    ...toPlanTerms(row),
    createdAtMs: row.created_at,
    updatedAtMs: row.updated_at,
  };
}
