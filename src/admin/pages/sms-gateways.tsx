/** Config > SMS gateways: list, order, add, edit, enable/disable, delete, and test-send. */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { canWrite } from '../../auth/index.js';
import { AppError } from '../../shared/index.js';
import { GATEWAY_TYPES, publicBaseUrl, type GatewayType, type SmsMessageView } from '../../sms/index.js';
import { checked, formBody, formRoute, formValidationText, idParam, text, type FormBody } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import { ActionButton, Badge, Empty, Table } from '../views/components.js';
import {
  deliveryReportsText,
  GATEWAY_LABELS,
  GatewayForm,
  settingsFromForm,
  TestForm,
  type GatewayDraft,
} from './sms-gateway-form.js';

type Query = Record<string, string | undefined>;

/** A new gateway: its type and name (the type's settings fields are read by its field list). */
const NewGatewayForm = Type.Object({
  type: Type.Union(GATEWAY_TYPES.map((type) => Type.Literal(type))),
  name: Type.String({ default: '' }),
});

export const smsGatewaysPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.smsAdminDeps;
  const canChange = (request: FastifyRequest) => canWrite(kit.actorOf(request).role);
  const gatewayType = (raw: string | undefined): GatewayType => {
    if (!raw || !(GATEWAY_TYPES as readonly string[]).includes(raw))
      throw new AppError('VALIDATION', 'Choose a gateway type');
    return raw as GatewayType;
  };

  const gatewaysPage = async (request: FastifyRequest, reply: FastifyReply, error?: string) => {
    const gateways = await deps.sms.listGateways(request.tenant.id);
    const csrf = kit.csrf(reply);
    const write = canChange(request);
    return kit.render(request, reply, {
      title: 'SMS gateways',
      error,
      status: error ? 409 : 200,
      body: (
        <>
          <p class="muted">
            The first enabled gateway sends every SMS; when it fails, the next enabled one is tried, in this
            order.
          </p>
          {gateways.length === 0 ? (
            <Empty>
              No SMS gateway yet. Add one to send portal links, voucher details and one-time codes: an HTTP
              API (most providers, Kannel), Twilio or SMPP. “Server log” only writes messages to Portico's
              log, for trying things out.
            </Empty>
          ) : (
            <Table label="SMS gateways">
              <thead>
                <tr>
                  <th>Order</th>
                  <th>Name</th>
                  <th>Type</th>
                  <th>Status</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {gateways.map((g, index) => (
                  <tr>
                    <td>
                      {index + 1}{' '}
                      {write && index > 0 ? (
                        <ActionButton
                          action={`/admin/config/sms-gateways/${g.id}/move`}
                          csrf={csrf}
                          label="↑ Up"
                          fields={{ direction: 'up' }}
                        />
                      ) : null}
                      {write && index < gateways.length - 1 ? (
                        <ActionButton
                          action={`/admin/config/sms-gateways/${g.id}/move`}
                          csrf={csrf}
                          label="↓ Down"
                          fields={{ direction: 'down' }}
                        />
                      ) : null}
                    </td>
                    <td>
                      <a href={`/admin/config/sms-gateways/${g.id}`}>{g.name}</a>
                    </td>
                    <td>{GATEWAY_LABELS[g.type]}</td>
                    <td>
                      <Badge status={g.enabled ? 'active' : 'disabled'} />
                    </td>
                    <td class="actions">
                      {write ? (
                        <>
                          <ActionButton
                            action={`/admin/config/sms-gateways/${g.id}/${g.enabled ? 'disable' : 'enable'}`}
                            csrf={csrf}
                            label={g.enabled ? 'Disable' : 'Enable'}
                          />
                          <ActionButton
                            action={`/admin/config/sms-gateways/${g.id}/delete`}
                            csrf={csrf}
                            label="Delete"
                            danger
                          />
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          {write ? (
            <form method="get" action="/admin/config/sms-gateways/new" class="filters">
              <label for="gateway-type">Add a gateway of type</label>
              <select name="type" id="gateway-type">
                {GATEWAY_TYPES.map((t) => (
                  <option value={t}>{GATEWAY_LABELS[t]}</option>
                ))}
              </select>
              <button type="submit">Add gateway</button>
            </form>
          ) : null}
        </>
      ),
    });
  };

  admin.get('/admin/config/sms-gateways', async (request, reply) => gatewaysPage(request, reply));

  admin.get<{ Querystring: Query }>(
    '/admin/config/sms-gateways/new',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      const type = gatewayType(request.query.type);
      return kit.render(request, reply, {
        title: `New SMS gateway: ${GATEWAY_LABELS[type]}`,
        body: <GatewayForm type={type} csrf={kit.csrf(reply)} action="/admin/config/sms-gateways" />,
      });
    },
  );

  admin.post(
    '/admin/config/sms-gateways',
    { preHandler: kit.requireWrite, ...formRoute(NewGatewayForm) },
    async (request, reply) => {
      const { type, name } = formBody(request, NewGatewayForm, { type: 'Choose a gateway type' });
      // The type's own settings fields (s_*) are read by its field list (sms-gateway-form.tsx).
      const body = request.body as FormBody;
      const draft = { name: name.trim(), settings: settingsFromForm(type, body) };
      try {
        const created = await deps.sms.createGateway(request.tenant.id, {
          name: draft.name,
          type,
          enabled: checked(body, 'enabled'),
          settings: draft.settings,
        });
        return reply.redirect(`/admin/config/sms-gateways/${created.id}?notice=gateway-created`, 303);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return kit.render(request, reply, {
          title: `New SMS gateway: ${GATEWAY_LABELS[type]}`,
          error: formValidationText(error),
          status: 400,
          body: (
            <GatewayForm
              type={type}
              draft={draft}
              csrf={kit.csrf(reply)}
              action="/admin/config/sms-gateways"
            />
          ),
        });
      }
    },
  );

  const gatewayPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: { error?: string; notice?: string; test?: SmsMessageView; draft?: GatewayDraft } = {},
  ) => {
    const gateway = await deps.sms.getGateway(request.tenant.id, idParam(request.params));
    const csrf = kit.csrf(reply);
    const write = canChange(request);
    return kit.render(request, reply, {
      title: `SMS gateway: ${gateway.name}`,
      error: options.error,
      notice: options.notice,
      status: options.error && !options.test ? 400 : 200,
      body: (
        <>
          <p>
            <a href="/admin/config/sms-gateways">← All SMS gateways</a> · {GATEWAY_LABELS[gateway.type]} ·{' '}
            <Badge status={gateway.enabled ? 'active' : 'disabled'} />
          </p>
          <p data-delivery-reports>
            Delivery reports:{' '}
            {deliveryReportsText(gateway, publicBaseUrl(request.tenant, deps.deploymentPublicUrl))}
          </p>
          {options.test ? (
            <section aria-label="Test result">
              <h2>Test result</h2>
              <p>
                <Badge status={options.test.status} /> {options.test.gatewayAnswer ?? ''}{' '}
                {options.test.error ?? ''}{' '}
                <a href={`/admin/logs/sms/${options.test.id}`}>SMS #{options.test.id}</a>
              </p>
            </section>
          ) : null}
          {write ? (
            <>
              <GatewayForm
                type={gateway.type}
                gateway={gateway}
                draft={options.draft}
                csrf={csrf}
                action={`/admin/config/sms-gateways/${gateway.id}`}
              />
              <h2>Send a test SMS</h2>
              <TestForm gateway={gateway} csrf={csrf} />
            </>
          ) : (
            <dl>
              {Object.entries(gateway.settings).map(([k, v]) => (
                <>
                  <dt>{k}</dt>
                  <dd>{String(v)}</dd>
                </>
              ))}
            </dl>
          )}
        </>
      ),
    });
  };

  admin.get('/admin/config/sms-gateways/:id', async (request, reply) => gatewayPage(request, reply));

  admin.post<{ Body: FormBody }>(
    '/admin/config/sms-gateways/:id',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      const id = idParam(request.params);
      const current = await deps.sms.getGateway(request.tenant.id, id);
      const draft = {
        name: text(request.body, 'name'),
        settings: settingsFromForm(current.type, request.body),
      };
      try {
        await deps.sms.updateGateway(request.tenant.id, id, draft);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return gatewayPage(request, reply, { error: formValidationText(error), draft });
      }
      return reply.redirect(`/admin/config/sms-gateways/${id}?notice=saved`, 303);
    },
  );

  const NOTICE_BY_ACTION = {
    enable: 'enabled',
    disable: 'disabled',
    delete: 'deleted',
    move: 'saved',
  } as const;
  for (const action of ['enable', 'disable', 'delete', 'move'] as const) {
    admin.post<{ Body: FormBody }>(
      `/admin/config/sms-gateways/:id/${action}`,
      { preHandler: kit.requireWrite },
      async (request, reply) => {
        const id = idParam(request.params);
        try {
          if (action === 'enable' || action === 'disable')
            await deps.sms.updateGateway(request.tenant.id, id, { enabled: action === 'enable' });
          else if (action === 'delete') await deps.sms.deleteGateway(request.tenant.id, id);
          else
            await deps.sms.moveGateway(
              request.tenant.id,
              id,
              text(request.body, 'direction') === 'up' ? -1 : 1,
            );
        } catch (error) {
          if (!(error instanceof AppError) || error.code === 'NOT_FOUND') throw error;
          return gatewaysPage(request, reply, formValidationText(error));
        }
        return reply.redirect(`/admin/config/sms-gateways?notice=${NOTICE_BY_ACTION[action]}`, 303);
      },
    );
  }

  // The test result is shown on the page the POST answers; reloading or bookmarking that
  // address (a GET) leads back to the gateway rather than to "Not found".
  admin.get('/admin/config/sms-gateways/:id/test', async (request, reply) => {
    const gateway = await deps.sms.getGateway(request.tenant.id, idParam(request.params));
    return reply.redirect(`/admin/config/sms-gateways/${gateway.id}`, 303);
  });

  admin.post<{ Body: FormBody }>(
    '/admin/config/sms-gateways/:id/test',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      const id = idParam(request.params);
      try {
        const message = await deps.sms.sendTest(request.tenant, id, {
          to: text(request.body, 'to'),
          text: text(request.body, 'text'),
        });
        return gatewayPage(request, reply, {
          test: message,
          notice: message.status === 'sent' ? 'The test SMS was sent.' : undefined,
          error:
            message.status === 'failed'
              ? `The test SMS failed: ${message.error ?? 'unknown error'}`
              : undefined,
        });
      } catch (error) {
        if (!(error instanceof AppError) || error.code === 'NOT_FOUND') throw error;
        return gatewayPage(request, reply, { error: formValidationText(error) });
      }
    },
  );
};
