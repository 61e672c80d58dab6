/**
 * /api/v1/settings/business: everyone with a token reads the tenant's details; only owners
 * change them; a change applies to the next request (time zone of "today", phone country).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { createApiToken } from '../../test/helpers/admin.js';
import { createTenant } from '../../test/helpers/factories.js';

describe.each(TEST_DIALECTS)('business settings through the API (%s)', (dialect) => {
  let app: TestApp;
  let tenantId: number;
  let otherTenantId: number;
  const tokens: Record<'owner' | 'admin' | 'readonly', string> = { owner: '', admin: '', readonly: '' };

  const api = (token: string, method: 'GET' | 'PATCH', payload?: Record<string, unknown>) =>
    app.http.inject({
      method,
      url: '/api/v1/settings/business',
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    tenantId = app.bootstrapped.tenant.id;
    for (const role of ['owner', 'admin', 'readonly'] as const)
      tokens[role] = await createApiToken(app, tenantId, role);
    otherTenantId = (await createTenant(app.store.db, { hosts: ['other.example.com'], name: 'Other' })).id;
  });
  afterAll(() => app.destroy());

  it('reads the details of the token’s own tenant', async () => {
    const response = await api(tokens.readonly, 'GET');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      name: 'My Wi-Fi',
      defaultCountry: 'US',
      currency: 'USD',
      timeZone: 'UTC',
      locale: 'en-US',
      publicUrl: null,
    });
  });

  it('lets owners change them, and nobody else', async () => {
    for (const role of ['admin', 'readonly'] as const)
      expect((await api(tokens[role], 'PATCH', { timeZone: 'Europe/Berlin' })).statusCode, role).toBe(403);
    const changed = await api(tokens.owner, 'PATCH', {
      timeZone: 'Europe/Berlin',
      defaultCountry: 'DE',
      currency: 'EUR',
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      name: 'My Wi-Fi',
      timeZone: 'Europe/Berlin',
      defaultCountry: 'DE',
      currency: 'EUR',
    });
    // The next request already sees it: a German number without +49 is read as German.
    const customer = await app.http.inject({
      method: 'POST',
      url: '/api/v1/customers',
      headers: { authorization: `Bearer ${tokens.owner}` },
      payload: { phone: '0151 23456789' },
    });
    expect(customer.statusCode).toBe(201);
    expect(customer.json<{ phone: string }>().phone).toBe('+4915123456789');
    const other = await app.store.db
      .selectFrom('tenants')
      .select('time_zone')
      .where('id', '=', otherTenantId)
      .executeTakeFirstOrThrow();
    expect(other.time_zone).toBe('UTC');
  });

  it('refuses bad values with problem+json and changes nothing', async () => {
    const zone = await api(tokens.owner, 'PATCH', { timeZone: 'Mars/Olympus' });
    expect(zone.statusCode).toBe(400);
    expect(zone.headers['content-type']).toContain('application/problem+json');
    expect(zone.json<{ title: string }>().title).toContain('a valid IANA time zone');
    expect((await api(tokens.owner, 'PATCH', { currency: 'euro' })).statusCode).toBe(400);
    // Fields that are not business details (the slug, hosts) are dropped, never applied.
    expect((await api(tokens.owner, 'PATCH', { slug: 'takeover', isDefault: false })).statusCode).toBe(200);
    const row = await app.store.db
      .selectFrom('tenants')
      .select(['slug', 'is_default'])
      .where('id', '=', tenantId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ slug: 'default', is_default: 1 });
    expect((await api(tokens.owner, 'PATCH', { publicUrl: 'javascript:alert(1)' })).statusCode).toBe(400);
    const now = await api(tokens.owner, 'GET');
    expect(now.json()).toMatchObject({ timeZone: 'Europe/Berlin', currency: 'EUR', publicUrl: null });
  });
});
