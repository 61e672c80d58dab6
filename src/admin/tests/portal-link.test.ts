/**
 * With no public address set, SMS portal links use the address the operator reached the admin
 * at, and Config > Portal shows that same address and says why (issue 15, item 7).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { AdminClient, createAdmin } from '../../../test/helpers/admin.js';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';

describe.each(TEST_DIALECTS)('portal link in SMS (%s)', (dialect) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
  });
  afterAll(() => app.destroy());

  it('uses the address the admin signed in at, on the page and in the SMS', async () => {
    const tenant = app.bootstrapped.tenant;
    const admin = await createAdmin(app, tenant.id, { role: 'owner' });
    const client = new AdminClient(app, '192.168.1.5:3000');
    expect((await client.signIn(admin.email)).statusCode).toBe(303);

    const preview = await app.notifications.preview(tenant);
    expect(preview.text).toContain('http://192.168.1.5:3000/portal');
    expect(preview.text).not.toContain('localhost');

    const page = await client.get('/admin/config/portal');
    expect(page.body).toContain('href="http://192.168.1.5:3000/portal"');
    expect(page.body).toContain('because it is the one you used to reach this admin area');
  });
});
