/**
 * Admin pages of the SMS features: Config > SMS gateways (add, edit, enable, order, delete,
 * test send), Config > Portal (OTP and devices block, OTP limits), Config > Notifications (status
 * page SMS with a preview for a real customer) and Logs > SMS Logs (filters, detail view).
 * Registered as an AdminPagesExtension: auth, CSRF and the layout come from the admin shell.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { canWrite } from '../auth/index.js';
import {
  TEMPLATE_VARIABLES,
  templateHasLink,
  type NotificationsService,
  type PortalAddress,
  type PortalUrlSource,
  type PreviewResult,
} from '../notifications/index.js';
import { OTP_BOUNDS, type PortalSettingsService } from '../otp/index.js';
import { AppError, pageRequest } from '../shared/index.js';
import {
  describeSmsText,
  GATEWAY_TYPES,
  isSmsStatus,
  publicBaseUrl,
  isSmsType,
  SMS_STATUSES,
  SMS_TYPES,
  SECRET_FIELDS,
  type GatewayType,
  type GatewayView,
  type SmsMessageView,
  type SmsService,
} from '../sms/index.js';
import type { Tenant } from '../store/index.js';
import { checked, dayRangeInZone, idParam, text, type FormBody } from './forms.js';
import type { AdminKit, AdminPagesExtension } from './kit.js';
import {
  Table,
  ActionButton,
  Badge,
  CsrfField,
  Empty,
  isFiltered,
  Pager,
  when as adminWhen,
} from './views/components.js';

export interface SmsAdminDeps {
  sms: SmsService;
  notifications: NotificationsService;
  portalSettings: PortalSettingsService;
  /** The portal address SMS links use, and where it came from. */
  portalAddress: (tenant: Tenant) => Promise<PortalAddress>;
  /** PORTICO_PUBLIC_URL: where providers report delivery when a tenant has no public address. */
  deploymentPublicUrl?: string;
  /** Finds a customer by phone (as typed) for the notification preview. */
  findCustomerIdByPhone: (tenant: Tenant, phone: string) => Promise<number | undefined>;
}

type Query = Record<string, string | undefined>;

export const TYPE_LABELS: Record<string, string> = {
  login_code: 'Login code',
  portal_link: 'Portal link',
  voucher_details: 'Voucher details',
  limit_warning: 'Limit warning',
  test: 'Test',
};

/** Where the portal address in SMS links comes from, in the operator's words. */
const PORTAL_URL_SOURCES: Record<PortalUrlSource, string> = {
  tenant: 'SMS links use this address: your public address (Config > Business).',
  deployment: 'SMS links use this address: the server’s PORTICO_PUBLIC_URL.',
  host: 'SMS links use this address: the first host name of this business.',
  admin:
    'SMS links use this address because it is the one you used to reach this admin area and no public address is set. Guests’ phones must be able to reach it too.',
  network:
    'SMS links use this machine’s network address because no public address is set and no admin has signed in yet.',
};

const OUTCOME_LABELS: Record<string, string> = {
  accepted: 'Accepted',
  partly_accepted: 'Partly accepted (resumed on this gateway)',
  temporary_failure: 'Failed, will retry',
  permanent_failure: 'Refused for good',
  no_gateway: 'No gateway enabled',
  expired: 'Code expired unsent',
};

const GATEWAY_LABELS: Record<GatewayType, string> = {
  http: 'HTTP (generic, Kannel)',
  twilio: 'Twilio',
  smpp: 'SMPP',
  log: 'Server log (development, demo)',
};

interface Field {
  name: string;
  label: string;
  kind: 'text' | 'password' | 'number' | 'checkbox' | 'select' | 'textarea';
  options?: Array<[string, string]>;
  help?: string;
  required?: boolean;
}

const DESTINATION_HELP =
  'Public addresses only, unless the operator of this server allows a private one. ' +
  'Changing it needs the secrets typed again.';

/** The settings form of each gateway type. */
export const GATEWAY_FIELDS: Record<GatewayType, Field[]> = {
  http: [
    {
      name: 'url',
      label: 'URL',
      kind: 'text',
      required: true,
      help:
        'Placeholders: {to} {text} {from} {username} {password} {dlr_url}. Kannel: ' +
        'http://host:13013/cgi-bin/sendsms?username={username}&password={password}&to={to}&text={text}&from={from}' +
        '&dlr-mask=3&dlr-url={dlr_url} ({dlr_url} is where Kannel reports delivery; it needs a public URL under Config > Business)' +
        '. ' +
        DESTINATION_HELP,
    },
    {
      name: 'method',
      label: 'Method',
      kind: 'select',
      options: [
        ['GET', 'GET'],
        ['POST', 'POST'],
      ],
    },
    {
      name: 'contentType',
      label: 'Content type (POST)',
      kind: 'select',
      options: [
        ['form', 'Form (application/x-www-form-urlencoded)'],
        ['json', 'JSON'],
      ],
    },
    {
      name: 'payloadTemplate',
      label: 'Payload template (POST)',
      kind: 'textarea',
      help: 'e.g. to={to}&text={text} or {"to":"{to}","text":"{text}"}; values are encoded for the content type',
    },
    { name: 'sender', label: 'Sender ({from})', kind: 'text' },
    { name: 'username', label: 'Username ({username})', kind: 'text' },
    { name: 'password', label: 'Password ({password})', kind: 'password' },
    { name: 'headerName', label: 'Extra header name', kind: 'text', help: 'e.g. Authorization' },
    { name: 'headerValue', label: 'Extra header value', kind: 'password' },
    {
      name: 'successSubstring',
      label: 'Success text in the answer',
      kind: 'text',
      help: 'Kannel: Accepted (empty: any 2xx status is success)',
    },
    { name: 'verifyTls', label: 'Verify TLS certificates', kind: 'checkbox' },
    { name: 'timeoutSeconds', label: 'Timeout, seconds', kind: 'number' },
  ],
  twilio: [
    { name: 'accountSid', label: 'Account SID', kind: 'text', required: true },
    { name: 'apiKeySid', label: 'API key SID', kind: 'text', help: 'empty = use the auth token' },
    { name: 'secret', label: 'API key secret or auth token', kind: 'password' },
    {
      name: 'authToken',
      label: 'Auth token (verifies delivery callbacks)',
      kind: 'password',
      help: 'only with an API key: Twilio signs status callbacks with the auth token',
    },
    { name: 'from', label: 'From (number or sender id)', kind: 'text', required: true },
    {
      name: 'baseUrl',
      label: 'API base URL',
      kind: 'text',
      help: `https://api.twilio.com. ${DESTINATION_HELP}`,
    },
    { name: 'timeoutSeconds', label: 'Timeout, seconds', kind: 'number' },
  ],
  smpp: [
    { name: 'host', label: 'Host', kind: 'text', required: true, help: DESTINATION_HELP },
    { name: 'port', label: 'Port', kind: 'number' },
    { name: 'tls', label: 'TLS', kind: 'checkbox' },
    { name: 'verifyTls', label: 'Verify TLS certificates', kind: 'checkbox' },
    { name: 'systemId', label: 'System ID', kind: 'text', required: true },
    { name: 'password', label: 'Password', kind: 'password' },
    { name: 'systemType', label: 'System type', kind: 'text' },
    { name: 'sourceAddress', label: 'Source address', kind: 'text' },
    {
      name: 'bindMode',
      label: 'Bind as',
      kind: 'select',
      options: [
        ['transceiver', 'Transceiver (receives delivery receipts)'],
        ['transmitter', 'Transmitter'],
      ],
    },
    { name: 'enquireLinkSeconds', label: 'enquire_link every, seconds', kind: 'number' },
    { name: 'timeoutSeconds', label: 'Timeout, seconds', kind: 'number' },
  ],
  log: [],
};

const DEFAULTS: Record<GatewayType, Record<string, unknown>> = {
  http: {
    method: 'GET',
    contentType: 'form',
    verifyTls: true,
    timeoutSeconds: 10,
    successSubstring: 'Accepted',
  },
  twilio: { baseUrl: 'https://api.twilio.com', timeoutSeconds: 10 },
  smpp: { port: 2775, verifyTls: true, bindMode: 'transceiver', enquireLinkSeconds: 30, timeoutSeconds: 10 },
  log: {},
};

function rawText(body: FormBody, name: string): string {
  const value = body[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** Reads the settings fields of `type` from a form (checkboxes absent = off, numbers as numbers). */
export function settingsFromForm(type: GatewayType, body: FormBody): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const field of GATEWAY_FIELDS[type]) {
    const key = `s_${field.name}`;
    if (field.kind === 'checkbox') settings[field.name] = checked(body, key);
    else if (field.kind === 'number') {
      const raw = text(body, key);
      if (raw !== '') settings[field.name] = Number(raw);
    } else if (field.kind === 'password') {
      const raw = rawText(body, key);
      if (raw !== '') settings[field.name] = raw; // empty = keep the stored secret
    } else settings[field.name] = field.kind === 'textarea' ? rawText(body, key) : text(body, key);
  }
  return settings;
}

function SettingsFields({
  type,
  gateway,
  draft,
}: {
  type: GatewayType;
  gateway?: GatewayView;
  draft?: GatewayDraft;
}): VNode {
  const typed = { ...draft?.settings };
  for (const field of SECRET_FIELDS[type]) delete typed[field];
  const values = { ...(gateway?.settings ?? DEFAULTS[type]), ...typed };
  const secrets = new Set(gateway?.secretsSet ?? []);
  return (
    <>
      {GATEWAY_FIELDS[type].map((field) => {
        const name = `s_${field.name}`;
        const value = values[field.name];
        const help = field.help ? <small>{field.help}</small> : null;
        if (field.kind === 'checkbox')
          return (
            <label class="check">
              <input type="checkbox" name={name} checked={value === true} /> {field.label}
            </label>
          );
        if (field.kind === 'select')
          return (
            <label>
              {field.label}
              <select name={name}>
                {(field.options ?? []).map(([v, label]) => (
                  <option value={v} selected={value === v}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
          );
        if (field.kind === 'textarea')
          return (
            <label>
              {field.label} {help}
              <textarea name={name} rows={3}>
                {typeof value === 'string' ? value : ''}
              </textarea>
            </label>
          );
        if (field.kind === 'password')
          return (
            <label>
              {field.label}{' '}
              <small>{secrets.has(field.name) ? '(set; leave empty to keep it)' : '(not set)'}</small>
              <input type="password" name={name} autocomplete="new-password" value="" />
            </label>
          );
        const shown = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
        return (
          <label>
            {field.label} {help}
            {field.kind === 'number' ? (
              <input name={name} type="number" required={field.required} value={shown} />
            ) : (
              <input name={name} type="text" required={field.required} value={shown} />
            )}
          </label>
        );
      })}
    </>
  );
}

/** What the operator typed, shown again when a save is refused (secrets never are). */
interface GatewayDraft {
  name: string;
  settings: Record<string, unknown>;
}

function GatewayForm(props: {
  type: GatewayType;
  gateway?: GatewayView;
  draft?: GatewayDraft;
  csrf: string;
  action: string;
}): VNode {
  return (
    <form method="post" action={props.action} class="stack form-grid">
      <CsrfField token={props.csrf} />
      <input type="hidden" name="type" value={props.type} />
      <label>
        Name
        <input
          name="name"
          required
          maxLength={200}
          value={props.draft?.name ?? props.gateway?.name ?? GATEWAY_LABELS[props.type]}
        />
      </label>
      {props.gateway ? null : (
        <label class="check">
          <input type="checkbox" name="enabled" checked /> Enabled
        </label>
      )}
      <SettingsFields type={props.type} gateway={props.gateway} draft={props.draft} />
      <button type="submit">Save gateway</button>
    </form>
  );
}

/** Whether and how this gateway's delivery reports reach Portico, in words (docs/sms.md). */
export function deliveryReportsText(gateway: GatewayView, base: string | undefined): string {
  const settings = gateway.settings;
  const publicHint = 'set the Public address under Config > Business (providers must reach it)';
  switch (gateway.type) {
    case 'smpp':
      return settings.bindMode === 'transmitter'
        ? 'Off: a transmitter bind receives no receipts. Bind as transceiver to get them.'
        : 'On: the SMSC sends a receipt per part on the transceiver link.';
    case 'twilio':
      if (!base) return `Off: ${publicHint}.`;
      if (settings.apiKeySid && !gateway.secretsSet.includes('authToken'))
        return "Off: with an API key, enter the auth token so Portico can verify Twilio's signed callbacks.";
      return `On: Twilio reports to ${base}/sms/callbacks/twilio/${gateway.id} (signed with the auth token).`;
    case 'http': {
      const str = (value: unknown) => (typeof value === 'string' ? value : '');
      const template = str(settings.url) + str(settings.payloadTemplate);
      if (!template.includes('{dlr_url}'))
        return 'Off: put {dlr_url} where the provider takes a delivery-report URL (Kannel: &dlr-mask=3&dlr-url={dlr_url}).';
      if (!base) return `Off: ${publicHint}.`;
      return `On: {dlr_url} becomes ${base}/sms/callbacks/http/${gateway.id}/<this gateway's secret>?ref=<message id>&status=%d.`;
    }
    default:
      return 'None: the server log gateway only writes messages to the log.';
  }
}

function TestForm({ gateway, csrf }: { gateway: GatewayView; csrf: string }): VNode {
  return (
    <form method="post" action={`/admin/config/sms-gateways/${gateway.id}/test`} class="stack">
      <CsrfField token={csrf} />
      <label>
        Phone number
        <input name="to" type="tel" required maxLength={40} />
      </label>
      <label>
        Text <small>(optional)</small>
        <input name="text" maxLength={640} />
      </label>
      <button type="submit">Send test SMS</button>
    </form>
  );
}

/** The admin date format (views/components when), in the tenant's zone and locale. */
function when(ms: number | null, tenant: Tenant): string {
  return adminWhen(ms, tenant);
}

function describe(error: AppError): string {
  const errors = (error.details as { errors?: Array<{ path: string; message: string }> } | undefined)?.errors;
  if (!errors || errors.length === 0) return error.message;
  return `${error.message}: ${errors.map((e) => `${e.path.replace(/^\//, '') || 'settings'} ${e.message}`).join('; ')}`;
}

/** Encoding, parts and room left of a text, and what forces UCS-2 when something does. */
export function SmsCost({ text }: { text: string }): VNode {
  const info = describeSmsText(text);
  return (
    <p class="muted" data-sms-cost>
      {info.encoding === 'gsm7' ? 'GSM-7' : 'UCS-2 (Unicode)'}, {info.parts}{' '}
      {info.parts === 1 ? 'part' : 'parts'}, {info.charactersLeft}{' '}
      {info.charactersLeft === 1 ? 'character' : 'characters'} left in this part
      {info.parts > 1 ? '' : ` (${text.length} characters)`}.
      {info.nonGsmCharacters.length > 0 ? (
        <>
          {' '}
          Not in the GSM alphabet: {info.nonGsmCharacters.map((c) => `“${c}”`).join(' ')}; without them the
          text would be GSM-7, with about twice the room per part.
        </>
      ) : null}
    </p>
  );
}

function PreviewBox({ preview, error }: { preview?: PreviewResult; error?: string }): VNode | null {
  if (error) return <p class="error">{error}</p>;
  if (!preview) return null;
  return (
    <section aria-label="Preview">
      <h2>Preview</h2>
      <p class="muted">
        {preview.customer
          ? `For ${preview.customer.name ?? 'the customer'} (${preview.customer.phone}), with their latest voucher.`
          : 'With sample data: no customer has a voucher yet.'}
      </p>
      <pre class="sms-preview" id="sms-preview">
        {preview.text}
      </pre>
      <SmsCost text={preview.text} />
    </section>
  );
}

interface NotificationDraft {
  enabled: boolean;
  frequency: string;
  template: string;
}

export function smsAdminPages(deps: SmsAdminDeps): AdminPagesExtension {
  return async (admin: FastifyInstance, kit: AdminKit) => {
    const canChange = (request: FastifyRequest) => canWrite(kit.actorOf(request).role);
    const gatewayType = (raw: string | undefined): GatewayType => {
      if (!raw || !(GATEWAY_TYPES as readonly string[]).includes(raw))
        throw new AppError('VALIDATION', 'Choose a gateway type');
      return raw as GatewayType;
    };

    // ---- Config > SMS gateways ----

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

    admin.post<{ Body: FormBody }>(
      '/admin/config/sms-gateways',
      { preHandler: kit.requireWrite },
      async (request, reply) => {
        const type = gatewayType(text(request.body, 'type'));
        const draft = { name: text(request.body, 'name'), settings: settingsFromForm(type, request.body) };
        try {
          const created = await deps.sms.createGateway(request.tenant.id, {
            name: draft.name,
            type,
            enabled: checked(request.body, 'enabled'),
            settings: draft.settings,
          });
          return reply.redirect(`/admin/config/sms-gateways/${created.id}?notice=gateway-created`, 303);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          return kit.render(request, reply, {
            title: `New SMS gateway: ${GATEWAY_LABELS[type]}`,
            error: describe(error),
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
          return gatewayPage(request, reply, { error: describe(error), draft });
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
            return gatewaysPage(request, reply, describe(error));
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
          return gatewayPage(request, reply, { error: describe(error) });
        }
      },
    );

    // ---- Config > Portal ----

    const portalPage = async (request: FastifyRequest, reply: FastifyReply, error?: string) => {
      const settings = await deps.portalSettings.get(request.tenant.id);
      const canOtp = await deps.portalSettings.canUseOtp(request.tenant.id);
      const write = canChange(request);
      // The address SMS links use (notifications/portal-url.ts): the page says where it came from.
      const { url: portalUrl, source } = await deps.portalAddress(request.tenant);
      const limit = (
        name:
          | 'otpLength'
          | 'otpTtlSeconds'
          | 'otpMaxAttempts'
          | 'otpResendCooldownSeconds'
          | 'otpMaxPerNumberPerHour'
          | 'otpMaxPerIpPerHour'
          | 'otpMaxPerTenantPerDay',
        label: string,
        bounds: readonly [number, number],
      ) => (
        <label>
          {label}{' '}
          <small>
            ({bounds[0]}–{bounds[1]})
          </small>
          <input
            name={name}
            type="number"
            min={bounds[0]}
            max={bounds[1]}
            value={String(settings[name])}
            disabled={!write}
          />
        </label>
      );
      return kit.render(request, reply, {
        title: 'Portal',
        error,
        status: error ? 400 : 200,
        body: (
          <>
            <p class="hint" data-hint="portal-url">
              Your customers' portal is at{' '}
              <a href={portalUrl} data-portal-url>
                {portalUrl}
              </a>
              : guests sign in there with their phone number to see their usage, vouchers and devices. Send
              them the link by SMS when a voucher is activated under{' '}
              <a href="/admin/config/notifications">Notifications</a>, or have the hotspot open it after
              login: <a href="/admin/config/login-page">Config &gt; Login page</a> &gt; “Open the customer
              portal after login”.
            </p>
            <p class="hint" data-hint="portal-url-source">
              {PORTAL_URL_SOURCES[source]}
              {source === 'tenant' || source === 'deployment' ? null : (
                <>
                  {' '}
                  Set the address guests use under <a href="/admin/config/business">Business</a>.
                </>
              )}
            </p>
            <form method="post" action="/admin/config/portal" class="stack form-grid">
              <CsrfField token={kit.csrf(reply)} />
              <label class="check">
                <input
                  type="checkbox"
                  name="otpEnabled"
                  checked={settings.otpEnabled}
                  disabled={!write || (!canOtp && !settings.otpEnabled)}
                />{' '}
                Use OTP for accessing the portal
              </label>
              {!canOtp ? (
                <p class="caution" role="note">
                  One-time codes need an SMS gateway:{' '}
                  <a href="/admin/config/sms-gateways">add and enable one</a> first.
                </p>
              ) : null}
              <label class="check">
                <input type="checkbox" name="showDevices" checked={settings.showDevices} disabled={!write} />{' '}
                Show Associated Devices block{' '}
                <small>(customers manage their devices; only with OTP on)</small>
              </label>
              {settings.showDevices && !settings.otpEnabled ? (
                <p class="caution" role="note" data-warning="devices-need-otp">
                  Customers do not see the Associated Devices block yet: it needs “Use OTP for accessing the
                  portal” on as well, so that only the owner of a number can change its devices.
                </p>
              ) : null}
              <fieldset>
                <legend>One-time codes</legend>
                {limit('otpLength', 'Code length, digits', OTP_BOUNDS.length)}
                {limit('otpTtlSeconds', 'Code lifetime, seconds', OTP_BOUNDS.ttlSeconds)}
                {limit('otpMaxAttempts', 'Wrong tries per code', OTP_BOUNDS.maxTries)}
                {limit('otpResendCooldownSeconds', 'Resend after, seconds', OTP_BOUNDS.resendCooldownSeconds)}
                {limit('otpMaxPerNumberPerHour', 'Codes per number per hour', OTP_BOUNDS.maxPerNumberPerHour)}
                {limit('otpMaxPerIpPerHour', 'Codes per client IP per hour', OTP_BOUNDS.maxPerIpPerHour)}
                {limit('otpMaxPerTenantPerDay', 'Codes per day (all numbers)', OTP_BOUNDS.maxPerTenantPerDay)}
                <label>
                  Allowed number prefixes <small>(e.g. +1 +44; empty = any)</small>
                  <input
                    name="otpAllowedPrefixes"
                    value={settings.otpAllowedPrefixes.join(' ')}
                    disabled={!write}
                  />
                </label>
              </fieldset>
              {write ? <button type="submit">Save</button> : null}
            </form>
          </>
        ),
      });
    };

    admin.get('/admin/config/portal', async (request, reply) => portalPage(request, reply));

    admin.post<{ Body: FormBody }>(
      '/admin/config/portal',
      { preHandler: kit.requireWrite },
      async (request, reply) => {
        const b = request.body;
        const int = (name: string) => {
          const raw = text(b, name);
          return raw === '' ? undefined : Number(raw);
        };
        let saved;
        try {
          saved = await deps.portalSettings.update(request.tenant.id, {
            otpEnabled: checked(b, 'otpEnabled'),
            showDevices: checked(b, 'showDevices'),
            otpLength: int('otpLength'),
            otpTtlSeconds: int('otpTtlSeconds'),
            otpMaxAttempts: int('otpMaxAttempts'),
            otpResendCooldownSeconds: int('otpResendCooldownSeconds'),
            otpMaxPerNumberPerHour: int('otpMaxPerNumberPerHour'),
            otpMaxPerIpPerHour: int('otpMaxPerIpPerHour'),
            otpMaxPerTenantPerDay: int('otpMaxPerTenantPerDay'),
            otpAllowedPrefixes: text(b, 'otpAllowedPrefixes')
              .split(/[\s,]+/)
              .filter(Boolean),
          });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          return portalPage(request, reply, describe(error));
        }
        // The devices block needs OTP (customerDevicesEnabled): say so rather than a bare "Saved.".
        const notice = saved.showDevices && !saved.otpEnabled ? 'saved-devices-need-otp' : 'saved';
        return reply.redirect(`/admin/config/portal?notice=${notice}`, 303);
      },
    );

    // ---- Config > Notifications ----

    const notificationsPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      options: {
        error?: string;
        draft?: NotificationDraft;
        preview?: PreviewResult;
        previewError?: string;
        previewPhone?: string;
      } = {},
    ) => {
      const saved = await deps.notifications.getSettings(request.tenant.id);
      const values: NotificationDraft = options.draft ?? {
        enabled: saved.statusPageEnabled,
        frequency: saved.statusPageFrequency,
        template: saved.statusPageTemplate,
      };
      let preview = options.preview;
      let previewError = options.previewError;
      if (!preview && !previewError) {
        try {
          preview = await deps.notifications.preview(request.tenant, { template: values.template });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          previewError = error.message;
        }
      }
      const write = canChange(request);
      return kit.render(request, reply, {
        title: 'Notifications',
        error: options.error,
        status: options.error ? 400 : 200,
        body: (
          <>
            <h2>Status page notifications</h2>
            <p class="muted">
              Texts the customer the portal link when a voucher is activated. Every SMS is in{' '}
              <a href="/admin/logs/sms">Logs &gt; SMS Logs</a>.
            </p>
            {request.tenant.public_url ? null : (
              <p class="hint" data-hint="public-url">
                The link in these texts must open on guests' phones. Portico builds it from the server's own
                address unless you set your public address (e.g. https://wifi.example.com) under{' '}
                <a href="/admin/config/business">Business</a>: check it in the preview below.
              </p>
            )}
            <form method="post" action="/admin/config/notifications" class="stack form-grid">
              <CsrfField token={kit.csrf(reply)} />
              <label class="check">
                <input type="checkbox" name="enabled" checked={values.enabled} disabled={!write} /> Enabled
              </label>
              <fieldset>
                <legend>Sending frequency</legend>
                <label class="check">
                  <input
                    type="radio"
                    name="frequency"
                    value="once"
                    checked={values.frequency === 'once'}
                    disabled={!write}
                  />{' '}
                  Once per customer (at their first voucher activation while this is on — whichever voucher
                  that is — and never again)
                </label>
                <label class="check">
                  <input
                    type="radio"
                    name="frequency"
                    value="every_activation"
                    checked={values.frequency === 'every_activation'}
                    disabled={!write}
                  />{' '}
                  Every time a new voucher is activated
                </label>
              </fieldset>
              <label>
                SMS text
                <textarea name="template" rows={4} maxLength={1000} disabled={!write}>
                  {values.template}
                </textarea>
              </label>
              {templateHasLink(values.template) ? null : (
                <p class="caution" role="note" data-warning="no-link">
                  This text has no <code>{'{{ link }}'}</code>: customers get no link to their portal. Add{' '}
                  <code>{'{{ link }}'}</code> where the address should go.
                </p>
              )}
              <p class="muted">
                Variables (write <code>{'{{ link }}'}</code> or <code>{'{{ .link }}'}</code>):{' '}
                {TEMPLATE_VARIABLES.map((v, i) => (
                  <>
                    {i > 0 ? '; ' : ''}
                    <code>{v.name}</code> {v.description}
                  </>
                ))}
                .
              </p>
              <label>
                Preview for the customer with phone <small>(empty = the latest customer)</small>
                <input name="previewPhone" type="tel" value={options.previewPhone ?? ''} />
              </label>
              {write ? (
                <div class="actions">
                  <button type="submit" name="intent" value="save">
                    Save
                  </button>
                  <button type="submit" name="intent" value="preview" class="secondary">
                    Preview
                  </button>
                </div>
              ) : null}
            </form>
            <PreviewBox preview={preview} error={previewError} />
          </>
        ),
      });
    };

    admin.get('/admin/config/notifications', async (request, reply) => notificationsPage(request, reply));

    admin.post<{ Body: FormBody }>(
      '/admin/config/notifications',
      { preHandler: kit.requireWrite },
      async (request, reply) => {
        const b = request.body;
        const draft: NotificationDraft = {
          enabled: checked(b, 'enabled'),
          frequency: text(b, 'frequency') || 'once',
          template: rawText(b, 'template'),
        };
        if (text(b, 'intent') === 'preview') {
          const previewPhone = text(b, 'previewPhone');
          try {
            let customerId: number | undefined;
            if (previewPhone) {
              customerId = await deps.findCustomerIdByPhone(request.tenant, previewPhone);
              if (customerId === undefined)
                throw new AppError('NOT_FOUND', 'No customer has this phone number');
            }
            const preview = await deps.notifications.preview(request.tenant, {
              template: draft.template,
              customerId,
            });
            return notificationsPage(request, reply, { draft, preview, previewPhone });
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            return notificationsPage(request, reply, { draft, previewError: error.message, previewPhone });
          }
        }
        try {
          await deps.notifications.updateSettings(request.tenant.id, {
            statusPageEnabled: draft.enabled,
            statusPageFrequency: draft.frequency as 'once' | 'every_activation',
            statusPageTemplate: draft.template,
          });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          return notificationsPage(request, reply, { draft, error: describe(error) });
        }
        return reply.redirect('/admin/config/notifications?notice=saved', 303);
      },
    );

    // ---- Logs > SMS Logs ----

    admin.get<{ Querystring: Query }>('/admin/logs/sms', async (request, reply) => {
      const q = request.query;
      const tenant = request.tenant;
      const paging = pageRequest(q.page, q.perPage);
      const { items, total } = await deps.sms.listMessages(tenant.id, {
        ...dayRangeInZone(q.from, q.to, tenant.time_zone),
        type: isSmsType(q.type) ? q.type : undefined,
        status: isSmsStatus(q.status) ? q.status : undefined,
        recipient: q.recipient?.slice(0, 40) || undefined,
        limit: paging.perPage,
        offset: (paging.page - 1) * paging.perPage,
      });
      const filters = { from: q.from, to: q.to, type: q.type, status: q.status, recipient: q.recipient };
      return kit.render(request, reply, {
        title: 'SMS Logs',
        body: (
          <>
            <form method="get" class="filters">
              <label>
                From <input type="date" name="from" value={q.from ?? ''} />
              </label>
              <label>
                To <input type="date" name="to" value={q.to ?? ''} />
              </label>
              <select name="type" aria-label="Type">
                <option value="">All types</option>
                {SMS_TYPES.map((t) => (
                  <option value={t} selected={q.type === t}>
                    {TYPE_LABELS[t]}
                  </option>
                ))}
              </select>
              <select name="status" aria-label="Status">
                <option value="">All statuses</option>
                {SMS_STATUSES.map((s) => (
                  <option value={s} selected={q.status === s}>
                    {s}
                  </option>
                ))}
              </select>
              <input
                name="recipient"
                placeholder="Recipient"
                aria-label="Recipient"
                value={q.recipient ?? ''}
              />
              <button type="submit">Filter</button>
            </form>
            {items.length === 0 ? (
              <Empty>
                {isFiltered(q) ? (
                  'No SMS match.'
                ) : (
                  <>
                    No SMS sent yet. Every text Portico sends (login codes, portal links, voucher details,
                    tests) is listed here; add a gateway under{' '}
                    <a href="/admin/config/sms-gateways">SMS gateways</a>.
                  </>
                )}
              </Empty>
            ) : (
              <Table label="SMS log">
                <thead>
                  <tr>
                    <th>ID</th>
                    <th>Recipient</th>
                    <th>Type</th>
                    <th>Text</th>
                    <th>Status</th>
                    <th>Attempts</th>
                    <th>Date and time</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((m) => (
                    <tr>
                      <td>
                        <a href={`/admin/logs/sms/${m.id}`}>{m.id}</a>
                      </td>
                      <td>{m.recipient}</td>
                      <td>{TYPE_LABELS[m.type] ?? m.type}</td>
                      <td class="sms-text">
                        <a href={`/admin/logs/sms/${m.id}`}>
                          {m.text.length > 80 ? `${m.text.slice(0, 79)}…` : m.text}
                        </a>
                      </td>
                      <td>
                        <Badge status={m.status} />
                      </td>
                      <td>{m.attempts}</td>
                      <td>{when(m.createdAt, tenant)}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
            <Pager
              page={{ items, total, page: paging.page, perPage: paging.perPage }}
              basePath="/admin/logs/sms"
              query={filters}
            />
          </>
        ),
      });
    });

    admin.get('/admin/logs/sms/:id', async (request, reply) => {
      const m = await deps.sms.getMessage(request.tenant.id, idParam(request.params));
      const gatewayNames = new Map(
        (await deps.sms.listGateways(request.tenant.id)).map((g) => [g.id, g.name] as const),
      );
      const tenant = request.tenant;
      return kit.render(request, reply, {
        title: `SMS #${m.id}`,
        body: (
          <>
            <p>
              <a href="/admin/logs/sms">← SMS Logs</a>
            </p>
            <dl class="details">
              <dt>Recipient</dt>
              <dd>{m.recipient}</dd>
              <dt>Type</dt>
              <dd>{TYPE_LABELS[m.type] ?? m.type}</dd>
              <dt>Status</dt>
              <dd>
                <Badge status={m.status} />
              </dd>
              <dt>Text</dt>
              <dd>
                <pre class="sms-preview">{m.text}</pre>
              </dd>
              <dt>Attempts</dt>
              <dd>{m.attempts}</dd>
              <dt>Gateway</dt>
              <dd>{m.gatewayName ?? (m.gatewayId !== null ? `#${m.gatewayId} (deleted)` : '—')}</dd>
              <dt>Gateway answer</dt>
              <dd>{m.gatewayAnswer ?? '—'}</dd>
              <dt>Error</dt>
              <dd>{m.error ?? '—'}</dd>
              <dt>Created</dt>
              <dd>{when(m.createdAt, tenant)}</dd>
              <dt>Sent</dt>
              <dd>{when(m.sentAt, tenant)}</dd>
              {m.nextAttemptAt !== null ? (
                <>
                  <dt>Next attempt</dt>
                  <dd>{when(m.nextAttemptAt, tenant)}</dd>
                </>
              ) : null}
            </dl>
            <h2>Attempts</h2>
            {m.history.length === 0 ? (
              <Empty>No attempt yet.</Empty>
            ) : (
              <Table label="Attempts">
                <thead>
                  <tr>
                    <th>Pass</th>
                    <th>Time</th>
                    <th>Gateway</th>
                    <th>Outcome</th>
                    <th>Parts accepted</th>
                    <th>Gateway answer</th>
                    <th>Error</th>
                  </tr>
                </thead>
                <tbody>
                  {m.history.map((a) => (
                    <tr>
                      <td>{a.pass}</td>
                      <td>{when(a.startedAt, tenant)}</td>
                      <td>{a.gatewayName ?? '—'}</td>
                      <td>{OUTCOME_LABELS[a.outcome] ?? a.outcome}</td>
                      <td>{a.partsTotal !== null ? `${a.partsAccepted} of ${a.partsTotal}` : '—'}</td>
                      <td class="sms-text">{a.answer ?? '—'}</td>
                      <td class="sms-text">{a.error ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
            <h2>Parts and delivery receipts</h2>
            {m.parts.length === 0 ? (
              <Empty>No part accepted by a gateway yet.</Empty>
            ) : (
              <Table label="Parts">
                <thead>
                  <tr>
                    <th>Part</th>
                    <th>Gateway</th>
                    <th>Message id</th>
                    <th>Status</th>
                    <th>Receipt</th>
                    <th>Accepted</th>
                    <th>Receipt time</th>
                  </tr>
                </thead>
                <tbody>
                  {m.parts.map((p) => (
                    <tr>
                      <td>
                        {p.partNumber} of {p.partCount}
                      </td>
                      <td>{gatewayNames.get(p.gatewayId) ?? `#${p.gatewayId}`}</td>
                      <td>{p.externalId ?? '—'}</td>
                      <td>
                        <Badge status={p.status} />
                      </td>
                      <td>{p.receiptState ?? '—'}</td>
                      <td>{when(p.acceptedAt, tenant)}</td>
                      <td>{when(p.receiptAt, tenant)}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </>
        ),
      });
    });
  };
}
