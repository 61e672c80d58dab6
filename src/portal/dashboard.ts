/**
 * Builds what the dashboard shows from the database, for one customer, every time it is asked
 * (no cache: accounting changes the numbers between two views). The HTML page and the live JSON
 * endpoint render from the same model, so they cannot disagree.
 */
import crypto from 'node:crypto';
import type { CustomerSummary } from '../customers/index.js';
import { dayInZone, type Clock } from '../shared/index.js';
import type { Tenant } from '../store/index.js';
import type { DailyUsage, UsagePortalQueries } from '../usage/index.js';
import type { CustomerVoucher, VoucherPortalQueries } from '../vouchers/index.js';
import { daysEndingWith, type Formatter } from './format.js';
import type { Translate } from './i18n/index.js';
import { sessionNumbers, sessionView, type SessionNumbers, type SessionView } from './session-view.js';

export { terminateCauseText, type SessionNumbers, type SessionView } from './session-view.js';

export type StatusKind =
  'online' | 'active' | 'new' | 'expired' | 'used' | 'used_data' | 'used_time' | 'disabled';

/** A used/limit pair, formatted. `limit` and `remaining` are null when unlimited. */
export interface Meter {
  used: string;
  limit: string | null;
  remaining: string | null;
  /** 0..100, null when unlimited. */
  percent: number | null;
}

export interface VoucherView {
  id: number;
  planTitle: string;
  /**
   * The code as this session may see it: in full only after an SMS one-time code, masked
   * otherwise (a phone number alone must not hand out codes that log in at the hotspot).
   */
  code: string;
  /** True when `code` is masked. */
  codeHidden: boolean;
  /** The code with all but its last characters hidden, for lists. */
  codeMasked: string;
  status: StatusKind;
  statusLabel: string;
  data: Meter & { download: string; upload: string };
  time: Meter;
  /** "Expires Nov 28, 2026, 3:00 PM", "Valid for 1 d from first use", "Expired …". */
  validity: string;
  price: string;
  speed: string;
  devicesLimit: number;
  activatedAt: string | null;
  createdAt: string;
}

export interface ChartDayView {
  day: string;
  label: string;
  downloadedBytes: number;
  uploadedBytes: number;
  title: string;
}

export interface ChartView {
  title: string;
  description: string;
  days: ChartDayView[];
  maxBytes: number;
  maxLabel: string;
  todayLabel: string;
}

export interface DashboardModel {
  tenantName: string;
  customerName: string | null;
  totals: { data: Meter; time: Meter; activeCount: number };
  chart: ChartView;
  sessions: SessionView[];
  sessionsLimit: number;
  moreSessions: boolean;
  active: VoucherView[];
  history: VoucherView[];
  historyLimit: number;
  moreHistory: boolean;
  updatedAt: string;
  /** Changes when vouchers or sessions come or go (not when counters move): the page reloads then. */
  fingerprint: string;
  /** Until when this model reads the same by the clock alone (page-cache.ts; see freshUntil). */
  freshUntilMs: number;
}

/** What the live summary sends (views/texts.ts liveValues): the dashboard's numbers, no more. */
export type LiveModel = Pick<
  DashboardModel,
  'totals' | 'chart' | 'updatedAt' | 'fingerprint' | 'freshUntilMs'
> & {
  /** The active vouchers, then the history, as the dashboard shows them. */
  vouchers: Array<Pick<VoucherView, 'id' | 'data' | 'time'>>;
  sessions: SessionNumbers[];
};

export interface DashboardOptions {
  sessionsLimit: number;
  historyLimit: number;
  /** Whether the session passed an SMS code (full voucher codes); otherwise codes are masked. */
  revealCodes: boolean;
}

/**
 * A voucher code with all but its last characters hidden. The random part (the short code, which
 * logs in at the hotspot on its own) decides how many: about a quarter of it (2 to 4 characters),
 * enough to tell a customer's vouchers apart, too little to guess the rest (the shortest allowed
 * codes, 6 random characters, keep 4 hidden).
 */
export function maskCode(code: string, shortCode: string): string {
  const randomLength = shortCode.length > 0 && code.endsWith(shortCode) ? shortCode.length : code.length;
  const shown = Math.min(4, Math.max(2, Math.floor(randomLength / 4)));
  return `•••• ${code.slice(-shown)}`;
}

export const CHART_DAYS = 30;
const STATUS_ORDER: Record<string, number> = { online: 0, active: 1, new: 2 };

/** What a voucher is for its owner now; expiry by time counts even before accounting notices. */
export function statusOf(voucher: CustomerVoucher, nowMs: number): StatusKind {
  if (voucher.status === 'disabled') return 'disabled';
  if (voucher.status === 'used') {
    if (voucher.usedReason === 'data') return 'used_data';
    if (voucher.usedReason === 'time') return 'used_time';
    if (voucher.usedReason === 'expired') return 'expired';
    return 'used';
  }
  const expiresAtMs = voucher.expiresAtMs ?? voucher.validUntilAtMs;
  // An online voucher past its expiry is about to be disconnected; it is still online meanwhile.
  if (expiresAtMs !== null && expiresAtMs <= nowMs && voucher.status !== 'online') return 'expired';
  if (voucher.status === 'online' || voucher.status === 'active') return voucher.status;
  return 'new';
}

/**
 * The first instant after `nowMs` at which a page rendered now would read differently by the
 * clock alone: the next minute ("Updated at", open sessions' durations, today's bar) or a live
 * voucher's expiry (its status turns to expired), whichever comes first.
 */
export function freshUntil(nowMs: number, vouchers: readonly CustomerVoucher[]): number {
  let untilMs = (Math.floor(nowMs / 60_000) + 1) * 60_000;
  for (const voucher of vouchers)
    for (const atMs of [voucher.expiresAtMs, voucher.validUntilAtMs])
      if (atMs !== null && atMs > nowMs && atMs < untilMs) untilMs = atMs;
  return untilMs;
}

export const isLive = (status: StatusKind): boolean =>
  status === 'online' || status === 'active' || status === 'new';

/**
 * Data used and the limit that applies. A total limit is used as is; with separate download /
 * upload limits, the limit is what is used plus what is left before the first of them is hit.
 */
export function dataUsage(voucher: CustomerVoucher): { usedBytes: number; limitBytes: number | null } {
  const usedBytes = voucher.downloadedBytes + voucher.uploadedBytes;
  if (voucher.dataLimitBytes !== null) return { usedBytes, limitBytes: voucher.dataLimitBytes };
  const left: number[] = [];
  if (voucher.downloadLimitBytes !== null) left.push(voucher.downloadLimitBytes - voucher.downloadedBytes);
  if (voucher.uploadLimitBytes !== null) left.push(voucher.uploadLimitBytes - voucher.uploadedBytes);
  if (left.length === 0) return { usedBytes, limitBytes: null };
  return { usedBytes, limitBytes: usedBytes + Math.max(0, Math.min(...left)) };
}

function meter(used: number, limit: number | null, format: (value: number) => string): Meter {
  if (limit === null) return { used: format(used), limit: null, remaining: null, percent: null };
  const percent = limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : 100;
  return { used: format(used), limit: format(limit), remaining: format(Math.max(0, limit - used)), percent };
}

function sumLimits(values: Array<number | null>): number | null {
  let total = 0;
  for (const value of values) {
    if (value === null) return null;
    total += value;
  }
  return total;
}

export class PortalDashboard {
  constructor(
    private readonly vouchers: VoucherPortalQueries,
    private readonly usage: UsagePortalQueries,
    private readonly clock: Clock,
  ) {}

  async load(
    tenant: Tenant,
    customer: CustomerSummary,
    t: Translate,
    fmt: Formatter,
    options: DashboardOptions,
  ): Promise<DashboardModel> {
    const read = await this.read(tenant, customer, t, fmt, options);
    const { nowMs } = read;
    return {
      tenantName: tenant.name,
      customerName: customer.name,
      totals: read.totals,
      chart: read.chart,
      sessions: read.shownSessions.map((s) => sessionView(s, nowMs, t, fmt)),
      sessionsLimit: options.sessionsLimit,
      moreSessions: read.moreSessions,
      active: read.active.map((v) => voucherView(v, nowMs, t, fmt, options.revealCodes)),
      history: read.shownHistory.map((v) => voucherView(v, nowMs, t, fmt, options.revealCodes)),
      historyLimit: options.historyLimit,
      moreHistory: read.moreHistory,
      updatedAt: read.updatedAt,
      fingerprint: read.fingerprint,
      freshUntilMs: read.freshUntilMs,
    };
  }

  /**
   * The live summary's part of `load` (same reads, same strings): the page's texts that the
   * summary does not send (dates, prices, validity, devices, reasons) are not formatted.
   */
  async loadLive(
    tenant: Tenant,
    customer: CustomerSummary,
    t: Translate,
    fmt: Formatter,
    options: Omit<DashboardOptions, 'revealCodes'>,
  ): Promise<LiveModel> {
    const read = await this.read(tenant, customer, t, fmt, options);
    return {
      totals: read.totals,
      chart: read.chart,
      vouchers: [...read.active, ...read.shownHistory].map((v) => ({ id: v.id, ...voucherMeters(v, fmt) })),
      sessions: read.shownSessions.map((s) => sessionNumbers(s, read.nowMs, fmt)),
      updatedAt: read.updatedAt,
      fingerprint: read.fingerprint,
      freshUntilMs: read.freshUntilMs,
    };
  }

  /** What the dashboard and the live summary share: the reads, their order, totals and chart. */
  private async read(
    tenant: Tenant,
    customer: CustomerSummary,
    t: Translate,
    fmt: Formatter,
    options: Omit<DashboardOptions, 'revealCodes'>,
  ) {
    const nowMs = this.clock.nowMs();
    const today = dayInZone(nowMs, tenant.time_zone);
    const days = daysEndingWith(today, CHART_DAYS);
    const [live, finished, sessions, daily] = await Promise.all([
      this.vouchers.listLive(tenant.id, customer.id),
      this.vouchers.listFinished(tenant.id, customer.id, options.historyLimit + 1),
      this.usage.listSessions(tenant.id, customer.id, { limit: options.sessionsLimit + 1 }),
      this.usage.dailyUsage(tenant.id, customer.id, days[0] ?? today, today),
    ]);
    const active: CustomerVoucher[] = [];
    const expiredByTime: CustomerVoucher[] = [];
    for (const voucher of live) (isLive(statusOf(voucher, nowMs)) ? active : expiredByTime).push(voucher);
    active.sort(
      (a, b) =>
        (STATUS_ORDER[statusOf(a, nowMs)] ?? 9) - (STATUS_ORDER[statusOf(b, nowMs)] ?? 9) ||
        (b.activatedAtMs ?? 0) - (a.activatedAtMs ?? 0) ||
        b.createdAtMs - a.createdAtMs,
    );
    const endOf = (v: CustomerVoucher) =>
      v.usedAtMs ?? v.disabledAtMs ?? v.expiresAtMs ?? v.validUntilAtMs ?? 0;
    const history = [...expiredByTime, ...finished.slice(0, options.historyLimit)].sort(
      (a, b) => endOf(b) - endOf(a),
    );
    const shownHistory = history.slice(0, options.historyLimit);

    const activeData = active.map(dataUsage);
    const totals = {
      activeCount: active.length,
      data: meter(
        activeData.reduce((sum, d) => sum + d.usedBytes, 0),
        sumLimits(activeData.map((d) => d.limitBytes)),
        (v) => fmt.bytes(v),
      ),
      time: meter(
        active.reduce((sum, v) => sum + v.onlineSeconds, 0),
        sumLimits(active.map((v) => v.timeLimitSeconds)),
        (v) => fmt.duration(v),
      ),
    };

    const shownSessions = sessions.slice(0, options.sessionsLimit);
    const activeIds = active.map((v) => `${v.id}:${statusOf(v, nowMs)}`).join(',');
    const fingerprint = crypto
      .createHash('sha256')
      .update(
        `${activeIds}|${shownHistory.map((v) => v.id).join(',')}|${shownSessions.map((s) => `${s.id}:${s.stoppedAtMs ?? ''}`).join(',')}`,
      )
      .digest('base64url')
      .slice(0, 16);

    return {
      nowMs,
      totals,
      chart: this.chart(days, daily, t, fmt),
      active,
      shownHistory,
      shownSessions,
      moreSessions: sessions.length > options.sessionsLimit,
      moreHistory: history.length > options.historyLimit || finished.length > options.historyLimit,
      updatedAt: t('dash.updated', { time: fmt.time(nowMs) }),
      fingerprint,
      freshUntilMs: freshUntil(nowMs, live),
    };
  }

  /**
   * One page of the customer's sessions, newest first. Pages are read from the newest (each
   * voucher's index walk stops after page × size + 1 rows), so the depth is capped by the caller.
   */
  async loadSessionsPage(
    tenant: Tenant,
    customer: CustomerSummary,
    t: Translate,
    fmt: Formatter,
    options: { page: number; pageSize: number },
  ): Promise<{ sessions: SessionView[]; hasOlder: boolean; freshUntilMs: number }> {
    const skip = (options.page - 1) * options.pageSize;
    const sessions = await this.usage.listSessions(tenant.id, customer.id, {
      limit: skip + options.pageSize + 1,
    });
    const nowMs = this.clock.nowMs();
    return {
      sessions: sessions.slice(skip, skip + options.pageSize).map((s) => sessionView(s, nowMs, t, fmt)),
      hasOlder: sessions.length > skip + options.pageSize,
      // Open sessions' durations move with the clock; nothing else on the page does.
      freshUntilMs: freshUntil(nowMs, []),
    };
  }

  /** One voucher of this customer with its recent sessions, or undefined when not theirs. */
  async loadVoucher(
    tenant: Tenant,
    customer: CustomerSummary,
    voucherId: number,
    t: Translate,
    fmt: Formatter,
    options: { sessionsLimit: number; revealCode: boolean },
  ): Promise<
    { voucher: VoucherView; sessions: SessionView[]; moreSessions: boolean; freshUntilMs: number } | undefined
  > {
    const { sessionsLimit } = options;
    const voucher = await this.vouchers.findForCustomer(tenant.id, customer.id, voucherId);
    if (!voucher) return undefined;
    const nowMs = this.clock.nowMs();
    const sessions = await this.usage.listSessions(tenant.id, customer.id, {
      limit: sessionsLimit + 1,
      voucherId: voucher.id,
    });
    return {
      voucher: voucherView(voucher, nowMs, t, fmt, options.revealCode),
      sessions: sessions.slice(0, sessionsLimit).map((s) => sessionView(s, nowMs, t, fmt)),
      moreSessions: sessions.length > sessionsLimit,
      freshUntilMs: freshUntil(nowMs, [voucher]),
    };
  }

  private chart(days: readonly string[], daily: DailyUsage[], t: Translate, fmt: Formatter): ChartView {
    const byDay = new Map(daily.map((d) => [d.day, d]));
    const views = days.map((day) => {
      const usage = byDay.get(day);
      const downloadedBytes = usage?.downloadedBytes ?? 0;
      const uploadedBytes = usage?.uploadedBytes ?? 0;
      const label = fmt.day(day);
      return {
        day,
        label,
        downloadedBytes,
        uploadedBytes,
        title: t('chart.bar', {
          day: label,
          down: fmt.bytes(downloadedBytes),
          up: fmt.bytes(uploadedBytes),
          time: fmt.duration(usage?.onlineSeconds ?? 0),
        }),
      };
    });
    const totalOf = (d: ChartDayView) => d.downloadedBytes + d.uploadedBytes;
    const peak = views.reduce<ChartDayView | undefined>(
      (best, d) => (best === undefined || totalOf(d) > totalOf(best) ? d : best),
      undefined,
    );
    const totalBytes = views.reduce((sum, d) => sum + totalOf(d), 0);
    const maxBytes = peak ? totalOf(peak) : 0;
    const from = views[0]?.label ?? '';
    const to = views.at(-1)?.label ?? '';
    return {
      title: t('chart.title'),
      description:
        totalBytes > 0 && peak
          ? t('chart.desc', {
              total: fmt.bytes(totalBytes),
              from,
              to,
              peakDay: peak.label,
              peak: fmt.bytes(maxBytes),
            })
          : t('chart.descEmpty', { from, to }),
      days: views,
      maxBytes,
      maxLabel: t('chart.max', { value: fmt.bytes(maxBytes) }),
      todayLabel: t('chart.today'),
    };
  }
}

function voucherView(
  voucher: CustomerVoucher,
  nowMs: number,
  t: Translate,
  fmt: Formatter,
  revealCode: boolean,
): VoucherView {
  const status = statusOf(voucher, nowMs);
  const codeMasked = maskCode(voucher.code, voucher.shortCode);
  return {
    id: voucher.id,
    planTitle: voucher.planTitle,
    code: revealCode ? voucher.code : codeMasked,
    codeHidden: !revealCode,
    codeMasked,
    status,
    statusLabel: t(`status.${status}`),
    ...voucherMeters(voucher, fmt),
    validity: validityText(voucher, status, t, fmt),
    price: fmt.money(voucher.priceMinor, voucher.currency),
    speed:
      voucher.speedDownKbps !== null && voucher.speedUpKbps !== null
        ? t('vouchers.speedValue', {
            down: fmt.speed(voucher.speedDownKbps),
            up: fmt.speed(voucher.speedUpKbps),
          })
        : t('vouchers.unlimitedSpeed'),
    devicesLimit: voucher.devicesLimit,
    activatedAt: voucher.activatedAtMs === null ? null : fmt.dateTime(voucher.activatedAtMs),
    createdAt: fmt.date(voucher.createdAtMs),
  };
}

/** A voucher's data and time meters (the page and the live summary show the same). */
function voucherMeters(voucher: CustomerVoucher, fmt: Formatter): Pick<VoucherView, 'data' | 'time'> {
  const data = dataUsage(voucher);
  return {
    data: {
      ...meter(data.usedBytes, data.limitBytes, (v) => fmt.bytes(v)),
      download: fmt.bytes(voucher.downloadedBytes),
      upload: fmt.bytes(voucher.uploadedBytes),
    },
    time: meter(voucher.onlineSeconds, voucher.timeLimitSeconds, (v) => fmt.duration(v)),
  };
}

function validityText(voucher: CustomerVoucher, status: StatusKind, t: Translate, fmt: Formatter): string {
  const expiresAtMs = voucher.expiresAtMs ?? voucher.validUntilAtMs;
  switch (status) {
    case 'disabled':
      return voucher.disabledAtMs === null
        ? t('vouchers.ended')
        : t('vouchers.disabledAt', { date: fmt.dateTime(voucher.disabledAtMs) });
    case 'expired':
      return expiresAtMs === null
        ? t('vouchers.ended')
        : t('vouchers.expired', { date: fmt.dateTime(expiresAtMs) });
    case 'used':
    case 'used_data':
    case 'used_time':
      return voucher.usedAtMs === null
        ? t('vouchers.ended')
        : t('vouchers.usedUp', { date: fmt.dateTime(voucher.usedAtMs) });
    default:
      if (voucher.expiresAtMs !== null)
        return t('vouchers.expires', { date: fmt.dateTime(voucher.expiresAtMs) });
      if (voucher.activatedAtMs === null && voucher.validitySeconds !== null) {
        const period = t('vouchers.validForAfterFirstUse', {
          duration: fmt.duration(voucher.validitySeconds),
        });
        return voucher.validUntilAtMs === null
          ? period
          : `${period} · ${t('vouchers.validUntil', { date: fmt.dateTime(voucher.validUntilAtMs) })}`;
      }
      if (voucher.validUntilAtMs !== null)
        return t('vouchers.validUntil', { date: fmt.dateTime(voucher.validUntilAtMs) });
      return t('vouchers.noExpiry');
  }
}
