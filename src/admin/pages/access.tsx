import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { assertMayChangeAdmin, canManageAccess, revokeApiToken, ROLES, type Role } from '../../auth/index.js';
import { AppError } from '../../shared/index.js';
import { ADMIN_COOKIE } from '../auth.js';
import { formBody, formRoute, idParam, text, type FormBody } from '../forms.js';
import { adminKit as kit, type AdminKit } from '../kit.js';
import { Table, ActionButton, Badge, CsrfField, Empty, when } from '../views/components.js';
import { setSessionCookie } from '../../http/index.js';

const RoleField = Type.Union(ROLES.map((role) => Type.Literal(role)));
/** What a refused field of these forms says. */
const MESSAGES = { role: 'Choose a role' };
/** Optional text fields: absent is '' (the domain says what an empty one means). */
const TextField = Type.String({ default: '' });

const NewAdminForm = Type.Object({ email: TextField, name: TextField, password: TextField, role: RoleField });
const AdminChangeForm = Type.Object({ role: RoleField, disabled: Type.Optional(Type.String()) });
const NewTokenForm = Type.Object({ name: TextField, role: RoleField });

/** What each role may do, in the words an owner choosing one needs. */
const ROLE_LABELS: Record<Role, string> = {
  owner: 'owner — everything, also admins and API tokens',
  admin: 'admin — runs the business, not admins or tokens',
  readonly: 'readonly — sees everything, changes nothing',
};

function RoleSelect({ selected }: { selected?: Role }) {
  return (
    <select name="role" aria-label="Role">
      {ROLES.map((r) => (
        <option value={r} selected={r === (selected ?? 'admin')}>
          {ROLE_LABELS[r]}
        </option>
      ))}
    </select>
  );
}

const FORM_ERRORS = ['VALIDATION', 'CONFLICT'];

/** Admins (list for all, changes by owners), API tokens (owners), and the signed-in admin's account. */
export const accessPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
  const adminsPage = async (
    request: Parameters<AdminKit['render']>[0],
    reply: Parameters<AdminKit['render']>[1],
    error?: string,
  ) => {
    const admins = await deps.admins.list(request.tenant.id);
    const actor = kit.actorOf(request);
    const owner = canManageAccess(actor.role);
    // A super-admin's account is changed only by a super-admin (assertMayChangeAdmin).
    const mayChange = (a: { id: number; isSuper: boolean }) =>
      owner && a.id !== actor.adminId && (!a.isSuper || actor.isSuper);
    const csrf = kit.csrf(reply);
    return kit.render(request, reply, {
      title: 'Admins',
      error,
      status: error ? 400 : 200,
      body: (
        <>
          <Table label="Admins">
            <thead>
              <tr>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                <th>Last sign-in</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {admins.map((a) => (
                <tr>
                  <td>
                    {a.name} {a.isSuper ? <small>(super-admin)</small> : null}
                  </td>
                  <td>{a.email}</td>
                  <td>
                    {mayChange(a) ? (
                      <form method="post" action={`/admin/admins/${a.id}`} class="inline">
                        <CsrfField token={csrf} />
                        <RoleSelect selected={a.role} />
                        <label class="check">
                          <input type="checkbox" name="disabled" checked={a.isDisabled} /> disabled
                        </label>
                        <button type="submit" class="secondary">
                          Save
                        </button>
                      </form>
                    ) : (
                      <>
                        <Badge status={a.role} /> {a.isDisabled ? <Badge status="disabled" /> : null}
                      </>
                    )}
                  </td>
                  <td>{when(a.lastLoginAtMs, request.tenant)}</td>
                  <td>
                    {mayChange(a) ? (
                      <ActionButton
                        action={`/admin/admins/${a.id}/delete`}
                        csrf={csrf}
                        label="Delete"
                        danger
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
          {owner ? (
            <>
              <h2>Add an admin</h2>
              <form method="post" action="/admin/admins" class="stack">
                <CsrfField token={csrf} />
                <label>
                  Name <input name="name" maxLength={200} />
                </label>
                <label>
                  Email <input name="email" type="email" required />
                </label>
                <label>
                  Initial password <small>(at least 12 characters; they can change it)</small>
                  <input
                    name="password"
                    type="password"
                    required
                    minLength={12}
                    autocomplete="new-password"
                  />
                </label>
                <label>
                  Role <RoleSelect />
                </label>
                <button type="submit">Add admin</button>
              </form>
            </>
          ) : null}
        </>
      ),
    });
  };

  admin.get('/admin/admins', async (request, reply) => adminsPage(request, reply));

  admin.post(
    '/admin/admins',
    { preHandler: kit.requireOwner, ...formRoute(NewAdminForm) },
    async (request, reply) => {
      try {
        const form = formBody(request, NewAdminForm, MESSAGES);
        await deps.admins.create(request.tenant.id, {
          email: form.email.trim(),
          name: form.name.trim(),
          password: form.password.trim(),
          role: form.role,
        });
        return reply.redirect('/admin/admins?notice=created', 303);
      } catch (error) {
        if (!(error instanceof AppError) || !FORM_ERRORS.includes(error.code)) throw error;
        return adminsPage(request, reply, error.message);
      }
    },
  );

  admin.post(
    '/admin/admins/:id',
    { preHandler: kit.requireOwner, ...formRoute(AdminChangeForm) },
    async (request, reply) => {
      const id = idParam(request.params);
      try {
        const { role, disabled: disabledField } = formBody(request, AdminChangeForm, MESSAGES);
        const disabled = disabledField?.trim() === 'on';
        const target = await deps.admins.get(request.tenant.id, id);
        assertMayChangeAdmin(kit.actorOf(request), target, { role, isDisabled: disabled });
        await deps.admins.update(request.tenant.id, id, { role, isDisabled: disabled });
        if (disabled) await deps.webSessions.destroyAllFor(request.tenant.id, 'admin', id);
        return reply.redirect('/admin/admins?notice=saved', 303);
      } catch (error) {
        if (!(error instanceof AppError) || !FORM_ERRORS.includes(error.code)) throw error;
        return adminsPage(request, reply, error.message);
      }
    },
  );

  admin.post('/admin/admins/:id/delete', { preHandler: kit.requireOwner }, async (request, reply) => {
    const id = idParam(request.params);
    if (id === kit.actorOf(request).adminId) throw new AppError('CONFLICT', 'You cannot delete yourself');
    assertMayChangeAdmin(kit.actorOf(request), await deps.admins.get(request.tenant.id, id), {
      remove: true,
    });
    try {
      await deps.admins.delete(request.tenant.id, id);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'CONFLICT') throw error;
      return adminsPage(request, reply, error.message);
    }
    await deps.webSessions.destroyAllFor(request.tenant.id, 'admin', id);
    return reply.redirect('/admin/admins?notice=deleted', 303);
  });

  const tokensPage = async (
    request: Parameters<AdminKit['render']>[0],
    reply: Parameters<AdminKit['render']>[1],
    created?: { token: string; name: string },
    error?: string,
  ) => {
    const tokens = await deps.apiTokens.list(request.tenant.id);
    // A super-admin's tokens are revoked by a super-admin only: no button for anyone else.
    const superIds = new Set(
      (await deps.admins.list(request.tenant.id)).filter((a) => a.isSuper).map((a) => a.id),
    );
    const mayRevoke = (createdBy: number | null) =>
      kit.actorOf(request).isSuper || createdBy === null || !superIds.has(createdBy);
    const csrf = kit.csrf(reply);
    return kit.render(request, reply, {
      title: 'API tokens',
      error,
      status: error ? 400 : created ? 201 : 200,
      body: (
        <>
          {created ? (
            <div class="notice token-once" role="status">
              <p>
                New token <strong>{created.name}</strong>. Copy it now, it is shown only once:
              </p>
              <p>
                <code class="secret" data-token>
                  {created.token}
                </code>
              </p>
            </div>
          ) : null}
          <p class="muted">
            Use a token as <code>Authorization: Bearer …</code> on <a href="/api/v1/openapi.json">/api/v1</a>.
          </p>
          {tokens.length === 0 ? (
            <Empty>No tokens.</Empty>
          ) : (
            <Table label="API tokens">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Prefix</th>
                  <th>Role</th>
                  <th>Created</th>
                  <th>Last used</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <tr>
                    <td>{t.name}</td>
                    <td>
                      <code>{t.prefix}…</code>
                    </td>
                    <td>
                      <Badge status={t.role} />
                    </td>
                    <td>{when(t.createdAtMs, request.tenant)}</td>
                    <td>{when(t.lastUsedAtMs, request.tenant)}</td>
                    <td>
                      {t.revokedAtMs ? (
                        <Badge status="revoked" />
                      ) : !mayRevoke(t.createdByAdminId) ? (
                        <span class="muted">super-admin's</span>
                      ) : (
                        <ActionButton
                          action={`/admin/api-tokens/${t.id}/revoke`}
                          csrf={csrf}
                          label="Revoke"
                          danger
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          <h2>Create a token</h2>
          <form method="post" action="/admin/api-tokens" class="stack">
            <CsrfField token={csrf} />
            <label>
              Name <input name="name" required maxLength={200} />
            </label>
            <label>
              Role <RoleSelect selected="readonly" />
            </label>
            <button type="submit">Create token</button>
          </form>
        </>
      ),
    });
  };

  admin.get('/admin/api-tokens', { preHandler: kit.requireOwner }, async (request, reply) =>
    tokensPage(request, reply),
  );

  admin.post(
    '/admin/api-tokens',
    { preHandler: kit.requireOwner, ...formRoute(NewTokenForm) },
    async (request, reply) => {
      try {
        const form = formBody(request, NewTokenForm, MESSAGES);
        const { token, view } = await deps.apiTokens.create(request.tenant.id, {
          name: form.name.trim(),
          role: form.role,
          createdByAdminId: kit.actorOf(request).adminId,
        });
        // Rendered (not redirected) so the secret never sits in a URL or history.
        return tokensPage(request, reply, { token, name: view.name });
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'VALIDATION') throw error;
        return tokensPage(request, reply, undefined, error.message);
      }
    },
  );

  admin.post('/admin/api-tokens/:id/revoke', { preHandler: kit.requireOwner }, async (request, reply) => {
    await revokeApiToken(deps, kit.actorOf(request), idParam(request.params));
    return reply.redirect('/admin/api-tokens?notice=revoked', 303);
  });

  const accountPage = (
    request: Parameters<AdminKit['render']>[0],
    reply: Parameters<AdminKit['render']>[1],
    error?: string,
  ) =>
    kit.render(request, reply, {
      title: 'Account',
      error,
      status: error ? 400 : 200,
      body: (
        <>
          <h2>Change password</h2>
          <form method="post" action="/admin/account/password" class="stack">
            <CsrfField token={kit.csrf(reply)} />
            <label>
              Current password{' '}
              <input name="current" type="password" required autocomplete="current-password" />
            </label>
            <label>
              New password <small>(at least 12 characters)</small>
              <input name="next" type="password" required minLength={12} autocomplete="new-password" />
            </label>
            <button type="submit">Change password</button>
          </form>
        </>
      ),
    });

  admin.get('/admin/account', async (request, reply) => accountPage(request, reply));

  // Changing one's own password is allowed for every role, read-only included.
  admin.post<{ Body: FormBody }>('/admin/account/password', async (request, reply) => {
    const actor = kit.actorOf(request);
    if (actor.adminId === null) throw new AppError('FORBIDDEN', 'Not an admin');
    try {
      await deps.admins.changeOwnPassword(
        actor.tenantId,
        actor.adminId,
        text(request.body, 'current'),
        text(request.body, 'next'),
      );
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'VALIDATION') throw error;
      return accountPage(request, reply, error.message);
    }
    // Other sessions of this admin end; this one is re-issued.
    await deps.webSessions.destroyAllFor(actor.tenantId, 'admin', actor.adminId);
    const token = await deps.webSessions.create(actor.tenantId, 'admin', actor.adminId, {
      clientIp: request.ip,
    });
    setSessionCookie(request, reply, ADMIN_COOKIE, token);
    return reply.redirect('/admin/account?notice=password', 303);
  });
};
