/** Vouchers > series: the list, one series with its generation progress, CSV export and printable cards. */
import type { FastifyPluginAsync } from 'fastify';
import { renderDocument } from '../../http/index.js';
import { csvCell, currencyDigits, pageRequest } from '../../shared/index.js';
import type { VoucherView } from '../../vouchers/index.js';
import { idParam } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import {
  Badge,
  bytesOrUnlimited,
  Empty,
  money,
  Pager,
  secondsOrUnlimited,
  Table,
  when,
} from '../views/components.js';
import { Head } from '../views/layout.js';

type Query = Record<string, string | undefined>;

export const voucherSeriesPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
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
};
