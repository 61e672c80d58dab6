import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../shared/index.js';
import { normalizeHost } from '../../tenants/index.js';
import { text, type FormBody } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import { Table, CsrfField, when } from '../views/components.js';

/** Tenants: only the deployment's super-admin sees and creates them. */
export const tenantsPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    error?: string,
    values: FormBody = {},
  ) => {
    const tenants = await deps.tenants.list();
    const hosts = await Promise.all(tenants.map((t) => deps.tenants.hostsOf(t.id)));
    return kit.render(request, reply, {
      title: 'Tenants',
      error,
      status: error ? 400 : 200,
      body: (
        <>
          <Table label="Tenants">
            <thead>
              <tr>
                <th>Name</th>
                <th>Slug</th>
                <th>Host names</th>
                <th>Country</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {tenants.map((t, i) => (
                <tr>
                  <td>
                    {t.name} {t.is_default ? <small>(default)</small> : null}
                  </td>
                  <td>{t.slug}</td>
                  <td>{(hosts[i] ?? []).join(', ')}</td>
                  <td>{t.default_country}</td>
                  <td>{when(t.created_at, request.tenant)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
          <h2>New tenant</h2>
          <form method="post" action="/admin/tenants" class="stack">
            <CsrfField token={kit.csrf(reply)} />
            <label>
              Name <input name="name" required maxLength={200} value={text(values, 'name')} />
            </label>
            <label>
              Slug <small>(lower-case letters, digits, dashes)</small>
              <input name="slug" required pattern="[a-z0-9-]{2,64}" value={text(values, 'slug')} />
            </label>
            <label>
              Host names <small>(one per line, e.g. wifi.example.com)</small>
              <textarea name="hosts" rows={3}>
                {text(values, 'hosts')}
              </textarea>
            </label>
            <label>
              Country (ISO 3166, for phone numbers){' '}
              <input name="country" maxLength={2} value={text(values, 'country') || 'US'} />
            </label>
            <label>
              Currency <input name="currency" maxLength={3} value={text(values, 'currency') || 'USD'} />
            </label>
            <label>
              Time zone <input name="timeZone" value={text(values, 'timeZone') || 'UTC'} />
            </label>
            <fieldset>
              <legend>First admin (owner)</legend>
              <label>
                Email <input name="adminEmail" type="email" required value={text(values, 'adminEmail')} />
              </label>
              <label>
                Password{' '}
                <input
                  name="adminPassword"
                  type="password"
                  required
                  minLength={12}
                  autocomplete="new-password"
                />
              </label>
            </fieldset>
            <button type="submit">Create tenant</button>
          </form>
        </>
      ),
    });
  };

  admin.get('/admin/tenants', { preHandler: kit.requireSuper }, async (request, reply) =>
    page(request, reply),
  );

  admin.post<{ Body: FormBody }>(
    '/admin/tenants',
    { preHandler: kit.requireSuper },
    async (request, reply) => {
      const b = request.body;
      try {
        await deps.tenantsAdmin.createWithOwner({
          name: text(b, 'name'),
          slug: text(b, 'slug'),
          hosts: text(b, 'hosts')
            .split(/[\s,]+/)
            .map((h) => normalizeHost(h))
            .filter(Boolean),
          defaultCountry: text(b, 'country').toUpperCase(),
          currency: text(b, 'currency').toUpperCase(),
          timeZone: text(b, 'timeZone'),
          locale: 'en-US',
          adminEmail: text(b, 'adminEmail'),
          adminPassword: text(b, 'adminPassword'),
        });
        return reply.redirect('/admin/tenants?notice=created', 303);
      } catch (error) {
        if (!(error instanceof AppError) || !['VALIDATION', 'CONFLICT'].includes(error.code)) throw error;
        return page(request, reply, error.message, b);
      }
    },
  );
};
