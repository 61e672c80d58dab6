/**
 * The SMS gateway form: the settings fields of each gateway type, reading them back from a
 * submitted form (secrets left empty keep the stored value), the test-send form, and what the
 * page says about delivery reports.
 */
import type { VNode } from 'preact';
import { SECRET_FIELDS, type GatewayType, type GatewayView } from '../../sms/index.js';
import { checked, rawText, text, type FormBody } from '../forms.js';
import { CsrfField } from '../views/components.js';

export const GATEWAY_LABELS: Record<GatewayType, string> = {
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
export interface GatewayDraft {
  name: string;
  settings: Record<string, unknown>;
}

export function GatewayForm(props: {
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

export function TestForm({ gateway, csrf }: { gateway: GatewayView; csrf: string }): VNode {
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
