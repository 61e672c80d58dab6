import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { canWrite } from '../../auth/index.js';
import { routerOsConfig, type HotspotInput } from '../../hotspots/index.js';
import { AppError } from '../../shared/index.js';
import type { Hotspot } from '../../store/index.js';
import { checked, idParam, text, type FormBody, formErrorText } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import { Table, ActionButton, CsrfField, Empty, when } from '../views/components.js';

function fromForm(body: FormBody): HotspotInput {
  const coaPort = Number(text(body, 'coaPort') || 3799);
  const interim = Number(text(body, 'interimIntervalSeconds') || 300);
  return {
    title: text(body, 'title'),
    vendor: text(body, 'vendor') === 'generic' ? 'generic' : 'mikrotik',
    ipAddress: text(body, 'ipAddress'),
    secret: text(body, 'secret') || undefined,
    coaPort,
    requireMessageAuthenticator: checked(body, 'requireMessageAuthenticator'),
    interimIntervalSeconds: interim,
    location: text(body, 'location') || null,
  };
}

function HotspotForm({
  hotspot,
  csrf,
  action,
}: {
  hotspot?: Partial<Hotspot>;
  csrf: string;
  action: string;
}) {
  return (
    <form method="post" action={action} class="stack">
      <CsrfField token={csrf} />
      <label>
        Title <input name="title" required maxLength={200} value={hotspot?.title ?? ''} />
      </label>
      <label>
        Vendor
        <select name="vendor">
          <option value="mikrotik" selected={hotspot?.vendor !== 'generic'}>
            MikroTik
          </option>
          <option value="generic" selected={hotspot?.vendor === 'generic'}>
            Generic RFC RADIUS
          </option>
        </select>
      </label>
      <label>
        Source IP address <small>(the address RADIUS packets come from)</small>
        <input name="ipAddress" required value={hotspot?.ip_address ?? ''} />
      </label>
      <label>
        RADIUS secret{' '}
        <small>
          {hotspot?.id ? '(leave empty to keep the current one)' : '(leave empty to generate a strong one)'}
        </small>
        <input name="secret" autocomplete="off" value="" />
      </label>
      <label>
        CoA/Disconnect port{' '}
        <input name="coaPort" type="number" min={1} max={65535} value={String(hotspot?.coa_port ?? 3799)} />
      </label>
      <label>
        Interim update interval, seconds
        <input
          name="interimIntervalSeconds"
          type="number"
          min={60}
          value={String(hotspot?.interim_interval_seconds ?? 300)}
        />
      </label>
      <label class="check">
        <input
          type="checkbox"
          name="requireMessageAuthenticator"
          checked={(hotspot?.require_message_authenticator ?? 1) === 1}
        />{' '}
        Require Message-Authenticator (recommended)
      </label>
      <label>
        Location <input name="location" maxLength={200} value={hotspot?.location ?? ''} />
      </label>
      <button type="submit">Save hotspot</button>
    </form>
  );
}

const FORM_ERRORS = ['VALIDATION', 'CONFLICT'];

/** The form as typed, to show again after an error (the secret is never echoed back). */
function typedHotspot(body: FormBody): Partial<Hotspot> {
  const input = fromForm(body);
  return {
    title: input.title,
    vendor: input.vendor,
    ip_address: input.ipAddress,
    coa_port: Number.isFinite(input.coaPort) ? input.coaPort : 3799,
    interim_interval_seconds: Number.isFinite(input.interimIntervalSeconds)
      ? input.interimIntervalSeconds
      : 300,
    require_message_authenticator: input.requireMessageAuthenticator ? 1 : 0,
    location: input.location,
  };
}

export const hotspotsPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
  admin.get('/admin/hotspots', async (request, reply) => {
    const hotspots = await deps.hotspots.list(request.tenant.id);
    return kit.render(request, reply, {
      title: 'Hotspots',
      body: (
        <>
          {canWrite(kit.actorOf(request).role) ? (
            <p>
              <a class="button" href="/admin/hotspots/new">
                New hotspot
              </a>
            </p>
          ) : null}
          {hotspots.length === 0 ? (
            <Empty>
              No hotspots yet. A hotspot is a router (MikroTik or any RADIUS NAS) that asks Portico whether a
              guest's voucher is good: add yours with “New hotspot” and Portico gives you its configuration.
            </Empty>
          ) : (
            <Table label="Hotspots">
              <thead>
                <tr>
                  <th>Title</th>
                  <th>Vendor</th>
                  <th>IP address</th>
                  <th>Location</th>
                  <th>Added</th>
                </tr>
              </thead>
              <tbody>
                {hotspots.map((h) => (
                  <tr>
                    <td>
                      <a href={`/admin/hotspots/${h.id}`}>{h.title}</a>
                    </td>
                    <td>{h.vendor}</td>
                    <td>{h.ip_address}</td>
                    <td>{h.location ?? ''}</td>
                    <td>{when(h.created_at, request.tenant)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </>
      ),
    });
  });

  admin.get('/admin/hotspots/new', { preHandler: kit.requireWrite }, async (request, reply) =>
    kit.render(request, reply, {
      title: 'New hotspot',
      body: <HotspotForm csrf={kit.csrf(reply)} action="/admin/hotspots" />,
    }),
  );

  admin.post<{ Body: FormBody }>(
    '/admin/hotspots',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      try {
        const hotspot = await deps.hotspots.create(request.tenant.id, fromForm(request.body));
        return reply.redirect(`/admin/hotspots/${hotspot.id}?notice=hotspot-created`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || !FORM_ERRORS.includes(error.code)) throw error;
        return kit.render(request, reply, {
          title: 'New hotspot',
          status: 400,
          error: formErrorText(error),
          body: (
            <HotspotForm
              hotspot={typedHotspot(request.body)}
              csrf={kit.csrf(reply)}
              action="/admin/hotspots"
            />
          ),
        });
      }
    },
  );

  const detail = async (
    request: FastifyRequest,
    reply: FastifyReply,
    hotspot: Hotspot,
    error?: string,
    typed?: Partial<Hotspot>,
  ) => {
    const writable = canWrite(kit.actorOf(request).role);
    const csrf = kit.csrf(reply);
    const host = request.hostname.replace(/:\d+$/, '');
    const loginSection =
      hotspot.vendor === 'mikrotik' && deps.hotspotLoginSection
        ? await deps.hotspotLoginSection(request, hotspot.id, csrf)
        : null;
    return kit.render(request, reply, {
      title: hotspot.title,
      error,
      status: error ? 400 : 200,
      body: (
        <>
          <dl class="facts">
            <dt>Vendor</dt>
            <dd>{hotspot.vendor}</dd>
            <dt>Source IP</dt>
            <dd>{hotspot.ip_address}</dd>
            <dt>RADIUS secret</dt>
            <dd>
              {writable ? <code class="secret">{hotspot.secret}</code> : '•••••• (owners and admins see it)'}
            </dd>
            <dt>CoA port</dt>
            <dd>{hotspot.coa_port}</dd>
            <dt>Interim interval</dt>
            <dd>{hotspot.interim_interval_seconds} s</dd>
            <dt>Message-Authenticator</dt>
            <dd>{hotspot.require_message_authenticator ? 'required' : 'not required'}</dd>
            <dt>Location</dt>
            <dd>{hotspot.location ?? '—'}</dd>
          </dl>
          <p>
            <a href={`/admin/sessions?online=yes&hotspotId=${hotspot.id}`}>
              Sessions online now at this hotspot
            </a>
          </p>
          {writable && hotspot.vendor === 'mikrotik' ? (
            <>
              <h2>RouterOS configuration</h2>
              <p class="muted">
                Paste into the router's terminal (replace the address if routers reach Portico differently).
              </p>
              <pre class="config">
                {routerOsConfig({
                  radiusServerAddress: host || '127.0.0.1',
                  secret: hotspot.secret,
                  authPort: deps.radius.authPort,
                  acctPort: deps.radius.acctPort,
                  coaPort: hotspot.coa_port,
                  interimIntervalSeconds: hotspot.interim_interval_seconds,
                  requireMessageAuthenticator: hotspot.require_message_authenticator === 1,
                })}
              </pre>
            </>
          ) : null}
          {loginSection}
          {writable ? (
            <>
              <h2>Edit</h2>
              <HotspotForm
                hotspot={typed ? { ...typed, id: hotspot.id } : hotspot}
                csrf={csrf}
                action={`/admin/hotspots/${hotspot.id}`}
              />
              <p>
                <ActionButton
                  action={`/admin/hotspots/${hotspot.id}/delete`}
                  csrf={csrf}
                  label="Delete hotspot"
                  danger
                />
              </p>
            </>
          ) : null}
        </>
      ),
    });
  };

  admin.get('/admin/hotspots/:id', async (request, reply) =>
    detail(request, reply, await deps.hotspots.get(request.tenant.id, idParam(request.params))),
  );

  admin.post<{ Body: FormBody }>(
    '/admin/hotspots/:id',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      const id = idParam(request.params);
      const current = await deps.hotspots.get(request.tenant.id, id);
      try {
        await deps.hotspots.update(request.tenant.id, id, {
          ...fromForm(request.body),
          secret: text(request.body, 'secret') || current.secret,
        });
        return reply.redirect(`/admin/hotspots/${id}?notice=saved`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || !FORM_ERRORS.includes(error.code)) throw error;
        return detail(request, reply, current, formErrorText(error), typedHotspot(request.body));
      }
    },
  );

  admin.post('/admin/hotspots/:id/delete', { preHandler: kit.requireWrite }, async (request, reply) => {
    const id = idParam(request.params);
    try {
      await deps.hotspots.delete(request.tenant.id, id);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'CONFLICT') throw error;
      return detail(request, reply, await deps.hotspots.get(request.tenant.id, id), formErrorText(error));
    }
    return reply.redirect('/admin/hotspots?notice=deleted', 303);
  });
};
