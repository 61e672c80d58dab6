/** The figures on the operator dashboard, assembled from the owning modules' read queries. */
import type { SmsAdminCounts } from '../sms/admin-counts.js';
import { dayInZone, DAY_MS, type Clock } from '../shared/index.js';
import type { Tenant } from '../store/index.js';
import type { SessionsAdminQueries } from '../usage/admin-queries.js';
import type { VouchersRepository } from '../vouchers/index.js';

export interface DashboardDay {
  day: string;
  activations: number;
  dataBytes: number;
}

export interface DashboardFigures {
  onlineNow: number;
  activatedToday: number;
  dataTodayBytes: number;
  smsSentToday: number;
  smsFailedToday: number;
  /** The last 30 days, oldest first, in the tenant's time zone. */
  days: DashboardDay[];
}

export class DashboardQueries {
  constructor(
    private readonly vouchers: VouchersRepository,
    private readonly sessions: SessionsAdminQueries,
    private readonly sms: SmsAdminCounts,
    private readonly clock: Clock,
  ) {}

  async figures(tenant: Tenant): Promise<DashboardFigures> {
    const nowMs = this.clock.nowMs();
    const zone = tenant.time_zone;
    const dayKeys: string[] = [];
    for (let i = 29; i >= 0; i--) dayKeys.push(dayInZone(nowMs - i * DAY_MS, zone));
    const today = dayKeys[dayKeys.length - 1]!;
    // Activations are bucketed by day in the tenant's zone; 31 days back covers any offset.
    const since = nowMs - 31 * DAY_MS;
    const [onlineNow, activatedAt, dataPerDay, smsToday] = await Promise.all([
      this.sessions.countOnline(tenant.id),
      this.vouchers.activatedAtSince(tenant.id, since),
      this.sessions.dataPerDay(tenant.id, dayKeys[0]!),
      this.sms.byStatusBetween(tenant.id, nowMs - DAY_MS, nowMs + 1),
    ]);
    const activations = new Map<string, number>();
    for (const at of activatedAt) {
      const day = dayInZone(at, zone);
      activations.set(day, (activations.get(day) ?? 0) + 1);
    }
    const days = dayKeys.map((day) => ({
      day,
      activations: activations.get(day) ?? 0,
      dataBytes: dataPerDay.get(day) ?? 0,
    }));
    return {
      onlineNow,
      activatedToday: activations.get(today) ?? 0,
      dataTodayBytes: dataPerDay.get(today) ?? 0,
      smsSentToday: (smsToday.sent ?? 0) + (smsToday.delivered ?? 0),
      smsFailedToday: (smsToday.failed ?? 0) + (smsToday.undelivered ?? 0),
      days,
    };
  }
}
