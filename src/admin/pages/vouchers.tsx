import type { FastifyInstance, FastifyReply } from 'fastify';
import { canWrite } from '../../auth/index.js';
import { AppError, countOf, csvCell, currencyDigits, pageRequest, parseSort } from '../../shared/index.js';
import {
  VOUCHER_SORT_KEYS,
  VOUCHER_STATUSES,
  type VoucherFilter,
  type VoucherStatus,
  type VoucherView,
} from '../../vouchers/index.js';
import { normalizePhone } from '../../customers/index.js';
import type { AdminDeps } from '../deps.js';
import { sessionDurationSeconds } from '../../usage/index.js';
import { dateEnd, dayRangeInZone, idParam, macFilter, text, type FormBody } from '../forms.js';
import type { AdminKit } from '../kit.js';
import { sendVoucherDetails } from '../voucher-sms.js';
import { voucherDevicesBlock } from './voucher-devices.js';
import {
  Table,
  ActionButton,
  Badge,
  VoucherBadge,
  bytesOrUnlimited,
  CsrfField,
  Empty,
  isFiltered,
  formatBytes,
  formatDuration,
  money,
  Pager,
  SortSelect,
  secondsOrUnlimited,
  when,
  MacLinks,
} from '../views/components.js';
import { renderDocument } from '../../http/index.js';
import { Head } from '../views/layout.js';

type Query = Record<string, string | undefined>;

const positiveInt = (raw: string | undefined) => {
  const n = Number(raw);
  return raw && Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

function usageLine(v: VoucherView): string {
  const used = v.usage.downloadedBytes + v.usage.uploadedBytes;
  return `${formatBytes(used)} / ${bytesOrUnlimited(v.dataLimitBytes)} · ${formatDuration(v.usage.onlineSeconds)} / ${secondsOrUnlimited(v.timeLimitSeconds)}`;
}

export async function vouchersPages(admin: FastifyInstance, deps: AdminDeps, kit: AdminKit): Promise<void> {
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
            <Table label="Vouchers" class="vouchers">
              <thead>
                <tr>
                  <th>Code</th>
                  <th>Plan</th>
                  <th>Status</th>
                  <th>Customer</th>
                  <th>Usage</th>
                  <th>Activated</th>
                  <th>Expires</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((v) => (
                  <tr>
                    <td>
                      <a href={`/admin/vouchers/${v.id}`}>{v.code}</a>
                    </td>
                    <td>{v.planTitle}</td>
                    <td>
                      <VoucherBadge status={v.status} usedReason={v.usedReason} />
                    </td>
                    <td>
                      {v.customerId ? (
                        <a href={`/admin/customers/${v.customerId}`}>
                          {customers.get(v.customerId)?.phone ?? `#${v.customerId}`}
                        </a>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>{usageLine(v)}</td>
                    <td>{when(v.activatedAtMs, tenant)}</td>
                    <td>{when(v.expiresAtMs, tenant)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          <Pager page={page} basePath="/admin/vouchers" query={q} />
        </>
      ),
    });
  });

  const generateForm = async (reply: FastifyReply, tenantId: number, q: Query) => {
    const plans = await deps.plans.listActive(tenantId);
    if (plans.length === 0)
      return (
        <p class="empty" data-hint="no-plans">
          Vouchers are made from a plan, and there is no active plan yet.{' '}
          <a href="/admin/plans/new">Create a plan</a> first (or activate one under{' '}
          <a href="/admin/plans">Plans</a>), then come back here.
        </p>
      );
    return (
      <form method="post" action="/admin/vouchers/generate" class="stack">
        <CsrfField token={kit.csrf(reply)} />
        <label>
          Plan
          <select name="planId" required>
            {plans.map((p) => (
              <option value={String(p.id)} selected={String(p.id) === q.planId}>
                {p.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Quantity <small>(1–100,000)</small>
          <input
            name="quantity"
            type="number"
            min={1}
            max={100000}
            required
            value={q.quantity ?? (q.customer ? '1' : '10')}
          />
        </label>
        <fieldset>
          <legend>Expiry</legend>
          <label class="check">
            <input
              type="radio"
              name="expiryMode"
              value="after_activation"
              checked={q.expiryMode !== 'valid_until'}
            />{' '}
            The plan's validity, counted from activation
          </label>
          <label class="check">
            <input
              type="radio"
              name="expiryMode"
              value="valid_until"
              checked={q.expiryMode === 'valid_until'}
            />{' '}
            Valid until a date, activated or not
          </label>
          <label>
            Valid until <input type="date" name="validUntil" value={q.validUntil ?? ''} />
          </label>
        </fieldset>
        <label>
          For customer (phone, optional)
          <input name="customer" value={q.customer ?? ''} />
        </label>
        {plans.length === 0 ? <p class="error">Create an active plan first.</p> : null}
        <button type="submit">Generate</button>
      </form>
    );
  };

  admin.get<{ Querystring: Query }>(
    '/admin/vouchers/generate',
    { preHandler: kit.requireWrite },
    async (request, reply) =>
      kit.render(request, reply, {
        title: 'Generate vouchers',
        body: await generateForm(reply, request.tenant.id, request.query),
      }),
  );

  admin.post<{ Body: FormBody }>(
    '/admin/vouchers/generate',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      const body = request.body;
      const tenant = request.tenant;
      try {
        let customerId: number | null = null;
        if (text(body, 'customer')) {
          const customer = await deps.customers.findByPhone(
            tenant.id,
            normalizePhone(text(body, 'customer'), tenant.default_country),
          );
          if (!customer) throw new AppError('VALIDATION', 'No customer has this phone number');
          customerId = customer.id;
        }
        const series = await deps.vouchers.createSeries(
          tenant.id,
          {
            planId: Number(text(body, 'planId')),
            quantity: Number(text(body, 'quantity')),
            expiryMode: text(body, 'expiryMode') === 'valid_until' ? 'valid_until' : 'after_activation',
            validUntilAtMs: dateEnd(body, 'validUntil', tenant.time_zone),
            customerId,
          },
          kit.actorOf(request).adminId,
        );
        return reply.redirect(`/admin/vouchers/series/${series.id}`, 303);
      } catch (error) {
        if (
          !(error instanceof AppError) ||
          !['VALIDATION', 'PHONE_INVALID', 'NOT_FOUND'].includes(error.code)
        )
          throw error;
        const q = Object.fromEntries(Object.keys(body).map((k) => [k, text(body, k)]));
        return kit.render(request, reply, {
          title: 'Generate vouchers',
          status: 400,
          error: error.message,
          body: await generateForm(reply, tenant.id, q),
        });
      }
    },
  );

  admin.get<{ Querystring: Query }>('/admin/vouchers/series', async (request, reply) => {
    const page = await deps.vouchers.listSeries(
      request.tenant.id,
      pageRequest(request.query.page, request.query.perPage),
    );
    return kit.render(request, reply, {
      title: 'Voucher series',
      body: (
        <>
          {page.items.length === 0 ? (
            <Empty>No series yet.</Empty>
          ) : (
            <Table label="Voucher series">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Code</th>
                  <th>Quantity</th>
                  <th>Status</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((s) => (
                  <tr>
                    <td>
                      <a href={`/admin/vouchers/series/${s.id}`}>{s.id}</a>
                    </td>
                    <td>{s.code}</td>
                    <td>
                      {s.createdCount} / {s.quantity}
                    </td>
                    <td>
                      <Badge status={s.status} />
                    </td>
                    <td>{when(s.createdAtMs, request.tenant)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          <Pager page={page} basePath="/admin/vouchers/series" query={request.query} />
        </>
      ),
    });
  });

  admin.get('/admin/vouchers/series/:id', async (request, reply) => {
    const series = await deps.vouchers.getSeries(request.tenant.id, idParam(request.params));
    const plan = await deps.plans.find(request.tenant.id, series.planId);
    return kit.render(request, reply, {
      title: `Series ${series.code} #${series.id}`,
      body: (
        <>
          <p>
            Plan: {plan ? <a href={`/admin/plans/${plan.id}`}>{plan.title}</a> : `#${series.planId}`} ·
            Expiry:{' '}
            {series.expiryMode === 'valid_until'
              ? `valid until ${when(series.validUntilAtMs, request.tenant)}`
              : 'the plan validity after activation'}
          </p>
          <div class="progress-box" data-progress-url={`/admin/vouchers/series/${series.id}/progress`}>
            <progress
              max={series.quantity}
              value={series.createdCount}
              aria-label="Vouchers generated"
            ></progress>
            <span class="progress-text">
              <span data-created>{series.createdCount}</span> of {series.quantity} generated ·{' '}
              <span data-status>{series.status}</span>
            </span>
            {series.status === 'generating' ? (
              <noscript>
                <a href={`/admin/vouchers/series/${series.id}`}>Refresh</a>
              </noscript>
            ) : null}
          </div>
          <p class="series-links">
            <a href={`/admin/vouchers?seriesId=${series.id}`}>List the vouchers</a> ·{' '}
            <a href={`/admin/vouchers/series/${series.id}/export.csv`}>Export CSV</a> ·{' '}
            <a href={`/admin/vouchers/series/${series.id}/print`}>Printable cards</a>
          </p>
        </>
      ),
    });
  });

  admin.get('/admin/vouchers/series/:id/progress', async (request) => {
    const series = await deps.vouchers.getSeries(request.tenant.id, idParam(request.params));
    return { createdCount: series.createdCount, quantity: series.quantity, status: series.status };
  });

  admin.get('/admin/vouchers/series/:id/export.csv', async (request, reply) => {
    const id = idParam(request.params);
    const series = await deps.vouchers.getSeries(request.tenant.id, id);
    const lines = ['code,short_code,plan,status,price,currency,valid_until,created_at'];
    for await (const chunk of deps.vouchers.seriesVouchers(request.tenant.id, id)) {
      for (const v of chunk) {
        lines.push(
          [
            v.code,
            v.shortCode,
            v.planTitle,
            v.status,
            (v.priceMinor / 10 ** currencyDigits(v.currency)).toFixed(currencyDigits(v.currency)),
            v.currency,
            v.validUntilAtMs ? new Date(v.validUntilAtMs).toISOString() : '',
            new Date(v.createdAtMs).toISOString(),
          ]
            .map(csvCell)
            .join(','),
        );
      }
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="vouchers-${series.code}-${series.id}.csv"`)
      .send(`${lines.join('\r\n')}\r\n`);
  });

  admin.get('/admin/vouchers/series/:id/print', async (request, reply) => {
    const id = idParam(request.params);
    const series = await deps.vouchers.getSeries(request.tenant.id, id);
    const cards: VoucherView[] = [];
    for await (const chunk of deps.vouchers.seriesVouchers(request.tenant.id, id)) cards.push(...chunk);
    // The big code is what guests type: the short one only while the hotspot accepts it.
    const { acceptShortCode } = await deps.tenants.getSettings(request.tenant.id, 'vouchers');
    const html = renderDocument(
      <html lang="en">
        <Head title={`Vouchers ${series.code}`} />
        <body class="print-cards">
          <p class="no-print">
            <a href={`/admin/vouchers/series/${id}`}>← Back</a> · Use your browser's Print command.
          </p>
          <div class="cards">
            {cards.map((v) => (
              <div class="voucher-card">
                <div class="card-tenant">{request.tenant.name}</div>
                <div class="card-plan">{v.planTitle}</div>
                <div class="card-code">{acceptShortCode ? v.shortCode : v.code}</div>
                {acceptShortCode ? <div class="card-full">{v.code}</div> : null}
                <div class="card-limits">
                  {bytesOrUnlimited(v.dataLimitBytes)} data · {secondsOrUnlimited(v.timeLimitSeconds)} online
                  · {money(v.priceMinor, v.currency)}
                </div>
              </div>
            ))}
          </div>
        </body>
      </html>,
    );
    return reply.type('text/html; charset=utf-8').send(html);
  });

  admin.get('/admin/vouchers/:id', async (request, reply) => {
    const tenant = request.tenant;
    const v = await deps.vouchers.get(tenant.id, idParam(request.params));
    const [customer, sessions, devices] = await Promise.all([
      v.customerId ? deps.customers.find(tenant.id, v.customerId) : undefined,
      deps.sessions.list(
        tenant.id,
        { voucherId: v.id },
        { key: 'started_at', direction: 'desc' },
        { page: 1, perPage: 50 },
      ),
      voucherDevicesBlock(deps, kit, request, reply, v.id),
    ]);
    const actor = kit.actorOf(request);
    const csrf = kit.csrf(reply);
    return kit.render(request, reply, {
      title: `Voucher ${v.code}`,
      body: (
        <>
          <dl class="facts">
            <dt>Status</dt>
            <dd>
              <VoucherBadge status={v.status} usedReason={v.usedReason} />
            </dd>
            <dt>Plan</dt>
            <dd>
              <a href={`/admin/plans/${v.planId}`}>{v.planTitle}</a> · {money(v.priceMinor, v.currency)}
            </dd>
            <dt>Customer</dt>
            <dd>
              {customer ? (
                <>
                  <a href={`/admin/customers/${customer.id}`}>{customer.phone}</a> ·{' '}
                  <a
                    href={`/admin/logs/sms?${new URLSearchParams({ recipient: customer.phone }).toString()}`}
                  >
                    SMS log for this number
                  </a>
                </>
              ) : (
                'none yet — assign it with a phone number below'
              )}
            </dd>
            <dt>Data</dt>
            <dd>
              ↓ {formatBytes(v.usage.downloadedBytes)} ↑ {formatBytes(v.usage.uploadedBytes)} of{' '}
              {bytesOrUnlimited(v.dataLimitBytes)}
              {v.downloadLimitBytes !== null || v.uploadLimitBytes !== null
                ? ` (↓ limit ${bytesOrUnlimited(v.downloadLimitBytes)}, ↑ limit ${bytesOrUnlimited(v.uploadLimitBytes)})`
                : ''}
            </dd>
            <dt>Online time</dt>
            <dd>
              {formatDuration(v.usage.onlineSeconds)} of {secondsOrUnlimited(v.timeLimitSeconds)}
            </dd>
            <dt>Speed</dt>
            <dd>
              ↓ {v.speedDownKbps ?? '∞'} / ↑ {v.speedUpKbps ?? '∞'} kbps ·{' '}
              {countOf(v.devicesLimit, 'device', 'devices')}
            </dd>
            <dt>Validity</dt>
            <dd>
              {v.validUntilAtMs
                ? `valid until ${when(v.validUntilAtMs, tenant)}`
                : v.validitySeconds
                  ? `${formatDuration(v.validitySeconds)} after activation`
                  : 'no expiry'}
            </dd>
            <dt>Activated</dt>
            <dd>{when(v.activatedAtMs, tenant)}</dd>
            <dt>Expires</dt>
            <dd>{when(v.expiresAtMs, tenant)}</dd>
            <dt>Series</dt>
            <dd>{v.seriesId ? <a href={`/admin/vouchers/series/${v.seriesId}`}>#{v.seriesId}</a> : '—'}</dd>
          </dl>
          {canWrite(actor.role) ? (
            <div class="actions">
              {v.status === 'disabled' ? (
                <ActionButton action={`/admin/vouchers/${v.id}/enable`} csrf={csrf} label="Enable" />
              ) : (
                <ActionButton action={`/admin/vouchers/${v.id}/disable`} csrf={csrf} label="Disable" danger />
              )}
              {customer ? (
                <ActionButton
                  action={`/admin/vouchers/${v.id}/send-sms`}
                  csrf={csrf}
                  label="Send details by SMS"
                />
              ) : null}
              {v.status !== 'used' && v.status !== 'disabled' ? (
                <form method="post" action={`/admin/vouchers/${v.id}/assign`} class="inline">
                  <CsrfField token={csrf} />
                  <input
                    name="customer"
                    type="tel"
                    placeholder="Customer phone"
                    required
                    aria-label="Customer phone"
                  />
                  <button type="submit">
                    {customer ? 'Assign to another customer' : 'Assign to customer'}
                  </button>
                </form>
              ) : null}
            </div>
          ) : null}
          {devices}
          <h2>Sessions</h2>
          {sessions.items.length === 0 ? (
            <Empty>No sessions.</Empty>
          ) : (
            <Table label={"The voucher's sessions"}>
              <thead>
                <tr>
                  <th>Start</th>
                  <th>Stop</th>
                  <th>MAC</th>
                  <th>Data</th>
                  <th>Time</th>
                  <th>Cause</th>
                </tr>
              </thead>
              <tbody>
                {sessions.items.map((s) => (
                  <tr>
                    <td>{when(s.startedAtMs, tenant)}</td>
                    <td>{s.online ? <Badge status="online" /> : when(s.stoppedAtMs, tenant)}</td>
                    <td>{s.mac ?? ''}</td>
                    <td>
                      ↓ {formatBytes(s.downloadedBytes)} ↑ {formatBytes(s.uploadedBytes)}
                    </td>
                    <td>{formatDuration(sessionDurationSeconds(s, deps.clock.nowMs()))}</td>
                    <td>{s.terminateCause ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          {sessions.total > sessions.items.length ? (
            <p>
              Showing the newest {sessions.items.length} of {sessions.total} sessions.{' '}
              <a href={`/admin/sessions?${new URLSearchParams({ voucher: String(v.id) }).toString()}`}>
                All sessions of this voucher →
              </a>
            </p>
          ) : null}
        </>
      ),
    });
  });

  admin.post('/admin/vouchers/:id/disable', { preHandler: kit.requireWrite }, async (request, reply) => {
    const id = idParam(request.params);
    const { disconnect } = await deps.vouchers.disable(request.tenant.id, id);
    const notice =
      disconnect.sessions === 0
        ? 'disabled_none'
        : disconnect.unconfirmed === 0
          ? 'disabled_disconnected'
          : 'disabled_pending';
    return reply.redirect(`/admin/vouchers/${id}?notice=${notice}`, 303);
  });

  admin.post('/admin/vouchers/:id/enable', { preHandler: kit.requireWrite }, async (request, reply) => {
    const id = idParam(request.params);
    await deps.vouchers.enable(request.tenant.id, id);
    return reply.redirect(`/admin/vouchers/${id}?notice=enabled`, 303);
  });

  admin.post<{ Body: FormBody }>(
    '/admin/vouchers/:id/assign',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      const id = idParam(request.params);
      const tenant = request.tenant;
      const phone = normalizePhone(text(request.body, 'customer'), tenant.default_country);
      const customer = await deps.customers.findByPhone(tenant.id, phone);
      if (!customer) {
        // A guest at the desk is often not a customer yet: offer to create them, then assign.
        await deps.vouchers.get(tenant.id, id);
        const next = new URLSearchParams({ phone, assignVoucher: String(id) });
        return reply.redirect(`/admin/customers/new?${next.toString()}`, 303);
      }
      await deps.vouchers.assign(tenant.id, id, customer.id);
      return reply.redirect(`/admin/vouchers/${id}?notice=assigned`, 303);
    },
  );

  admin.post('/admin/vouchers/:id/send-sms', { preHandler: kit.requireWrite }, async (request, reply) => {
    const id = idParam(request.params);
    await sendVoucherDetails(deps, request.tenant, id);
    return reply.redirect(`/admin/vouchers/${id}?notice=sent`, 303);
  });
}
