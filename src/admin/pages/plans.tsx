import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { canWrite } from '../../auth/index.js';
import { PLAN_SORT_KEYS, type PlanInput, type PlanView } from '../../plans/index.js';
import { AppError, countOf, currencyDigits, MB, pageRequest, parseSort } from '../../shared/index.js';
import { checked, idParam, scaled, text, type FormBody } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import {
  Table,
  ActionButton,
  Badge,
  bytesOrUnlimited,
  CsrfField,
  Empty,
  isFiltered,
  money,
  Pager,
  SortSelect,
  secondsOrUnlimited,
} from '../views/components.js';

type Query = Record<string, string | undefined>;

type LimitKey =
  | 'speedDownKbps'
  | 'speedUpKbps'
  | 'dataLimitBytes'
  | 'downloadLimitBytes'
  | 'uploadLimitBytes'
  | 'timeLimitSeconds'
  | 'validitySeconds';

/**
 * A plan's limits as form fields: the field's name, how many of the plan's units one typed unit
 * is (MB → bytes, minutes → seconds), and the limit's name in a refusal. One table for reading
 * the form and for filling it, so the two cannot disagree on a unit.
 */
const LIMIT_FIELDS: Record<LimitKey, { name: string; unit: number; what: string }> = {
  speedDownKbps: { name: 'speedDownKbps', unit: 1, what: 'Download speed' },
  speedUpKbps: { name: 'speedUpKbps', unit: 1, what: 'Upload speed' },
  dataLimitBytes: { name: 'dataLimitMb', unit: MB, what: 'The data limit' },
  downloadLimitBytes: { name: 'downloadLimitMb', unit: MB, what: 'The download limit' },
  uploadLimitBytes: { name: 'uploadLimitMb', unit: MB, what: 'The upload limit' },
  timeLimitSeconds: { name: 'timeLimitMinutes', unit: 60, what: 'The time limit' },
  validitySeconds: { name: 'validityHours', unit: 3600, what: 'The validity' },
};

function limitFromForm(body: FormBody, key: LimitKey): number | null {
  const { name, unit, what } = LIMIT_FIELDS[key];
  return scaled(body, name, unit, what);
}

function planFromForm(body: FormBody, currencyFallback: string): PlanInput {
  const currency = (text(body, 'currency') || currencyFallback).toUpperCase();
  const limitMode = text(body, 'limitMode');
  const price = scaled(body, 'price', 10 ** currencyDigits(currency), 'The price') ?? 0;
  return {
    title: text(body, 'title'),
    isActive: checked(body, 'isActive'),
    voucherPrefix: text(body, 'voucherPrefix'),
    priceMinor: price,
    currency,
    speedDownKbps: limitFromForm(body, 'speedDownKbps'),
    speedUpKbps: limitFromForm(body, 'speedUpKbps'),
    dataLimitBytes: limitMode === 'split' ? null : limitFromForm(body, 'dataLimitBytes'),
    downloadLimitBytes: limitMode === 'split' ? limitFromForm(body, 'downloadLimitBytes') : null,
    uploadLimitBytes: limitMode === 'split' ? limitFromForm(body, 'uploadLimitBytes') : null,
    timeLimitSeconds: limitFromForm(body, 'timeLimitSeconds'),
    validitySeconds: limitFromForm(body, 'validitySeconds'),
    devicesLimit: scaled(body, 'devicesLimit', 1, 'Simultaneous devices') ?? 1,
  };
}

const num = (value: number | null, divisor: number) => (value === null ? '' : String(value / divisor));

function PlanForm({
  plan,
  csrf,
  action,
  currency,
  typed,
}: {
  plan?: PlanInput;
  csrf: string;
  action: string;
  currency: string;
  /** What the operator typed, shown again after an error (the form keeps it, as typed). */
  typed?: FormBody | undefined;
}) {
  const p = plan;
  const cur = typed ? text(typed, 'currency') || currency : (p?.currency ?? currency);
  const split = typed
    ? text(typed, 'limitMode') === 'split'
    : p !== undefined && (p.downloadLimitBytes !== null || p.uploadLimitBytes !== null);
  const field = (name: string, stored: string) => (typed ? text(typed, name) : stored);
  const limitField = (key: LimitKey, inputMode: 'numeric' | 'decimal', label: ComponentChildren) => {
    const { name, unit } = LIMIT_FIELDS[key];
    return (
      <label>
        {label}
        <input name={name} inputMode={inputMode} value={field(name, num(p?.[key] ?? null, unit))} />
      </label>
    );
  };
  return (
    <form method="post" action={action} class="stack form-grid">
      <CsrfField token={csrf} />
      <label>
        Title
        <input name="title" required maxLength={200} value={field('title', p?.title ?? '')} />
      </label>
      <label>
        Voucher prefix <small>(letters and digits, part of every code)</small>
        <input
          name="voucherPrefix"
          required
          pattern="[A-Za-z0-9]{1,32}"
          value={field('voucherPrefix', p?.voucherPrefix ?? '')}
        />
      </label>
      <label class="check">
        <input
          type="checkbox"
          name="isActive"
          checked={typed ? checked(typed, 'isActive') : (p?.isActive ?? true)}
        />{' '}
        Active (vouchers can be made from it)
      </label>
      <fieldset>
        <legend>Price</legend>
        <label>
          Price
          <input
            name="price"
            inputMode="decimal"
            value={field('price', p ? String(p.priceMinor / 10 ** currencyDigits(cur)) : '0')}
          />
        </label>
        <label>
          Currency
          <input name="currency" maxLength={3} value={cur} />
        </label>
      </fieldset>
      <fieldset>
        <legend>Speed (empty = not limited)</legend>
        {limitField('speedDownKbps', 'numeric', 'Download, kbps')}
        {limitField('speedUpKbps', 'numeric', 'Upload, kbps')}
      </fieldset>
      <fieldset>
        <legend>Data limit (empty = unlimited)</legend>
        <label class="check">
          <input type="radio" name="limitMode" value="total" checked={!split} /> Total (download + upload)
        </label>
        {limitField('dataLimitBytes', 'decimal', 'Total, MB')}
        <label class="check">
          <input type="radio" name="limitMode" value="split" checked={split} /> Separate download and upload
        </label>
        {limitField('downloadLimitBytes', 'decimal', 'Download, MB')}
        {limitField('uploadLimitBytes', 'decimal', 'Upload, MB')}
      </fieldset>
      <fieldset>
        <legend>Time</legend>
        {limitField(
          'timeLimitSeconds',
          'decimal',
          <>
            Online time limit, minutes <small>(over all sessions; empty = unlimited)</small>
          </>,
        )}
        {limitField(
          'validitySeconds',
          'decimal',
          <>
            Validity after activation, hours <small>(empty = none)</small>
          </>,
        )}
        <label>
          Simultaneous devices
          <input
            name="devicesLimit"
            type="number"
            min={1}
            max={100}
            value={field('devicesLimit', String(p?.devicesLimit ?? 1))}
          />
        </label>
      </fieldset>
      <button type="submit">Save plan</button>
    </form>
  );
}

function limits(p: PlanView): string {
  const data =
    p.downloadLimitBytes !== null || p.uploadLimitBytes !== null
      ? `↓ ${bytesOrUnlimited(p.downloadLimitBytes)} / ↑ ${bytesOrUnlimited(p.uploadLimitBytes)}`
      : bytesOrUnlimited(p.dataLimitBytes);
  return `${data} · ${secondsOrUnlimited(p.timeLimitSeconds)}`;
}

export const plansPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
  admin.get<{ Querystring: Query }>('/admin/plans', async (request, reply) => {
    const q = request.query;
    const actor = kit.actorOf(request);
    const active = q.active === 'yes' ? true : q.active === 'no' ? false : undefined;
    const sort = parseSort(q.sort, PLAN_SORT_KEYS, { key: 'title', direction: 'asc' });
    const page = await deps.plans.list(
      request.tenant.id,
      { isActive: active, search: q.q },
      sort,
      pageRequest(q.page, q.perPage),
    );
    return kit.render(request, reply, {
      title: 'Plans',
      body: (
        <>
          {canWrite(actor.role) ? (
            <p>
              <a class="button" href="/admin/plans/new">
                New plan
              </a>
            </p>
          ) : null}
          <form method="get" class="filters">
            <input name="q" placeholder="Title" value={q.q ?? ''} aria-label="Title" />
            <select name="active" aria-label="Active">
              <option value="">All</option>
              <option value="yes" selected={q.active === 'yes'}>
                Active
              </option>
              <option value="no" selected={q.active === 'no'}>
                Inactive
              </option>
            </select>
            <SortSelect
              current={q.sort}
              options={[
                ['title', 'Title A–Z'],
                ['-created_at', 'Newest first'],
                ['price_minor', 'Cheapest first'],
                ['-price_minor', 'Dearest first'],
              ]}
            />
            <button type="submit">Filter</button>
          </form>
          {page.items.length === 0 ? (
            <Empty>
              {isFiltered(q) ? (
                'No plans match.'
              ) : (
                <>
                  No plans yet. A plan is what you sell: its price, speed, data and time limits, and how many
                  devices may share a voucher. Create the first with “New plan”; vouchers are then made from
                  it.
                </>
              )}
            </Empty>
          ) : (
            <Table label="Plans">
              <thead>
                <tr>
                  <th>Title</th>
                  <th>Prefix</th>
                  <th>Price</th>
                  <th>Limits</th>
                  <th>Devices</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((p) => (
                  <tr>
                    <td>
                      <a href={`/admin/plans/${p.id}`}>{p.title}</a>
                    </td>
                    <td>{p.voucherPrefix}</td>
                    <td>{money(p.priceMinor, p.currency)}</td>
                    <td>{limits(p)}</td>
                    <td>{p.devicesLimit}</td>
                    <td>
                      <Badge status={p.isActive ? 'active' : 'inactive'} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          <Pager page={page} basePath="/admin/plans" query={q} />
        </>
      ),
    });
  });

  admin.get('/admin/plans/new', { preHandler: kit.requireWrite }, async (request, reply) =>
    kit.render(request, reply, {
      title: 'New plan',
      body: <PlanForm csrf={kit.csrf(reply)} action="/admin/plans" currency={request.tenant.currency} />,
    }),
  );

  /** Saves a sent plan form with `save` (→ where to go); a refused one comes back as typed, with why. */
  const savePlan = async (
    request: FastifyRequest<{ Body: FormBody }>,
    reply: FastifyReply,
    form: { title: string; action: string; currency: string },
    save: (input: PlanInput) => Promise<string>,
  ) => {
    try {
      return reply.redirect(await save(planFromForm(request.body, form.currency)), 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'VALIDATION') throw error;
      return kit.render(request, reply, {
        title: form.title,
        status: 400,
        error: error.message,
        body: (
          <PlanForm
            typed={request.body}
            csrf={kit.csrf(reply)}
            action={form.action}
            currency={form.currency}
          />
        ),
      });
    }
  };

  admin.post<{ Body: FormBody }>('/admin/plans', { preHandler: kit.requireWrite }, async (request, reply) =>
    savePlan(
      request,
      reply,
      { title: 'New plan', action: '/admin/plans', currency: request.tenant.currency },
      async (input) => {
        const plan = await deps.plans.create(request.tenant.id, input);
        return `/admin/plans/${plan.id}?notice=plan-created`;
      },
    ),
  );

  admin.get('/admin/plans/:id', async (request, reply) => {
    const plan = await deps.plans.get(request.tenant.id, idParam(request.params));
    const actor = kit.actorOf(request);
    const csrf = kit.csrf(reply);
    return kit.render(request, reply, {
      title: plan.title,
      body: (
        <>
          <p>
            <Badge status={plan.isActive ? 'active' : 'inactive'} /> {money(plan.priceMinor, plan.currency)} ·{' '}
            {limits(plan)} · {countOf(plan.devicesLimit, 'device', 'devices')} ·{' '}
            <a href={`/admin/vouchers?planId=${plan.id}`}>Vouchers of this plan</a>
          </p>
          {canWrite(actor.role) ? (
            <>
              <p>
                <ActionButton
                  action={`/admin/plans/${plan.id}/active`}
                  csrf={csrf}
                  label={plan.isActive ? 'Deactivate' : 'Activate'}
                  fields={{ isActive: plan.isActive ? '0' : '1' }}
                />{' '}
                <a class="button" href={`/admin/vouchers/generate?planId=${plan.id}`}>
                  Generate vouchers
                </a>
              </p>
              <h2>Edit</h2>
              <PlanForm plan={plan} csrf={csrf} action={`/admin/plans/${plan.id}`} currency={plan.currency} />
            </>
          ) : null}
        </>
      ),
    });
  });

  admin.post<{ Body: FormBody }>(
    '/admin/plans/:id',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      const id = idParam(request.params);
      const current = await deps.plans.get(request.tenant.id, id);
      return savePlan(
        request,
        reply,
        { title: current.title, action: `/admin/plans/${id}`, currency: current.currency },
        async (input) => {
          await deps.plans.update(request.tenant.id, id, input);
          return `/admin/plans/${id}?notice=saved`;
        },
      );
    },
  );

  admin.post<{ Body: FormBody }>(
    '/admin/plans/:id/active',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      const id = idParam(request.params);
      const isActive = text(request.body, 'isActive') === '1';
      await deps.plans.setActive(request.tenant.id, id, isActive);
      return reply.redirect(`/admin/plans/${id}?notice=${isActive ? 'enabled' : 'disabled'}`, 303);
    },
  );
};
