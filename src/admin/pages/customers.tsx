import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { canWrite } from '../../auth/index.js';
import {
  CUSTOMER_SORT_KEYS,
  CUSTOMER_STATUSES,
  type CustomerInput,
  type CustomerStatus,
  type CustomerView,
  normalizePhone,
} from '../../customers/index.js';
import { AppError, pageRequest, parseSort } from '../../shared/index.js';
import { idParam, text, type FormBody } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import { SessionsTable, VouchersTable } from '../views/lists.js';
import {
  Table,
  ActionButton,
  Badge,
  CsrfField,
  Empty,
  isFiltered,
  Pager,
  SortSelect,
  when,
} from '../views/components.js';

type Query = Record<string, string | undefined>;

function fromForm(body: FormBody): CustomerInput {
  return { phone: text(body, 'phone'), name: text(body, 'name') || null, email: text(body, 'email') || null };
}

function CustomerForm({
  customer,
  csrf,
  action,
  assignVoucherId,
}: {
  customer?: Partial<CustomerInput>;
  csrf: string;
  action: string;
  /** A voucher to assign to the customer once saved (coming from "Assign to customer"). */
  assignVoucherId?: number | undefined;
}) {
  return (
    <form method="post" action={action} class="stack">
      <CsrfField token={csrf} />
      {assignVoucherId ? <input type="hidden" name="assignVoucher" value={String(assignVoucherId)} /> : null}
      <label>
        Phone number
        <input name="phone" type="tel" required value={customer?.phone ?? ''} />
      </label>
      <label>
        Name
        <input name="name" maxLength={200} value={customer?.name ?? ''} />
      </label>
      <label>
        Email
        <input name="email" type="email" maxLength={254} value={customer?.email ?? ''} />
      </label>
      <button type="submit">Save customer</button>
    </form>
  );
}

const FORM_ERRORS = ['VALIDATION', 'PHONE_INVALID', 'CONFLICT'];

export const customersPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
  admin.get<{ Querystring: Query }>('/admin/customers', async (request, reply) => {
    const q = request.query;
    const sort = parseSort(q.sort, CUSTOMER_SORT_KEYS, { key: 'joined_at', direction: 'desc' });
    const status = (CUSTOMER_STATUSES as readonly string[]).includes(q.status ?? '')
      ? (q.status as CustomerStatus)
      : undefined;
    const page = await deps.customers.list(
      request.tenant.id,
      { search: q.q, status },
      sort,
      pageRequest(q.page, q.perPage),
    );
    return kit.render(request, reply, {
      title: 'Customers',
      body: (
        <>
          {canWrite(kit.actorOf(request).role) ? (
            <p>
              <a class="button" href="/admin/customers/new">
                New customer
              </a>
            </p>
          ) : null}
          <form method="get" class="filters">
            <input name="q" placeholder="Phone, name or email" value={q.q ?? ''} aria-label="Search" />
            <select name="status" aria-label="Status">
              <option value="">Any status</option>
              {CUSTOMER_STATUSES.map((s) => (
                <option value={s} selected={q.status === s}>
                  {s}
                </option>
              ))}
            </select>
            <SortSelect
              current={q.sort}
              options={[
                ['-joined_at', 'Newest first'],
                ['-last_seen_at', 'Last seen first'],
                ['phone', 'Phone number'],
                ['name', 'Name A–Z'],
              ]}
            />
            <button type="submit">Search</button>
          </form>
          {page.items.length === 0 ? (
            <Empty>
              {isFiltered(q)
                ? 'No customers match.'
                : 'No customers yet. Customers are your guests, known by their phone number: add one with “New customer”, or they appear when you assign them a voucher or they sign in to the portal.'}
            </Empty>
          ) : (
            <Table label="Customers">
              <thead>
                <tr>
                  <th>Phone</th>
                  <th>Name</th>
                  <th>Email</th>
                  <th>Status</th>
                  <th>Joined</th>
                  <th>Last seen</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((c) => (
                  <tr>
                    <td>
                      <a href={`/admin/customers/${c.id}`}>{c.phone}</a>
                    </td>
                    <td>{c.name ?? ''}</td>
                    <td>{c.email ?? ''}</td>
                    <td>
                      <Badge status={c.status} />
                    </td>
                    <td>{when(c.joinedAtMs, request.tenant)}</td>
                    <td>{when(c.lastSeenAtMs, request.tenant)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          <Pager page={page} basePath="/admin/customers" query={q} />
        </>
      ),
    });
  });

  /** The voucher an operator was assigning when the phone number had no customer yet. */
  const voucherToAssign = async (tenantId: number, raw: unknown) => {
    const id = Number(typeof raw === 'string' ? raw : '');
    if (!Number.isSafeInteger(id) || id < 1) return undefined;
    return deps.vouchers.get(tenantId, id);
  };

  admin.get<{ Querystring: Query }>(
    '/admin/customers/new',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      const tenant = request.tenant;
      const voucher = await voucherToAssign(tenant.id, request.query.assignVoucher);
      let phone = '';
      try {
        phone = request.query.phone ? normalizePhone(request.query.phone, tenant.default_country) : '';
      } catch {
        phone = '';
      }
      return kit.render(request, reply, {
        title: 'New customer',
        body: (
          <>
            {voucher ? (
              <p class="hint" data-hint="assign-new-customer">
                {phone ? `No customer has the number ${phone} yet. ` : ''}Save the customer and voucher{' '}
                <a href={`/admin/vouchers/${voucher.id}`}>{voucher.code}</a> is assigned to them.
              </p>
            ) : (
              <p class="hint">
                Customers are identified by their phone number. They also appear here on their own when they
                sign in to the portal or get a voucher.
              </p>
            )}
            <CustomerForm
              customer={{ phone }}
              csrf={kit.csrf(reply)}
              action="/admin/customers"
              assignVoucherId={voucher?.id}
            />
          </>
        ),
      });
    },
  );

  admin.post<{ Body: FormBody }>(
    '/admin/customers',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      const input = fromForm(request.body);
      const voucher = await voucherToAssign(request.tenant.id, text(request.body, 'assignVoucher'));
      try {
        const customer = await deps.customers.create(
          request.tenant.id,
          request.tenant.default_country,
          input,
          deps.clock.nowMs(),
        );
        if (voucher) {
          await deps.vouchers.assign(request.tenant.id, voucher.id, customer.id);
          return reply.redirect(`/admin/vouchers/${voucher.id}?notice=assigned-new`, 303);
        }
        return reply.redirect(`/admin/customers/${customer.id}?notice=customer-created`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || !FORM_ERRORS.includes(error.code)) throw error;
        return kit.render(request, reply, {
          title: 'New customer',
          status: 400,
          error: error.message,
          body: (
            <CustomerForm
              customer={input}
              csrf={kit.csrf(reply)}
              action="/admin/customers"
              assignVoucherId={voucher?.id}
            />
          ),
        });
      }
    },
  );

  const detail = async (
    request: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerView,
    form?: { input: CustomerInput; error: string },
  ) => {
    const tenant = request.tenant;
    const [vouchers, sessions, sms] = await Promise.all([
      deps.vouchers.list(
        tenant.id,
        { customerId: customer.id },
        { key: 'created_at', direction: 'desc' },
        { page: 1, perPage: 100 },
      ),
      deps.sessions.list(
        tenant.id,
        { customerId: customer.id },
        { key: 'started_at', direction: 'desc' },
        { page: 1, perPage: 50 },
      ),
      deps.sms.ofCustomer(tenant.id, customer.id),
    ]);
    const devices = await deps.devices.ofVouchers(
      tenant.id,
      vouchers.items.map((v) => v.id),
    );
    const voucherCodes = new Map(vouchers.items.map((v) => [v.id, v.code]));
    const writable = canWrite(kit.actorOf(request).role);
    const csrf = kit.csrf(reply);
    return kit.render(request, reply, {
      title: customer.name ? `${customer.name} (${customer.phone})` : customer.phone,
      status: form ? 400 : 200,
      error: form?.error,
      body: (
        <>
          <p>
            <Badge status={customer.status} /> Joined {when(customer.joinedAtMs, tenant)} · last seen{' '}
            {when(customer.lastSeenAtMs, tenant)} {customer.email ? `· ${customer.email}` : null}
          </p>
          {writable ? (
            <div class="actions">
              <ActionButton
                action={`/admin/customers/${customer.id}/status`}
                csrf={csrf}
                label={customer.status === 'blocked' ? 'Unblock' : 'Block'}
                danger={customer.status !== 'blocked'}
                fields={{ status: customer.status === 'blocked' ? 'active' : 'blocked' }}
              />
              <a
                class="button secondary"
                href={`/admin/vouchers/generate?customer=${encodeURIComponent(customer.phone)}`}
              >
                New voucher for this customer
              </a>
            </div>
          ) : null}
          <h2>Vouchers</h2>
          {vouchers.items.length === 0 ? (
            <Empty>No vouchers.</Empty>
          ) : (
            <VouchersTable label={"The customer's vouchers"} vouchers={vouchers.items} zone={tenant} />
          )}
          <h2>Devices</h2>
          {devices.length === 0 ? (
            <Empty>No devices.</Empty>
          ) : (
            <ul>
              {devices.map((d) => (
                // Changes happen in the voucher's Associated devices block: link to the device's row there.
                <li>
                  <a href={`/admin/vouchers/${d.voucherId}#device-${d.id}`}>{d.mac}</a>{' '}
                  {d.title ? `— ${d.title}` : ''} on voucher {voucherCodes.get(d.voucherId)} (last seen{' '}
                  {when(d.lastSeenAtMs, tenant)})
                </li>
              ))}
            </ul>
          )}
          <h2>Sessions</h2>
          {sessions.items.length === 0 ? (
            <Empty>No sessions.</Empty>
          ) : (
            <SessionsTable
              label={"The customer's sessions"}
              sessions={sessions.items}
              zone={tenant}
              nowMs={deps.clock.nowMs()}
            />
          )}
          <h2>SMS</h2>
          {sms.length === 0 ? (
            <Empty>No SMS sent to this customer.</Empty>
          ) : (
            <Table label="SMS to the customer">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Type</th>
                  <th>Status</th>
                  <th>Text</th>
                </tr>
              </thead>
              <tbody>
                {sms.map((m) => (
                  <tr>
                    <td>{when(m.createdAtMs, tenant)}</td>
                    <td>{m.type}</td>
                    <td>
                      <Badge status={m.status} />
                    </td>
                    <td>{m.text}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          {writable ? (
            <>
              <h2>Edit</h2>
              <CustomerForm
                customer={form?.input ?? customer}
                csrf={csrf}
                action={`/admin/customers/${customer.id}`}
              />
            </>
          ) : null}
        </>
      ),
    });
  };

  admin.get('/admin/customers/:id', async (request, reply) => {
    const customer = await deps.customers.get(request.tenant.id, idParam(request.params));
    return detail(request, reply, customer);
  });

  admin.post<{ Body: FormBody }>(
    '/admin/customers/:id',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      const id = idParam(request.params);
      const customer = await deps.customers.get(request.tenant.id, id);
      const input = fromForm(request.body);
      try {
        await deps.customers.update(request.tenant.id, id, request.tenant.default_country, input);
        return reply.redirect(`/admin/customers/${id}?notice=saved`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || !FORM_ERRORS.includes(error.code)) throw error;
        return detail(request, reply, customer, { input, error: error.message });
      }
    },
  );

  admin.post<{ Body: FormBody }>(
    '/admin/customers/:id/status',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      const id = idParam(request.params);
      const status = text(request.body, 'status') === 'blocked' ? 'blocked' : 'active';
      await deps.customers.setStatus(request.tenant.id, id, status);
      // A blocked customer is signed out of the portal at once.
      if (status === 'blocked') await deps.webSessions.destroyAllFor(request.tenant.id, 'portal', id);
      return reply.redirect(
        `/admin/customers/${id}?notice=${status === 'blocked' ? 'blocked' : 'unblocked'}`,
        303,
      );
    },
  );
};
