/**
 * Settings of each gateway type: schemas (shared with the REST API), validation, defaults, and
 * redaction. Secrets (passwords, tokens, header values, password-like URL parameters) never leave
 * the server: answers omit them and list which are set; an update without a secret keeps it —
 * unless the update changes where the gateway connects: then every stored secret must be typed
 * again, so a stored secret is never sent to a destination its owner did not type it for.
 */
import net from 'node:net';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { validation } from '../shared/index.js';
import type { GatewayType } from './gateway.js';

const Url = Type.String({ minLength: 8, maxLength: 2000, pattern: '^https?://' });
const Timeout = Type.Integer({ minimum: 1, maximum: 60, default: 10 });

export const HttpSettingsSchema = Type.Object({
  url: Url,
  method: Type.Union([Type.Literal('GET'), Type.Literal('POST')], { default: 'GET' }),
  contentType: Type.Union([Type.Literal('form'), Type.Literal('json')], { default: 'form' }),
  /** Body for POST; placeholders {to} {text} {from} {username} {password}. */
  payloadTemplate: Type.String({ maxLength: 4000, default: '' }),
  sender: Type.String({ maxLength: 32, default: '' }),
  username: Type.String({ maxLength: 200, default: '' }),
  password: Type.String({ maxLength: 500, default: '' }),
  headerName: Type.String({ maxLength: 100, pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]*$", default: '' }),
  headerValue: Type.String({ maxLength: 2000, default: '' }),
  /** The answer must contain this (e.g. Kannel's "Accepted"); empty = any 2xx. */
  successSubstring: Type.String({ maxLength: 200, default: '' }),
  verifyTls: Type.Boolean({ default: true }),
  timeoutSeconds: Timeout,
});

export const TwilioSettingsSchema = Type.Object({
  baseUrl: Type.String({
    minLength: 8,
    maxLength: 300,
    pattern: '^https?://',
    default: 'https://api.twilio.com',
  }),
  accountSid: Type.String({ minLength: 2, maxLength: 64 }),
  /** API key SID (SK…); empty = authenticate with the Account SID and its auth token. */
  apiKeySid: Type.String({ maxLength: 64, default: '' }),
  /** API key secret, or the auth token. */
  secret: Type.String({ maxLength: 200, default: '' }),
  /**
   * The account's auth token, to verify status callbacks (X-Twilio-Signature) when sending with
   * an API key; with the auth token as `secret` it is not needed.
   */
  authToken: Type.String({ maxLength: 200, default: '' }),
  from: Type.String({ minLength: 1, maxLength: 32 }),
  timeoutSeconds: Timeout,
});

export const SmppSettingsSchema = Type.Object({
  host: Type.String({ minLength: 1, maxLength: 253 }),
  port: Type.Integer({ minimum: 1, maximum: 65_535, default: 2775 }),
  tls: Type.Boolean({ default: false }),
  verifyTls: Type.Boolean({ default: true }),
  systemId: Type.String({ minLength: 1, maxLength: 15 }),
  password: Type.String({ maxLength: 8, default: '' }),
  systemType: Type.String({ maxLength: 12, default: '' }),
  sourceAddress: Type.String({ maxLength: 20, default: '' }),
  /** bind_transceiver receives delivery receipts on the same link; transmitter only sends. */
  bindMode: Type.Union([Type.Literal('transceiver'), Type.Literal('transmitter')], {
    default: 'transceiver',
  }),
  enquireLinkSeconds: Type.Integer({ minimum: 5, maximum: 600, default: 30 }),
  timeoutSeconds: Timeout,
});

export const LogSettingsSchema = Type.Object({});

export type HttpSettings = Static<typeof HttpSettingsSchema>;
export type TwilioSettings = Static<typeof TwilioSettingsSchema>;
export type SmppSettings = Static<typeof SmppSettingsSchema>;
export type LogSettings = Static<typeof LogSettingsSchema>;

export interface SettingsByType {
  http: HttpSettings;
  twilio: TwilioSettings;
  smpp: SmppSettings;
  log: LogSettings;
}

export const SETTINGS_SCHEMAS: Record<GatewayType, TSchema> = {
  http: HttpSettingsSchema,
  twilio: TwilioSettingsSchema,
  smpp: SmppSettingsSchema,
  log: LogSettingsSchema,
};

/** Fields that hold secrets, per type. */
export const SECRET_FIELDS: Record<GatewayType, readonly string[]> = {
  http: ['password', 'headerValue'],
  twilio: ['secret', 'authToken'],
  smpp: ['password'],
  log: [],
};

const SENSITIVE_PARAM = /pass|pwd|secret|token|key|auth|sig/i;
export const SECRET_MASK = '********';

/**
 * Validates (and fills defaults of) settings for `type`. With `previous`, secrets that are
 * missing or empty keep their previous value, and masked URL parameters are restored.
 */
export function parseGatewaySettings<T extends GatewayType>(
  type: T,
  input: unknown,
  previous?: Record<string, unknown>,
): SettingsByType[T] {
  const schema = SETTINGS_SCHEMAS[type];
  const candidate: Record<string, unknown> =
    input && typeof input === 'object' ? { ...(input as Record<string, unknown>) } : {};
  const typedAgain = new Set(
    SECRET_FIELDS[type].filter((field) => {
      const value = candidate[field];
      return typeof value === 'string' && value !== '' && value !== SECRET_MASK;
    }),
  );
  if (previous) {
    for (const field of SECRET_FIELDS[type]) {
      if (candidate[field] === undefined || candidate[field] === '' || candidate[field] === SECRET_MASK)
        candidate[field] = previous[field];
    }
    if (type === 'http' && typeof candidate.url === 'string' && typeof previous.url === 'string')
      candidate.url = restoreMaskedUrl(candidate.url, previous.url);
  }
  const withDefaults = Value.Default(schema, Value.Clean(schema, Value.Clone(candidate)));
  const errors = [...Value.Errors(schema, withDefaults)].map((e) => ({
    path: e.path || '/',
    message: e.message,
  }));
  if (errors.length > 0) throw validation('The gateway settings are not valid', { errors });
  const settings = withDefaults as SettingsByType[T];
  checkDestinationSyntax(type, settings);
  if (previous) {
    const moved = changedDestinationFields(type, settings, previous);
    const missing = SECRET_FIELDS[type].filter(
      (field) => typeof previous[field] === 'string' && previous[field] !== '' && !typedAgain.has(field),
    );
    if (moved.length > 0 && missing.length > 0)
      throw validation(
        `Changing where the gateway connects (${moved.join(', ')}) needs its secrets typed again: ` +
          `${missing.join(', ')}. Stored secrets are never sent to a new destination.`,
        { errors: missing.map((field) => ({ path: `/${field}`, message: 'type it again' })) },
      );
  }
  if (type === 'twilio') {
    const twilio = settings as TwilioSettings;
    if (!twilio.secret) throw validation('Twilio needs an auth token or an API key secret');
  }
  return settings;
}

/**
 * The settings that say where a gateway connects and how safely; a change to any of them moves
 * the stored secrets to a new destination. For http, any change of the URL counts (a new
 * placeholder such as `?pw={password}` can put a secret where the remote side logs it).
 */
const DESTINATION_FIELDS: Record<GatewayType, readonly string[]> = {
  http: ['url', 'verifyTls'],
  twilio: ['baseUrl'],
  smpp: ['host', 'port', 'tls', 'verifyTls'],
  log: [],
};

function changedDestinationFields(
  type: GatewayType,
  next: Record<string, unknown>,
  previous: Record<string, unknown>,
): string[] {
  return DESTINATION_FIELDS[type].filter((field) => {
    // Turning TLS verification off matters only where TLS is used; turning it on is safer.
    if (field === 'verifyTls') {
      const usesTls = type === 'smpp' ? next.tls === true : /^https:/i.test(String(next.url));
      return usesTls && previous[field] !== false && next[field] === false;
    }
    return next[field] !== previous[field];
  });
}

/**
 * The host a gateway connects to (a name or an IP literal, IPv6 without brackets), for the
 * destination check; undefined for gateways that connect nowhere.
 */
export function destinationHost(type: GatewayType, settings: Record<string, unknown>): string | undefined {
  const raw = type === 'http' ? settings.url : type === 'twilio' ? settings.baseUrl : settings.host;
  if (typeof raw !== 'string') return undefined;
  if (type === 'smpp') return raw.replace(/^\[(.*)\]$/, '$1');
  try {
    return new URL(raw.replace(/\{(\w+)\}/g, 'x')).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

const FRAMING_HEADERS =
  /^(host|content-length|transfer-encoding|connection|keep-alive|upgrade|te|trailer|expect|proxy-.*)$/i;

/** Parsable URLs with a fixed host (placeholders only in the path, query or credentials). */
function checkDestinationSyntax(type: GatewayType, settings: Record<string, unknown>): void {
  const problem = (path: string, message: string) =>
    validation('The gateway settings are not valid', { errors: [{ path, message }] });
  if (type === 'http' || type === 'twilio') {
    const field = type === 'http' ? 'url' : 'baseUrl';
    const raw = String(settings[field]);
    const authority = /^https?:\/\/([^/?#]*)/i.exec(raw)?.[1] ?? '';
    const hostAndPort = authority.slice(authority.lastIndexOf('@') + 1);
    if (/[{}]/.test(hostAndPort))
      throw problem(`/${field}`, 'placeholders may be used in the path and query, not in the host');
    if (type === 'twilio' && /[{}]/.test(raw)) throw problem('/baseUrl', 'no placeholders here');
    // These would change how the request is framed or routed (request smuggling, virtual hosts).
    if (type === 'http' && FRAMING_HEADERS.test(String(settings.headerName)))
      throw problem('/headerName', 'this header is set by Portico and cannot be replaced');
    try {
      new URL(raw.replace(/\{(\w+)\}/g, 'x'));
    } catch {
      throw problem(`/${field}`, 'not a valid URL');
    }
  } else if (type === 'smpp') {
    const host = String(settings.host).replace(/^\[(.*)\]$/, '$1');
    if (net.isIP(host) === 0 && !HOST_NAME.test(host))
      throw problem('/host', 'a host name or an IP address (without a port: the port has its own field)');
  }
}

/** Settings as shown to operators and API clients: secrets removed, password-like URL parameters masked. */
export function redactGatewaySettings(
  type: GatewayType,
  settings: Record<string, unknown>,
): { settings: Record<string, unknown>; secretsSet: string[] } {
  const copy: Record<string, unknown> = { ...settings };
  const secretsSet: string[] = [];
  for (const field of SECRET_FIELDS[type]) {
    if (typeof copy[field] === 'string' && copy[field] !== '') secretsSet.push(field);
    delete copy[field];
  }
  if (typeof copy.url === 'string') copy.url = maskUrl(copy.url);
  if (typeof copy.baseUrl === 'string') copy.baseUrl = maskUrl(copy.baseUrl);
  return { settings: copy, secretsSet };
}

/** Masks user info and password-like query values of a URL (for display and logs). */
export function maskUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.replace(/\{(\w+)\}/g, '__ph_$1__'));
  } catch {
    return raw.replace(/\/\/[^/@]*@/, `//${SECRET_MASK}@`);
  }
  if (url.username || url.password) {
    url.username = SECRET_MASK;
    url.password = '';
  }
  for (const [name, value] of [...url.searchParams]) {
    if (SENSITIVE_PARAM.test(name) && !/^__ph_\w+__$/.test(value)) url.searchParams.set(name, SECRET_MASK);
  }
  return url
    .toString()
    .replace(/__ph_(\w+)__/g, '{$1}')
    .replace(/%2A/g, '*');
}

function restoreMaskedUrl(next: string, previous: string): string {
  if (!next.includes(SECRET_MASK) && !next.includes('%2A%2A')) return next;
  if (maskUrl(previous) === next) return previous;
  return next;
}
