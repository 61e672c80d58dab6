/**
 * Issue 10 (Low): the API's rate limit applies to requests without a valid token too, per client
 * address, so guessing tokens or flooding without one is limited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { createAdmin, createApiToken } from '../../test/helpers/admin.js';
import { API_LIMIT_PER_TOKEN_PER_MINUTE, API_LIMIT_UNAUTHENTICATED_PER_MINUTE } from './plugin.js';

describe.each(TEST_DIALECTS)('API rate limits (%s)', (dialect) => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await buildTestApp(dialect);
    const tenantId = app.bootstrapped.tenant.id;
    const owner = await createAdmin(app, tenantId, { role: 'owner' });
    token = await createApiToken(app, tenantId, 'owner', owner.id);
  });
  afterAll(() => app.destroy());

  const call = (remoteAddress: string, authorization?: string, url = '/api/v1/plans') =>
    app.http.inject({
      url,
      remoteAddress,
      headers: { host: 'localhost', ...(authorization ? { authorization } : {}) },
    });

  it('answers 429 to one address sending wrong tokens past the limit; others and valid tokens go on', async () => {
    const attacker = '198.51.100.23';
    const statuses: number[] = [];
    for (let i = 0; i <= API_LIMIT_UNAUTHENTICATED_PER_MINUTE; i++)
      statuses.push((await call(attacker, `Bearer pt_guess-${i}-0000000000000000`)).statusCode);
    expect(statuses.slice(0, API_LIMIT_UNAUTHENTICATED_PER_MINUTE).every((s) => s === 401)).toBe(true);
    const refused = await call(attacker, 'Bearer pt_guess-last-0000000000000000');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ status: 429 });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Without any token, and on the public OpenAPI document: the same budget.
    expect((await call(attacker)).statusCode).toBe(429);
    expect((await call(attacker, undefined, '/api/v1/openapi.json')).statusCode).toBe(429);
    // Another address is not affected; a valid token is limited on its own budget.
    expect((await call('198.51.100.24', 'Bearer pt_wrong-000000000000000000')).statusCode).toBe(401);
    const valid = await call(attacker, `Bearer ${token}`);
    expect(valid.statusCode).toBe(200);
    expect(Number(valid.headers['x-ratelimit-limit'])).toBe(API_LIMIT_PER_TOKEN_PER_MINUTE);
  });
});
