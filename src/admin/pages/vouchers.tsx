/**
 * Vouchers: the filtered list. Generating a series, the series pages and one voucher's page are
 * in voucher-generate.tsx, voucher-series.tsx and voucher-detail.tsx, registered from here.
 */
import type { FastifyPluginAsync } from 'fastify';
import { canWrite } from '../../auth/index.js';
import { normalizePhone } from '../../customers/index.js';
import { pageRequest, parseSort } from '../../shared/index.js';
import {
  VOUCHER_SORT_KEYS,
  VOUCHER_STATUSES,
  type VoucherFilter,
  type VoucherStatus,
} from '../../vouchers/index.js';
import { dayRangeInZone, macFilter } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import { VouchersTable } from '../views/lists.js';
import { Empty, isFiltered, MacLinks, Pager, SortSelect } from '../views/components.js';
import { voucherDetailPages } from './voucher-detail.js';
import { voucherGeneratePages } from './voucher-generate.js';
import { voucherSeriesPages } from './voucher-series.js';

type Query = Record<string, string | undefined>;

const positiveInt = (raw: string | undefined) => {
  const n = Number(raw);
  return raw && Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

export const vouchersPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
  admin.get<{ Querystring: Query }>('/admin/vouchers', async (request, reply) => {
    const q = request.query;
    const tenant = request.tenant;
    const byMac = macFilter(q.mac);
    // The dates are calendar days in the tenant's time zone: "to" includes its whole day.
    const activated = dayRangeInZone(q.activatedFrom, q.activatedTo, tenant.time_zone);
    const filter: VoucherFilter = {
      status: (VOUCHER_STATUSES as readonly string[]).includes(q.status ?? '')
        ? (q.status as VoucherStatus)
        : undefined,
      seriesId: positiveInt(q.seriesId),
      planId: positiveInt(q.planId),
      code: q.code?.trim() || undefined,
      activatedFromMs: activated.fromMs,
      activatedToMs: activated.toMs,
      mac: byMac.mac,
    };
    let customerMissing = false;
    if (q.customer?.trim()) {
      let phone: string | undefined;
      try {
        phone = normalizePhone(q.customer, tenant.default_country);
      } catch {
        phone = undefined;
      }
      const customer = phone ? await deps.customers.findByPhone(tenant.id, phone) : undefined;
      if (customer) filter.customerId = customer.id;
      else customerMissing = true;
    }
    const sort = parseSort(q.sort, VOUCHER_SORT_KEYS, { key: 'created_at', direction: 'desc' });
    const page =
      customerMissing || byMac.error
        ? { items: [], total: 0, ...pageRequest(q.page, q.perPage) }
        : await deps.vouchers.list(tenant.id, filter, sort, pageRequest(q.page, q.perPage));
    const hasPlans =
      page.total > 0 ||
      (await deps.plans.list(tenant.id, {}, { key: 'title', direction: 'asc' }, { page: 1, perPage: 1 }))
        .total > 0;
    const customers = await deps.customers.byIds(
      tenant.id,
      page.items.flatMap((v) => (v.customerId ? [v.customerId] : [])),
    );
    const actor = kit.actorOf(request);
    return kit.render(request, reply, {
      title: 'Vouchers',
      status: byMac.error ? 400 : 200,
      error: byMac.error,
      body: (
        <>
          <p>
            {canWrite(actor.role) ? (
              <a class="button" href="/admin/vouchers/generate">
                Generate a series
              </a>
            ) : null}{' '}
            <a href="/admin/vouchers/series">All series</a>
          </p>
          <form method="get" class="filters" aria-label="Filter vouchers">
            <input name="code" placeholder="Code" value={q.code ?? ''} aria-label="Code" />
            <input
              name="customer"
              placeholder="Customer phone"
              value={q.customer ?? ''}
              aria-label="Customer phone"
            />
            <input name="mac" placeholder="Device MAC" value={q.mac ?? ''} aria-label="Device MAC address" />
            <select name="status" aria-label="Status">
              <option value="">Any status</option>
              {VOUCHER_STATUSES.map((s) => (
                <option value={s} selected={q.status === s}>
                  {s}
                </option>
              ))}
            </select>
            <label>
              Series number <input name="seriesId" inputMode="numeric" size={6} value={q.seriesId ?? ''} />
            </label>
            <label>
              Activated from <input type="date" name="activatedFrom" value={q.activatedFrom ?? ''} />
            </label>
            <label>
              to <input type="date" name="activatedTo" value={q.activatedTo ?? ''} />
            </label>
            {q.planId ? <input type="hidden" name="planId" value={q.planId} /> : null}
            <SortSelect
              current={q.sort}
              options={[
                ['-created_at', 'Newest first'],
                ['code', 'Code A–Z'],
                ['-activated_at', 'Latest activated first'],
                ['expires_at', 'Expiring first'],
                ['status', 'Status'],
              ]}
            />
            <button type="submit">Find</button>
          </form>
          {byMac.mac ? <MacLinks mac={byMac.mac} here="vouchers" /> : null}
          {page.items.length === 0 ? (
            <Empty>
              {isFiltered(q) ? (
                'No vouchers match.'
              ) : (
                <>
                  No vouchers yet. Vouchers are made in a series from a plan: use “Generate a series”
                  {hasPlans ? (
                    ''
                  ) : (
                    <>
                      {' '}
                      after creating a plan under <a href="/admin/plans">Plans</a>
                    </>
                  )}
                  .
                </>
              )}
            </Empty>
          ) : (
            <VouchersTable label="Vouchers" vouchers={page.items} zone={tenant} customers={customers} />
          )}
          <Pager page={page} basePath="/admin/vouchers" query={q} />
        </>
      ),
    });
  });

  await admin.register(voucherGeneratePages);
  await admin.register(voucherSeriesPages);
  await admin.register(voucherDetailPages);
};
