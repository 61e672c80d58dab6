/** Logs > SMS Logs: every SMS with filters, and one message's attempts, parts and receipts. */
import type { FastifyPluginAsync } from 'fastify';
import { pageRequest } from '../../shared/index.js';
import { isSmsStatus, isSmsType, SMS_STATUSES, SMS_TYPES } from '../../sms/index.js';
import { dayRangeInZone, idParam } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import { Badge, DayRangeFields, Empty, isFiltered, Pager, Table, when } from '../views/components.js';

type Query = Record<string, string | undefined>;

export const TYPE_LABELS: Record<string, string> = {
  login_code: 'Login code',
  portal_link: 'Portal link',
  voucher_details: 'Voucher details',
  limit_warning: 'Limit warning',
  test: 'Test',
};

const OUTCOME_LABELS: Record<string, string> = {
  accepted: 'Accepted',
  partly_accepted: 'Partly accepted (resumed on this gateway)',
  temporary_failure: 'Failed, will retry',
  permanent_failure: 'Refused for good',
  no_gateway: 'No gateway enabled',
  expired: 'Code expired unsent',
};

export const smsLogPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.smsAdminDeps;
  admin.get<{ Querystring: Query }>('/admin/logs/sms', async (request, reply) => {
    const q = request.query;
    const tenant = request.tenant;
    const paging = pageRequest(q.page, q.perPage);
    const { items, total } = await deps.sms.listMessages(tenant.id, {
      ...dayRangeInZone(q.from, q.to, tenant.time_zone),
      type: isSmsType(q.type) ? q.type : undefined,
      status: isSmsStatus(q.status) ? q.status : undefined,
      recipient: q.recipient?.slice(0, 40) || undefined,
      limit: paging.perPage,
      offset: (paging.page - 1) * paging.perPage,
    });
    const filters = { from: q.from, to: q.to, type: q.type, status: q.status, recipient: q.recipient };
    return kit.render(request, reply, {
      title: 'SMS Logs',
      body: (
        <>
          <form method="get" class="filters">
            <DayRangeFields from={q.from} to={q.to} />
            <select name="type" aria-label="Type">
              <option value="">All types</option>
              {SMS_TYPES.map((t) => (
                <option value={t} selected={q.type === t}>
                  {TYPE_LABELS[t]}
                </option>
              ))}
            </select>
            <select name="status" aria-label="Status">
              <option value="">All statuses</option>
              {SMS_STATUSES.map((s) => (
                <option value={s} selected={q.status === s}>
                  {s}
                </option>
              ))}
            </select>
            <input
              name="recipient"
              placeholder="Recipient"
              aria-label="Recipient"
              value={q.recipient ?? ''}
            />
            <button type="submit">Filter</button>
          </form>
          {items.length === 0 ? (
            <Empty>
              {isFiltered(q) ? (
                'No SMS match.'
              ) : (
                <>
                  No SMS sent yet. Every text Portico sends (login codes, portal links, voucher details,
                  tests) is listed here; add a gateway under{' '}
                  <a href="/admin/config/sms-gateways">SMS gateways</a>.
                </>
              )}
            </Empty>
          ) : (
            <Table label="SMS log">
              <thead>
                <tr>
                  <th>ID</th>
                  <th>Recipient</th>
                  <th>Type</th>
                  <th>Text</th>
                  <th>Status</th>
                  <th>Attempts</th>
                  <th>Date and time</th>
                </tr>
              </thead>
              <tbody>
                {items.map((m) => (
                  <tr>
                    <td>
                      <a href={`/admin/logs/sms/${m.id}`}>{m.id}</a>
                    </td>
                    <td>{m.recipient}</td>
                    <td>{TYPE_LABELS[m.type] ?? m.type}</td>
                    <td class="sms-text">
                      <a href={`/admin/logs/sms/${m.id}`}>
                        {m.text.length > 80 ? `${m.text.slice(0, 79)}…` : m.text}
                      </a>
                    </td>
                    <td>
                      <Badge status={m.status} />
                    </td>
                    <td>{m.attempts}</td>
                    <td>{when(m.createdAt, tenant)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          <Pager
            page={{ items, total, page: paging.page, perPage: paging.perPage }}
            basePath="/admin/logs/sms"
            query={filters}
          />
        </>
      ),
    });
  });

  admin.get('/admin/logs/sms/:id', async (request, reply) => {
    const m = await deps.sms.getMessage(request.tenant.id, idParam(request.params));
    const gatewayNames = new Map(
      (await deps.sms.listGateways(request.tenant.id)).map((g) => [g.id, g.name] as const),
    );
    const tenant = request.tenant;
    return kit.render(request, reply, {
      title: `SMS #${m.id}`,
      body: (
        <>
          <p>
            <a href="/admin/logs/sms">← SMS Logs</a>
          </p>
          <dl class="details">
            <dt>Recipient</dt>
            <dd>{m.recipient}</dd>
            <dt>Type</dt>
            <dd>{TYPE_LABELS[m.type] ?? m.type}</dd>
            <dt>Status</dt>
            <dd>
              <Badge status={m.status} />
            </dd>
            <dt>Text</dt>
            <dd>
              <pre class="sms-preview">{m.text}</pre>
            </dd>
            <dt>Attempts</dt>
            <dd>{m.attempts}</dd>
            <dt>Gateway</dt>
            <dd>{m.gatewayName ?? (m.gatewayId !== null ? `#${m.gatewayId} (deleted)` : '—')}</dd>
            <dt>Gateway answer</dt>
            <dd>{m.gatewayAnswer ?? '—'}</dd>
            <dt>Error</dt>
            <dd>{m.error ?? '—'}</dd>
            <dt>Created</dt>
            <dd>{when(m.createdAt, tenant)}</dd>
            <dt>Sent</dt>
            <dd>{when(m.sentAt, tenant)}</dd>
            {m.nextAttemptAt !== null ? (
              <>
                <dt>Next attempt</dt>
                <dd>{when(m.nextAttemptAt, tenant)}</dd>
              </>
            ) : null}
          </dl>
          <h2>Attempts</h2>
          {m.history.length === 0 ? (
            <Empty>No attempt yet.</Empty>
          ) : (
            <Table label="Attempts">
              <thead>
                <tr>
                  <th>Pass</th>
                  <th>Time</th>
                  <th>Gateway</th>
                  <th>Outcome</th>
                  <th>Parts accepted</th>
                  <th>Gateway answer</th>
                  <th>Error</th>
                </tr>
              </thead>
              <tbody>
                {m.history.map((a) => (
                  <tr>
                    <td>{a.pass}</td>
                    <td>{when(a.startedAt, tenant)}</td>
                    <td>{a.gatewayName ?? '—'}</td>
                    <td>{OUTCOME_LABELS[a.outcome] ?? a.outcome}</td>
                    <td>{a.partsTotal !== null ? `${a.partsAccepted} of ${a.partsTotal}` : '—'}</td>
                    <td class="sms-text">{a.answer ?? '—'}</td>
                    <td class="sms-text">{a.error ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          <h2>Parts and delivery receipts</h2>
          {m.parts.length === 0 ? (
            <Empty>No part accepted by a gateway yet.</Empty>
          ) : (
            <Table label="Parts">
              <thead>
                <tr>
                  <th>Part</th>
                  <th>Gateway</th>
                  <th>Message id</th>
                  <th>Status</th>
                  <th>Receipt</th>
                  <th>Accepted</th>
                  <th>Receipt time</th>
                </tr>
              </thead>
              <tbody>
                {m.parts.map((p) => (
                  <tr>
                    <td>
                      {p.partNumber} of {p.partCount}
                    </td>
                    <td>{gatewayNames.get(p.gatewayId) ?? `#${p.gatewayId}`}</td>
                    <td>{p.externalId ?? '—'}</td>
                    <td>
                      <Badge status={p.status} />
                    </td>
                    <td>{p.receiptState ?? '—'}</td>
                    <td>{when(p.acceptedAt, tenant)}</td>
                    <td>{when(p.receiptAt, tenant)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </>
      ),
    });
  });
};
