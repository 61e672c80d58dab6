/** Vouchers > Generate a series: the form (plan, quantity, expiry, optional customer) and its POST. */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { normalizePhone } from '../../customers/index.js';
import { AppError } from '../../shared/index.js';
import { dateEnd, text, type FormBody } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import { CsrfField } from '../views/components.js';

type Query = Record<string, string | undefined>;

export const voucherGeneratePages: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
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
};
