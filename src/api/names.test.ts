/**
 * Every name and title people type has one length limit in the API, the forms and the database
 * column, and loses bidi controls (U+202A–U+202E, U+2066–U+2069) before it is stored: the
 * longest allowed unbroken name is stored whole (PostgreSQL would refuse a longer one), one
 * character more is refused with 400, and "Mallory\u202Eevil" comes back as "Malloryevil".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { createApiToken } from '../../test/helpers/admin.js';
import { createPlan, createVoucher } from '../../test/helpers/factories.js';

const BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];

describe.each(TEST_DIALECTS)('names and titles (%s)', (dialect) => {
  let app: TestApp;
  let token: string;
  let voucherId: number;
  let serial = 0;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    const tenantId = app.bootstrapped.tenant.id;
    token = await createApiToken(app, tenantId, 'owner');
    const plan = await createPlan(app.store.db, tenantId, { devices_limit: 10 });
    voucherId = (await createVoucher(app.store.db, plan, { status: 'active' })).id;
  });
  afterAll(() => app.destroy());

  const post = (url: string, payload: Record<string, unknown>) =>
    app.http.inject({
      method: 'POST',
      url,
      headers: { host: 'localhost', authorization: `Bearer ${token}` },
      payload,
    });

  /** Each entity: where to post, the body around the name, the name's field and its limit. */
  const entities: Array<[string, string, (name: string) => Record<string, unknown>, string, number]> = [
    ['customer', '/api/v1/customers', (name) => ({ phone: `+1202555${1000 + serial++}`, name }), 'name', 200],
    ['plan', '/api/v1/plans', (title) => ({ title, voucherPrefix: 'N' }), 'title', 200],
    ['hotspot', '/api/v1/hotspots', (title) => ({ title, ipAddress: `192.0.2.${++serial}` }), 'title', 200],
    [
      'admin',
      '/api/v1/admins',
      (name) => ({
        email: `a${++serial}@example.com`,
        name,
        password: 'long enough password',
        role: 'admin',
      }),
      'name',
      200,
    ],
    [
      'SMS gateway',
      '/api/v1/sms-gateways',
      (name) => ({ name, type: 'http', enabled: false, settings: { url: 'https://sms.example.com/send' } }),
      'name',
      200,
    ],
    [
      'device',
      '', // set per call: the voucher's devices
      (title) => ({ mac: `AA:BB:CC:00:00:${(++serial).toString(16).padStart(2, '0')}`, title }),
      'title',
      100,
    ],
  ];

  it.each(entities)('a %s name: bidi controls dropped, the limit the same everywhere', async (...row) => {
    const [, path, body, field, max] = row;
    const url = path || `/api/v1/vouchers/${voucherId}/devices`;
    const spoof = await post(url, body(`Mallory${BIDI.join('')}evil`));
    expect(spoof.statusCode, spoof.body).toBe(201);
    expect(spoof.json<Record<string, unknown>>()[field]).toBe('Malloryevil');

    const longest = 'W'.repeat(max);
    const stored = await post(url, body(longest));
    expect(stored.statusCode, stored.body).toBe(201);
    expect(stored.json<Record<string, unknown>>()[field]).toBe(longest);

    const tooLong = await post(url, body(`${longest}W`));
    expect(tooLong.statusCode, tooLong.body).toBe(400);
  });

  it('refuses a name that is nothing but bidi controls, as an empty one', async () => {
    const empty = await post('/api/v1/plans', { title: BIDI.join(''), voucherPrefix: 'E' });
    expect(empty.statusCode).toBe(400);
  });
});
