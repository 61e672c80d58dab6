import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { createApiToken } from '../../test/helpers/admin.js';
import {
  createCustomer,
  createHotspot,
  createPlan,
  createSession,
  createTenant,
  createVoucher,
} from '../../test/helpers/factories.js';
import { DEFAULT_CODE_ALPHABET } from '../tenants/index.js';
import { routesUnder } from '../http/index.js';

interface Fixture {
  tenantId: number;
  token: string;
  host: string;
  planId: number;
  voucherId: number;
  customerId: number;
  sessionId: number;
  seriesId: number;
}

describe.each(TEST_DIALECTS)('REST API /api/v1 (%s)', (dialect) => {
  let app: TestApp;
  let a: Fixture;
  let b: Fixture;
  let readonlyToken: string;

  const call = (fixture: { token: string; host: string }, method: string, url: string, payload?: unknown) =>
    app.http.inject({
      method: method as 'GET',
      url,
      headers: { host: fixture.host, authorization: `Bearer ${fixture.token}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  async function seed(tenantId: number, host: string): Promise<Fixture> {
    const db = app.store.db;
    const plan = await createPlan(db, tenantId, { title: `Plan of ${host}` });
    const customer = await createCustomer(db, tenantId, { name: `Customer of ${host}` });
    const voucher = await createVoucher(db, plan, {
      customer_id: customer.id,
      status: 'active',
      downloaded_bytes: 1234,
    });
    const hotspot = await createHotspot(db, tenantId);
    const session = await createSession(db, {
      tenant_id: tenantId,
      hotspot_id: hotspot.id,
      voucher_id: voucher.id,
    });
    const token = await createApiToken(app, tenantId, 'owner');
    const series = await call({ token, host }, 'POST', '/api/v1/voucher-series', {
      planId: plan.id,
      quantity: 3,
    });
    await app.vouchers.generator.idle();
    return {
      tenantId,
      token,
      host,
      planId: plan.id,
      voucherId: voucher.id,
      customerId: customer.id,
      sessionId: session.id,
      seriesId: series.json<{ id: number }>().id,
    };
  }

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    a = await seed(app.bootstrapped.tenant.id, 'localhost');
    const other = await createTenant(app.store.db, { name: 'Other', hosts: ['b.example.com'] });
    b = await seed(other.id, 'b.example.com');
    readonlyToken = await createApiToken(app, a.tenantId, 'readonly');
  });
  afterAll(() => app.destroy());

  it('needs a valid bearer token of the same tenant', async () => {
    const none = await app.http.inject({ url: '/api/v1/plans', headers: { host: 'localhost' } });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(
      (await call({ token: 'pt_not-a-real-token-000000', host: 'localhost' }, 'GET', '/api/v1/plans'))
        .statusCode,
    ).toBe(401);
    // B's token on A's host name is not accepted.
    expect((await call({ token: b.token, host: 'localhost' }, 'GET', '/api/v1/plans')).statusCode).toBe(401);
  });

  it('lists each resource of the own tenant only, in one pagination shape', async () => {
    for (const [path, own] of [
      ['/api/v1/plans', a.planId],
      ['/api/v1/vouchers', a.voucherId],
      ['/api/v1/customers', a.customerId],
      ['/api/v1/sessions', a.sessionId],
      ['/api/v1/voucher-series', a.seriesId],
    ] as const) {
      const response = await call(a, 'GET', path);
      expect(response.statusCode, path).toBe(200);
      const body = response.json<{
        items: Array<{ id: number }>;
        page: number;
        perPage: number;
        total: number;
      }>();
      expect(body.page).toBe(1);
      expect(body.perPage).toBe(50);
      expect(body.total).toBe(body.items.length);
      expect(body.items.map((i) => i.id)).toContain(own);
      const otherTenant = await call(b, 'GET', path);
      const otherIds = otherTenant.json<{ items: Array<{ id: number }> }>().items.map((i) => i.id);
      for (const id of body.items.map((i) => i.id)) expect(otherIds, path).not.toContain(id);
    }
  });

  it('shows vouchers with their usage counters', async () => {
    const voucher = (await call(a, 'GET', `/api/v1/vouchers/${a.voucherId}`)).json<{
      usage: { downloadedBytes: number };
      customerId: number;
    }>();
    expect(voucher.usage.downloadedBytes).toBe(1234);
    expect(voucher.customerId).toBe(a.customerId);
  });

  it("answers 404 for another tenant's ids, reading or changing", async () => {
    const paths = [
      ['GET', `/api/v1/plans/${b.planId}`],
      ['PATCH', `/api/v1/plans/${b.planId}`, { title: 'stolen' }],
      ['GET', `/api/v1/vouchers/${b.voucherId}`],
      ['POST', `/api/v1/vouchers/${b.voucherId}/disable`, {}],
      ['POST', `/api/v1/vouchers/${a.voucherId}/assign`, { customerId: b.customerId }],
      ['GET', `/api/v1/customers/${b.customerId}`],
      ['PATCH', `/api/v1/customers/${b.customerId}`, { status: 'blocked' }],
      ['GET', `/api/v1/sessions/${b.sessionId}`],
      ['GET', `/api/v1/voucher-series/${b.seriesId}`],
      ['GET', `/api/v1/voucher-series/${b.seriesId}/export.csv`],
      ['POST', '/api/v1/voucher-series', { planId: b.planId, quantity: 1 }],
    ] as const;
    for (const [method, url, payload] of paths) {
      const response = await call(a, method, url, payload);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
    const still = (await call(b, 'GET', `/api/v1/customers/${b.customerId}`)).json<{ status: string }>();
    expect(still.status).toBe('active');
  });

  it('lets a read-only token read everything and change nothing', async () => {
    const ro = { token: readonlyToken, host: 'localhost' };
    for (const route of routesUnder(app.http, '/api/v1/').filter((r) => !r.hidden)) {
      const url = route.url.replace(':id', String(a.planId));
      const response = await call(ro, route.method, url, route.method === 'GET' ? undefined : {});
      if (route.method === 'GET') {
        if (['/api/v1/api-tokens', '/api/v1/tenants'].includes(route.url))
          expect(response.statusCode).toBe(403);
        else expect([200, 404], `${route.method} ${url}`).toContain(response.statusCode);
      } else {
        // Refused before anything happens: either 403, or 400 for a body that is not even valid.
        expect([400, 403], `${route.method} ${url}`).toContain(response.statusCode);
      }
    }
    const valid = await call(ro, 'POST', '/api/v1/plans', { title: 'x', voucherPrefix: 'x' });
    expect(valid.statusCode).toBe(403);
    expect(valid.json()).toMatchObject({ code: 'FORBIDDEN' });
    const patch = await call(ro, 'PATCH', `/api/v1/plans/${a.planId}`, { title: 'changed' });
    expect(patch.statusCode).toBe(403);
  });

  it('refuses sort and filter parameters that are not allow-listed', async () => {
    const unknown = await call(a, 'GET', '/api/v1/customers?password_hash=1');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'VALIDATION' });
    const badSort = await call(a, 'GET', '/api/v1/vouchers?sort=tenant_id');
    expect(badSort.statusCode).toBe(400);
    const injected = await call(
      a,
      'GET',
      `/api/v1/plans?sort=${encodeURIComponent('title; drop table plans')}`,
    );
    expect(injected.statusCode).toBe(400);
    await createPlan(app.store.db, a.tenantId, { title: 'AAA first', price_minor: 5 });
    const sorted = (await call(a, 'GET', '/api/v1/plans?sort=-price_minor')).json<{
      items: Array<{ priceMinor: number }>;
    }>();
    const prices = sorted.items.map((p) => p.priceMinor);
    expect(prices).toEqual([...prices].sort((x, y) => y - x));
    const paged = (await call(a, 'GET', '/api/v1/plans?perPage=1&page=2&sort=title')).json<{
      items: unknown[];
      total: number;
    }>();
    expect(paged.items).toHaveLength(1);
    expect(paged.total).toBeGreaterThanOrEqual(2);
  });

  it('creates and edits plans', async () => {
    const created = await call(a, 'POST', '/api/v1/plans', {
      title: '1 day unlimited',
      voucherPrefix: '1d',
      priceMinor: 500,
      validitySeconds: 86_400,
      devicesLimit: 3,
    });
    expect(created.statusCode).toBe(201);
    const plan = created.json<{ id: number; currency: string; dataLimitBytes: null; isActive: boolean }>();
    expect(plan).toMatchObject({ currency: 'USD', dataLimitBytes: null, isActive: true });
    const edited = await call(a, 'PATCH', `/api/v1/plans/${plan.id}`, {
      isActive: false,
      downloadLimitBytes: 1_000_000,
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({
      isActive: false,
      downloadLimitBytes: 1_000_000,
      title: '1 day unlimited',
    });
    const invalid = await call(a, 'POST', '/api/v1/plans', { title: 'bad', voucherPrefix: 'has space' });
    expect(invalid.statusCode).toBe(400);
  });

  it('generates a series with unique codes from the tenant alphabet, and exports it', async () => {
    const created = await call(a, 'POST', '/api/v1/voucher-series', { planId: a.planId, quantity: 2500 });
    expect(created.statusCode).toBe(202);
    const series = created.json<{ id: number; status: string }>();
    await app.vouchers.generator.idle();
    const done = (await call(a, 'GET', `/api/v1/voucher-series/${series.id}`)).json<{
      status: string;
      createdCount: number;
    }>();
    expect(done).toMatchObject({ status: 'ready', createdCount: 2500 });
    const rows = await app.store.db
      .selectFrom('vouchers')
      .select(['code', 'short_code'])
      .where('series_id', '=', series.id)
      .execute();
    expect(rows).toHaveLength(2500);
    expect(new Set(rows.map((r) => r.short_code)).size).toBe(2500);
    for (const row of rows) {
      expect(row.short_code).toHaveLength(8);
      for (const ch of row.short_code) expect(DEFAULT_CODE_ALPHABET).toContain(ch);
      expect(row.code.endsWith(`-1h500m-${row.short_code}`)).toBe(true);
    }
    const csv = await call(a, 'GET', `/api/v1/voucher-series/${series.id}/export.csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.trim().split('\r\n')).toHaveLength(2501);
  });

  it('assigns a voucher to a customer and fires "voucher activated"', async () => {
    const events: unknown[] = [];
    app.onVoucherActivated((event) => {
      events.push(event);
    });
    const other = await createCustomer(app.store.db, a.tenantId);
    const voucher = await createVoucher(app.store.db, { id: a.planId, tenant_id: a.tenantId });
    const response = await call(a, 'POST', `/api/v1/vouchers/${voucher.id}/assign`, { customerId: other.id });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ customerId: other.id });
    expect(events).toEqual([
      expect.objectContaining({ voucherId: voucher.id, customerId: other.id, tenantId: a.tenantId }),
    ]);
    const disabled = await call(a, 'POST', `/api/v1/vouchers/${voucher.id}/disable`, {});
    expect(disabled.json()).toMatchObject({ status: 'disabled' });
    const enabled = await call(a, 'POST', `/api/v1/vouchers/${voucher.id}/enable`, {});
    expect(enabled.json()).toMatchObject({ status: 'new', disabledAtMs: null });
  });

  it('documents every route in a valid OpenAPI 3.1 document', async () => {
    const response = await app.http.inject({ url: '/api/v1/openapi.json', headers: { host: 'localhost' } });
    expect(response.statusCode).toBe(200);
    const doc = response.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const routes = routesUnder(app.http, '/api/v1/')
      .filter((r) => !r.hidden)
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(routes.length).toBeGreaterThan(20);
    expect([...documented].sort()).toEqual([...routes].sort());
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(
        ops as Record<string, { responses: Record<string, unknown> }>,
      )) {
        expect(Object.keys(op.responses), `${method} ${path}`).toContain('401');
        expect(
          Object.keys(op.responses).some((s) => s.startsWith('2')),
          `${method} ${path}`,
        ).toBe(true);
      }
  });

  it('pages and filters every list the same way', async () => {
    // Lists short by nature come whole, without paging.
    const WHOLE_LISTS: Record<string, string> = {
      '/api/v1/sms-gateways': 'a handful per tenant, in sending order',
      '/api/v1/vouchers/{id}/devices': "at most the plan's device limit",
    };
    const response = await app.http.inject({ url: '/api/v1/openapi.json', headers: { host: 'localhost' } });
    interface Operation {
      parameters?: Array<{ name: string; in: string }>;
      responses: Record<string, { content?: Record<string, { schema: { properties?: object } }> }>;
    }
    const doc = response.json<{ paths: Record<string, Record<string, Operation>> }>();
    let lists = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      const op = ops.get;
      if (!op) continue;
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      // Time ranges are <field>FromMs / <field>ToMs everywhere.
      for (const name of query.filter((n) => /from|to$|since|until/i.test(n)))
        expect(name, `${path} ${name}`).toMatch(/^[a-z]+(From|To)Ms$/);
      const answer = op.responses['200']?.content?.['application/json']?.schema.properties ?? {};
      if (!('items' in answer) || path in WHOLE_LISTS) continue;
      lists++;
      expect(Object.keys(answer).sort(), path).toEqual(['items', 'page', 'perPage', 'total']);
      expect(query, path).toEqual(expect.arrayContaining(['page', 'perPage']));
    }
    expect(lists).toBeGreaterThan(8);
  });

  it('documents every error answer with its codes, and gives every request body an example that is valid', async () => {
    const response = await app.http.inject({ url: '/api/v1/openapi.json', headers: { host: 'localhost' } });
    interface Operation {
      requestBody?: { content: Record<string, { schema: object; example?: unknown }> };
      responses: Record<string, { description: string }>;
    }
    const doc = response.json<{
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, object> };
    }>();
    // OpenAPI 3.1 schemas are JSON Schema 2020-12; `example` is OpenAPI's own keyword.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    for (const [name, schema] of Object.entries(doc.components.schemas))
      ajv.addSchema(schema, `#/components/schemas/${name}`);
    let bodies = 0;
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, answer] of Object.entries(op.responses))
          if (/^[45]/.test(status))
            expect(answer.description, `${method} ${path} ${status}`).toMatch(/Codes: [A-Z_]+/);
        const media = op.requestBody?.content['application/json'];
        if (!media) continue;
        bodies++;
        expect(media.example, `example of ${method} ${path}`).toBeDefined();
        const validate = ajv.compile({ ...media.schema, $id: `body:${method}:${path}` });
        expect(validate(media.example), `${method} ${path}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      }
    expect(bodies).toBeGreaterThan(15);
  });
});
