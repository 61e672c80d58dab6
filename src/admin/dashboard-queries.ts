/** The figures on the operator dashboard, assembled from the owning modules' read queries. */
import type { SmsAdminCounts } from '../sms/index.js';
import { addDays, dayInZone, startOfDayInZone, type Clock } from '../shared/index.js';
import type { Tenant } from '../store/index.js';
import type { SessionsAdminQueries } from '../usage/index.js';
import type { VouchersRepository } from '../vouchers/index.js';

export interface DashboardDay {
  day: string;
  activations: number;
  dataBytes: number;
}

export interface DashboardFigures {
  /** Customers' sessions online now (a voucher or one of its devices). */
  onlineNow: number;
  /** Sessions online now whose User-Name is neither a voucher nor a registered MAC: apart. */
  unknownUsersOnline: number;
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

  /**
   * "Today" is the tenant's calendar day in its time zone (`tenants.time_zone`): the SMS and
   * activation counts run from its local midnight to the next, whatever the server's zone.
   */
  async figures(tenant: Tenant): Promise<DashboardFigures> {
    const nowMs = this.clock.nowMs();
    const zone = tenant.time_zone;
    const today = dayInZone(nowMs, zone);
    // Calendar arithmetic on the day keys, not "now minus n × 24 h", which skips or repeats a
    // day around DST changes.
    const dayKeys: string[] = [];
    for (let i = 29; i >= 0; i--) dayKeys.push(addDays(today, -i));
    const todayStartMs = startOfDayInZone(today, zone);
    const tomorrowStartMs = startOfDayInZone(addDays(today, 1), zone);
    const [online, activatedAt, dataPerDay, smsToday] = await Promise.all([
      this.sessions.onlineCounts(tenant.id),
      this.vouchers.activatedAtSince(tenant.id, startOfDayInZone(dayKeys[0]!, zone)),
      this.sessions.dataPerDay(tenant.id, dayKeys[0]!),
      this.sms.byStatusBetween(tenant.id, todayStartMs, tomorrowStartMs),
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
    // Data per day comes from the vouchers' rollups, which unknown users never reach.
    return {
      onlineNow: online.customers,
      unknownUsersOnline: online.unknownUsers,
      activatedToday: activations.get(today) ?? 0,
      dataTodayBytes: dataPerDay.get(today) ?? 0,
      smsSentToday: (smsToday.sent ?? 0) + (smsToday.delivered ?? 0),
      smsFailedToday: (smsToday.failed ?? 0) + (smsToday.undelivered ?? 0),
      days,
    };
  }
}
