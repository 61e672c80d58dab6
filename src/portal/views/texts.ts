/**
 * Strings that both the page and the live JSON show, built in one place so a refresh writes
 * exactly what the server rendered.
 */
import type { LiveModel, Meter } from '../dashboard.js';
import type { Translate } from '../i18n/index.js';

export function usedOfText(meter: Meter, t: Translate): string {
  return meter.limit === null
    ? t('vouchers.usedNoLimit', { used: meter.used })
    : t('vouchers.usedOf', { used: meter.used, limit: meter.limit });
}

export function leftText(meter: Meter, t: Translate): string {
  return meter.remaining === null ? t('usage.unlimited') : t('usage.left', { value: meter.remaining });
}

export function remainingText(meter: Meter, t: Translate): string {
  return meter.remaining ?? t('usage.unlimited');
}

export function limitText(meter: Meter, t: Translate): string {
  return meter.limit === null ? t('usage.noLimit') : t('usage.ofLimit', { limit: meter.limit });
}

export interface LiveValues {
  /** Changes when the page's structure must change (a voucher or session came or went). */
  fingerprint: string;
  /** `data-live` key → text content. */
  text: Record<string, string>;
  /** `data-live-progress` key → value 0..100. */
  progress: Record<string, number>;
}

/** Every number on the dashboard that moves with accounting, by the key the page marks it with. */
export function liveValues(model: LiveModel, t: Translate): LiveValues {
  const text: Record<string, string> = {
    updatedAt: model.updatedAt,
    'total.data.used': model.totals.data.used,
    'total.data.limit': limitText(model.totals.data, t),
    'total.data.remaining': remainingText(model.totals.data, t),
    'total.time.used': model.totals.time.used,
    'total.time.limit': limitText(model.totals.time, t),
    'total.time.remaining': remainingText(model.totals.time, t),
  };
  const progress: Record<string, number> = {};
  if (model.totals.data.percent !== null) progress['total.data'] = model.totals.data.percent;
  if (model.totals.time.percent !== null) progress['total.time'] = model.totals.time.percent;
  for (const v of model.vouchers) {
    text[`v${v.id}.data`] = usedOfText(v.data, t);
    text[`v${v.id}.data.left`] = leftText(v.data, t);
    text[`v${v.id}.time`] = usedOfText(v.time, t);
    text[`v${v.id}.time.left`] = leftText(v.time, t);
    if (v.data.percent !== null) progress[`v${v.id}.data`] = v.data.percent;
    if (v.time.percent !== null) progress[`v${v.id}.time`] = v.time.percent;
  }
  for (const s of model.sessions) {
    text[`s${s.id}.duration`] = s.duration;
    text[`s${s.id}.download`] = s.download;
    text[`s${s.id}.upload`] = s.upload;
  }
  return { fingerprint: model.fingerprint, text, progress };
}
