/**
 * Issue 10, item 3: super-admin power comes only from a super-admin. Attacks as a non-super owner
 * of the default tenant (API token and admin pages), tokens outliving their creator's power, and
 * the last super-admin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import {
  AdminClient,
  createAdmin,
  createApiToken,
  TEST_PASSWORD,
  callApi,
} from '../../test/helpers/admin.js';
import { AdminsRepository } from '../auth/index.js';

const SUPER_EMAIL = 'root@example.com';

describe.each(TEST_DIALECTS)('super-admin power (%s)', (dialect) => {
  let app: TestApp;
  let tenantId: number;
  let superId: number;

  const api = (token: string, method: string, url: string, payload?: Record<string, unknown>) =>
    callApi(app, token, method, url, payload);
  const admins = () => new AdminsRepository(app.store.db, app.clock);
  const signedIn = async (email: string, password = TEST_PASSWORD) => {
    const client = new AdminClient(app);
    const response = await client.signIn(email, password);
    return { client, ok: response.statusCode === 303 };
  };

  beforeAll(async () => {
    app = await buildTestApp(dialect, {
      env: { PORTICO_ADMIN_EMAIL: SUPER_EMAIL, PORTICO_ADMIN_PASSWORD: TEST_PASSWORD },
    });
    tenantId = app.bootstrapped.tenant.id;
    const first = (await admins().list(tenantId)).find((a) => a.email === SUPER_EMAIL);
    if (!first?.isSuper) throw new Error('the first admin should be the super-admin');
    superId = first.id;
  });
  afterAll(() => app.destroy());

  it('a non-super owner of the default tenant cannot act as super through an owner token (the attack as written)', async () => {
    const mallory = await createAdmin(app, tenantId, { email: 'mallory@example.com', role: 'owner' });
    const { client } = await signedIn('mallory@example.com');
    // Mallory makes herself an owner API token the ordinary way, under Access > API tokens.
    const page = await client.post('/admin/api-tokens', { name: 'mine', role: 'owner' }, '/admin/api-tokens');
    expect(page.statusCode).toBe(201);
    const token = /data-token="?[^>]*>([^<]+)</.exec(page.body)?.[1]?.trim() ?? '';
    expect(token).toMatch(/^pt_/);

    const tenant = await api(token, 'POST', '/api/v1/tenants', {
      name: 'Evil',
      slug: 'evil',
      hosts: ['evil.example.com'],
      adminEmail: 'evil@example.com',
      adminPassword: 'evil-password-123',
    });
    expect(tenant.statusCode).toBe(403);
    expect((await api(token, 'GET', '/api/v1/tenants')).statusCode).toBe(403);
    expect((await app.tenants.list()).map((t) => t.slug)).not.toContain('evil');

    const reset = await api(token, 'PATCH', `/api/v1/admins/${superId}`, {
      password: 'mallory-owns-you-now',
    });
    expect(reset.statusCode).toBe(403);
    expect(reset.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await signedIn(SUPER_EMAIL, 'mallory-owns-you-now')).ok).toBe(false);
    expect((await signedIn(SUPER_EMAIL)).ok).toBe(true);

    // Nor can she lock the super-admin out: demote, disable, delete (API and pages).
    for (const body of [
      { role: 'readonly' },
      { isDisabled: true },
      { name: 'x', password: 'another-password-1' },
    ]) {
      const response = await api(token, 'PATCH', `/api/v1/admins/${superId}`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(403);
    }
    expect((await api(token, 'DELETE', `/api/v1/admins/${superId}`)).statusCode).toBe(403);
    expect(
      (await client.post(`/admin/admins/${superId}`, { role: 'readonly' }, '/admin/admins')).statusCode,
    ).toBe(403);
    expect((await client.post(`/admin/admins/${superId}/delete`, {}, '/admin/admins')).statusCode).toBe(403);
    const still = await admins().get(tenantId, superId);
    expect(still).toMatchObject({ role: 'owner', isDisabled: false, isSuper: true });
    // The admins page offers her no controls for the super-admin.
    const list = await client.get('/admin/admins');
    expect(list.body).not.toContain(`action="/admin/admins/${superId}"`);
    expect(list.body).not.toContain(`action="/admin/admins/${superId}/delete"`);
    // Her own powers as an owner are intact: she manages ordinary admins.
    const desk = await createAdmin(app, tenantId, { role: 'readonly' });
    expect(
      (await api(token, 'PATCH', `/api/v1/admins/${desk.id}`, { password: 'a-new-password-1' })).statusCode,
    ).toBe(200);
    await admins().delete(tenantId, mallory.id);
  });

  it("a super-admin's token is super while its creator is, and follows the creator's role and removal", async () => {
    const other = await createAdmin(app, tenantId, {
      email: 'root2@example.com',
      role: 'owner',
      isSuper: true,
    });
    const token = await createApiToken(app, tenantId, 'owner', other.id);
    expect((await api(token, 'GET', '/api/v1/tenants')).statusCode).toBe(200);
    const readonlyToken = await createApiToken(app, tenantId, 'readonly', other.id);
    expect((await api(readonlyToken, 'GET', '/api/v1/tenants')).statusCode).toBe(403);

    // The first super-admin demotes the second to admin: the owner token is an admin token now.
    const { client } = await signedIn(SUPER_EMAIL);
    const demoted = await client.post(`/admin/admins/${other.id}`, { role: 'admin' }, '/admin/admins');
    expect(demoted.statusCode).toBe(303);
    expect((await api(token, 'GET', '/api/v1/tenants')).statusCode).toBe(403);
    expect((await api(token, 'GET', '/api/v1/api-tokens')).statusCode).toBe(403);
    expect((await api(token, 'GET', '/api/v1/plans')).statusCode).toBe(200);
    await admins().update(tenantId, other.id, { role: 'readonly' });
    const write = await api(token, 'POST', '/api/v1/plans', { title: 'x', voucherPrefix: 'x' });
    expect(write.statusCode).toBe(403);

    // Disabled or removed: the token opens nothing.
    await admins().update(tenantId, other.id, { isDisabled: true });
    expect((await api(token, 'GET', '/api/v1/plans')).statusCode).toBe(401);
    await admins().update(tenantId, other.id, { isDisabled: false, role: 'owner' });
    expect((await api(token, 'GET', '/api/v1/tenants')).statusCode).toBe(200);
    expect((await client.post(`/admin/admins/${other.id}/delete`, {}, '/admin/admins')).statusCode).toBe(303);
    expect((await api(token, 'GET', '/api/v1/plans')).statusCode).toBe(401);
  });

  it("a tenant owner cannot revoke a super-admin's API token (API or pages); a super-admin can", async () => {
    const rootToken = await createApiToken(app, tenantId, 'owner', superId);
    const owner = await createAdmin(app, tenantId, { email: 'owner-revoke@example.com', role: 'owner' });
    const ownerToken = await createApiToken(app, tenantId, 'owner', owner.id);
    const rootTokenId = (await api(rootToken, 'GET', '/api/v1/api-tokens'))
      .json<{
        items: Array<{ id: number; createdByAdminId: number | null; revokedAtMs: number | null }>;
      }>()
      .items.find((t) => t.createdByAdminId === superId && t.revokedAtMs === null)!.id;

    const byApi = await api(ownerToken, 'DELETE', `/api/v1/api-tokens/${rootTokenId}`);
    expect(byApi.statusCode).toBe(403);
    expect(byApi.json()).toMatchObject({ code: 'FORBIDDEN' });
    const { client } = await signedIn('owner-revoke@example.com');
    const list = await client.get('/admin/api-tokens');
    expect(list.body).not.toContain(`action="/admin/api-tokens/${rootTokenId}/revoke"`);
    expect(
      (await client.post(`/admin/api-tokens/${rootTokenId}/revoke`, {}, '/admin/api-tokens')).statusCode,
    ).toBe(403);
    // The super-admin's token still works.
    expect((await api(rootToken, 'GET', '/api/v1/tenants')).statusCode).toBe(200);

    // The owner still revokes ordinary tokens; the super-admin revokes their own.
    const ordinaryId = (await api(ownerToken, 'GET', '/api/v1/api-tokens'))
      .json<{
        items: Array<{ id: number; createdByAdminId: number | null }>;
      }>()
      .items.find((t) => t.createdByAdminId === owner.id)!.id;
    const rootSecond = await createApiToken(app, tenantId, 'owner', superId);
    expect((await api(rootSecond, 'DELETE', `/api/v1/api-tokens/${rootTokenId}`)).statusCode).toBe(200);
    expect((await api(rootToken, 'GET', '/api/v1/plans')).statusCode).toBe(401);
    expect((await api(rootSecond, 'DELETE', `/api/v1/api-tokens/${ordinaryId}`)).statusCode).toBe(200);
    await admins().delete(tenantId, owner.id);
  });

  it('a token without a recorded creator is never super', async () => {
    const token = await createApiToken(app, tenantId, 'owner', null);
    expect((await api(token, 'GET', '/api/v1/admins')).statusCode).toBe(200);
    expect((await api(token, 'GET', '/api/v1/tenants')).statusCode).toBe(403);
  });

  it("nobody else sets a super-admin's password, not even another super-admin", async () => {
    const other = await createAdmin(app, tenantId, {
      email: 'root3@example.com',
      role: 'owner',
      isSuper: true,
    });
    const token = await createApiToken(app, tenantId, 'owner', other.id);
    const reset = await api(token, 'PATCH', `/api/v1/admins/${superId}`, { password: 'taken-over-password' });
    expect(reset.statusCode).toBe(403);
    // Their own token cannot either (a leaked token must not become the password).
    const own = await createApiToken(app, tenantId, 'owner', superId);
    expect(
      (await api(own, 'PATCH', `/api/v1/admins/${superId}`, { password: 'taken-over-password' })).statusCode,
    ).toBe(403);
    expect((await signedIn(SUPER_EMAIL)).ok).toBe(true);
    await admins().delete(tenantId, other.id);
  });

  it('the last super-admin cannot be removed, demoted or disabled', async () => {
    const supers = (await admins().list(tenantId)).filter((a) => a.isSuper);
    expect(supers.map((a) => a.id)).toEqual([superId]);
    const own = await createApiToken(app, tenantId, 'owner', superId);
    // A second owner, so the "last owner" rule is not what refuses.
    await createAdmin(app, tenantId, { role: 'owner' });
    for (const body of [{ role: 'admin' }, { isDisabled: true }]) {
      const response = await api(own, 'PATCH', `/api/v1/admins/${superId}`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(409);
      expect(response.json<{ title: string }>().title).toContain('super-admin');
    }
    await expect(admins().delete(tenantId, superId)).rejects.toThrow(/super-admin/);
    expect(await admins().get(tenantId, superId)).toMatchObject({ role: 'owner', isDisabled: false });
  });
});
