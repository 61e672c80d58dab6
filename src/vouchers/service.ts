import type { Logger } from 'pino';
import { AppError, notFound, type Clock, type Page, type PageRequest, type Sort } from '../shared/index.js';
import { copyPlanTerms, type PlansService } from '../plans/index.js';
import type { TenantsRepository } from '../tenants/index.js';
import { seriesCode } from './codes.js';
import type { VoucherEvents } from './events.js';
import type { ExpiryMode, VoucherSeriesView, VoucherView } from './model.js';
import type { VoucherFilter, VoucherSortKey, VouchersRepository } from './repository.js';
import { MAX_SERIES_QUANTITY, SERIES_STALE_AFTER_MS, type SeriesGenerator } from './series.js';

/** The one thing vouchers need to know about customers: does this one exist in the tenant. */
export interface CustomerLookup {
  exists(tenantId: number, customerId: number): Promise<boolean>;
}

export interface NewSeries {
  planId: number;
  quantity: number;
  expiryMode: ExpiryMode;
  /** Required with expiryMode 'valid_until'. */
  validUntilAtMs?: number | null;
  customerId?: number | null;
}

/** Live sessions asked to end: how many the hotspot confirmed gone, how many not yet. */
export interface VoucherDisconnectSummary {
  sessions: number;
  confirmed: number;
  /** Not confirmed yet: the Disconnect-Requests are retried in the background. */
  unconfirmed: number;
}

/**
 * Port to the usage module: end every live session of a voucher at its hotspot (RFC 5176
 * Disconnect-Request), answering within a bounded time. Wired in app.ts / admin compose.
 */
export interface VoucherSessionTerminator {
  disconnectVoucher(
    tenantId: number,
    voucherId: number,
    reason: 'disabled',
  ): Promise<VoucherDisconnectSummary>;
}

const NO_SESSIONS: VoucherDisconnectSummary = { sessions: 0, confirmed: 0, unconfirmed: 0 };

/** Series with a customer make each voucher "activated" for that customer: keep them small. */
export const MAX_CUSTOMER_SERIES_QUANTITY = 100;

export class VouchersService {
  constructor(
    private readonly vouchers: VouchersRepository,
    private readonly plans: PlansService,
    private readonly customers: CustomerLookup,
    private readonly tenants: TenantsRepository,
    readonly generator: SeriesGenerator,
    private readonly events: VoucherEvents,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly sessions?: VoucherSessionTerminator,
  ) {}

  list(
    tenantId: number,
    filter: VoucherFilter,
    sort: Sort<VoucherSortKey>,
    page: PageRequest,
  ): Promise<Page<VoucherView>> {
    return this.vouchers.list(tenantId, filter, sort, page);
  }

  async get(tenantId: number, id: number): Promise<VoucherView> {
    const voucher = await this.vouchers.find(tenantId, id);
    if (!voucher) throw notFound('Voucher');
    return voucher;
  }

  /**
   * An operator switches a voucher off: RADIUS refuses it from now on, and its live sessions are
   * disconnected at their hotspots (what the hotspots confirmed is returned; the rest is retried).
   * Disabling a disabled voucher disconnects again whatever is still online.
   */
  async disable(
    tenantId: number,
    id: number,
  ): Promise<{ voucher: VoucherView; disconnect: VoucherDisconnectSummary }> {
    const voucher = await this.get(tenantId, id);
    if (voucher.status !== 'disabled') {
      const nowMs = this.clock.nowMs();
      await this.vouchers.setState(tenantId, id, {
        status: 'disabled',
        disabled_at: nowMs,
        updated_at: nowMs,
      });
    }
    // After the status change: from here on no new session can start, so none is missed.
    const disconnect = this.sessions
      ? await this.sessions.disconnectVoucher(tenantId, id, 'disabled')
      : NO_SESSIONS;
    if (disconnect.sessions > 0)
      this.logger.info({ tenantId, voucherId: id, ...disconnect }, 'voucher disabled');
    return { voucher: await this.get(tenantId, id), disconnect };
  }

  /** Back to the state it would have without the operator's switch. */
  async enable(tenantId: number, id: number): Promise<VoucherView> {
    const voucher = await this.get(tenantId, id);
    if (voucher.status !== 'disabled') return voucher;
    const status = voucher.usedAtMs !== null ? 'used' : voucher.activatedAtMs !== null ? 'active' : 'new';
    await this.vouchers.setState(tenantId, id, { status, disabled_at: null, updated_at: this.clock.nowMs() });
    return this.get(tenantId, id);
  }

  /** Gives the voucher to a customer; fires "voucher activated" for them. */
  async assign(tenantId: number, id: number, customerId: number): Promise<VoucherView> {
    const voucher = await this.get(tenantId, id);
    if (!(await this.customers.exists(tenantId, customerId))) throw notFound('Customer');
    if (voucher.status === 'used' || voucher.status === 'disabled')
      throw new AppError('CONFLICT', `A ${voucher.status} voucher cannot be assigned`);
    if (voucher.customerId === customerId) return voucher;
    await this.vouchers.setCustomer(tenantId, id, customerId, this.clock.nowMs());
    await this.announce(tenantId, id, customerId);
    return this.get(tenantId, id);
  }

  /** Emits "voucher activated"; a failing listener is logged, the assignment stands. */
  async announce(tenantId: number, voucherId: number, customerId: number): Promise<void> {
    await this.events.emitVoucherActivated({
      tenantId,
      voucherId,
      customerId,
      source: 'operator',
      atMs: this.clock.nowMs(),
    });
  }

  /** Creates the series row and starts generating its vouchers in the background. */
  async createSeries(
    tenantId: number,
    input: NewSeries,
    createdByAdminId: number | null,
  ): Promise<VoucherSeriesView> {
    if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > MAX_SERIES_QUANTITY)
      throw new AppError('VALIDATION', `The quantity must be between 1 and ${MAX_SERIES_QUANTITY}`);
    const plan = await this.plans.get(tenantId, input.planId);
    if (!plan.isActive) throw new AppError('VALIDATION', 'The plan is not active');
    const customerId = input.customerId ?? null;
    if (customerId !== null) {
      if (!(await this.customers.exists(tenantId, customerId))) throw notFound('Customer');
      if (input.quantity > MAX_CUSTOMER_SERIES_QUANTITY)
        throw new AppError(
          'VALIDATION',
          `A series for a customer holds at most ${MAX_CUSTOMER_SERIES_QUANTITY} vouchers`,
        );
    }
    const nowMs = this.clock.nowMs();
    let validUntilAtMs: number | null = null;
    if (input.expiryMode === 'valid_until') {
      if (!input.validUntilAtMs || input.validUntilAtMs <= nowMs)
        throw new AppError('VALIDATION', '"Valid until" needs a date in the future');
      validUntilAtMs = input.validUntilAtMs;
    }
    const settings = await this.tenants.getSettings(tenantId, 'vouchers');
    const series = await this.vouchers.createSeries(tenantId, {
      code: seriesCode(nowMs),
      planId: plan.id,
      customerId,
      quantity: input.quantity,
      expiryMode: input.expiryMode,
      validUntilAtMs,
      createdByAdminId,
      nowMs,
    });
    this.logger.info(
      { tenantId, seriesId: series.id, quantity: series.quantity },
      'generating voucher series',
    );
    this.generator.start({ tenantId, series, plan, settings });
    return series;
  }

  /**
   * Makes one voucher of an active plan for a customer now, and waits for it (a guest's free
   * access is logged in with it at once): a series of one, like a voucher an operator creates for
   * a customer, so it shows in the series list and fires "voucher activated" for the customer.
   */
  async issueForCustomer(tenantId: number, planId: number, customerId: number): Promise<VoucherView> {
    const plan = await this.plans.get(tenantId, planId);
    if (!plan.isActive) throw new AppError('VALIDATION', 'The plan is not active');
    if (!(await this.customers.exists(tenantId, customerId))) throw notFound('Customer');
    const nowMs = this.clock.nowMs();
    const series = await this.vouchers.createSeries(tenantId, {
      code: seriesCode(nowMs),
      planId: plan.id,
      customerId,
      quantity: 1,
      expiryMode: 'after_activation',
      validUntilAtMs: null,
      createdByAdminId: null,
      nowMs,
    });
    const settings = await this.tenants.getSettings(tenantId, 'vouchers');
    await this.generator.run({ tenantId, series, plan, settings });
    const [voucherId] = await this.vouchers.idsOfSeries(tenantId, series.id, 1);
    if (voucherId === undefined) throw new Error('the voucher was not made');
    return this.get(tenantId, voucherId);
  }

  /**
   * Finishes series that a stopped or crashed process left half-made: it takes each over (one
   * process per series) and generates the vouchers still missing. Returns how many it took.
   */
  async resumeStaleSeries(): Promise<number> {
    const nowMs = this.clock.nowMs();
    const claimed = await this.vouchers.claimStaleSeries(nowMs - SERIES_STALE_AFTER_MS, nowMs);
    for (const series of claimed) {
      const { tenantId } = series;
      try {
        const resumeFrom = await this.vouchers.countSeriesVouchers(tenantId, series.id);
        this.logger.warn(
          { tenantId, seriesId: series.id, created: resumeFrom, quantity: series.quantity },
          'resuming a voucher series its process left unfinished',
        );
        // A plan deactivated meanwhile still finishes the series it started; a plan edited
        // meanwhile does not change it: the rest get the terms its first vouchers were sold with.
        const current = await this.plans.get(tenantId, series.planId);
        const [made] = await this.vouchers.seriesChunk(tenantId, series.id, 0, 1);
        const plan = made ? { ...current, title: made.planTitle, ...copyPlanTerms(made) } : current;
        const settings = await this.tenants.getSettings(tenantId, 'vouchers');
        this.generator.start({ tenantId, series, plan, settings, resumeFrom });
      } catch (error) {
        // Not claimed again every minute: a series that cannot be resumed is marked failed.
        this.logger.error({ err: error, tenantId, seriesId: series.id }, 'could not resume a voucher series');
        await this.vouchers.failSeries(tenantId, series.id);
      }
    }
    return claimed.length;
  }

  async getSeries(tenantId: number, id: number): Promise<VoucherSeriesView> {
    const series = await this.vouchers.findSeries(tenantId, id);
    if (!series) throw notFound('Voucher series');
    return series;
  }

  listSeries(tenantId: number, page: PageRequest): Promise<Page<VoucherSeriesView>> {
    return this.vouchers.listSeries(tenantId, page);
  }

  /** Every voucher of a series, in chunks, for CSV export and printable cards. */
  async *seriesVouchers(tenantId: number, seriesId: number): AsyncGenerator<VoucherView[]> {
    await this.getSeries(tenantId, seriesId);
    let afterId = 0;
    for (;;) {
      const chunk = await this.vouchers.seriesChunk(tenantId, seriesId, afterId, 2000);
      if (chunk.length === 0) return;
      yield chunk;
      afterId = chunk[chunk.length - 1]!.id;
    }
  }
}
