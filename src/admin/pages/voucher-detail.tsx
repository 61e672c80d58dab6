/** One voucher: facts, actions (disable, enable, assign, send details by SMS), devices and sessions. */
import type { FastifyPluginAsync } from 'fastify';
import { canWrite } from '../../auth/index.js';
import { normalizePhone } from '../../customers/index.js';
import { countOf } from '../../shared/index.js';
import { idParam, text, type FormBody } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import { SessionsTable } from '../views/lists.js';
import {
  ActionButton,
  bytesOrUnlimited,
  CsrfField,
  Empty,
  formatBytes,
  formatDuration,
  money,
  secondsOrUnlimited,
  VoucherBadge,
  when,
} from '../views/components.js';
import { voucherDevicesBlock } from './voucher-devices.js';

export const voucherDetailPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
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
            <SessionsTable
              label={"The voucher's sessions"}
              sessions={sessions.items}
              zone={tenant}
              nowMs={deps.clock.nowMs()}
            />
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
    await deps.voucherSms.send(request.tenant, id);
    return reply.redirect(`/admin/vouchers/${id}?notice=sent`, 303);
  });
};
