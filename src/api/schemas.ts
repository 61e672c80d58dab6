/**
 * TypeBox schemas of the REST API: every route has request and response schemas, and the
 * OpenAPI document is generated from them. Field names are camelCase; instants are epoch
 * milliseconds (`*AtMs`), sizes in bytes, durations in seconds, money in minor units.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { codesForStatus } from '../http/index.js';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Id = Type.Integer({ minimum: 1 });
export const Ms = Type.Integer({ description: 'epoch milliseconds, UTC' });

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'stable error code, e.g. NOT_FOUND, VALIDATION, FORBIDDEN' }),
    detail: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Unknown()),
  },
  {
    $id: 'Problem',
    description: 'RFC 9457 problem details',
    examples: [{ type: 'about:blank', title: 'Voucher not found', status: 404, code: 'NOT_FOUND' }],
  },
);

/** A problem answer, described with its meaning and the stable codes it can carry. */
function problem(status: number, meaning: string) {
  return Type.Ref(Problem, { description: `${meaning}. Codes: ${codesForStatus(status).join(', ')}.` });
}

/**
 * A problem answer of one route, listing only the codes that route gives and what each means
 * (more precise than the shared `errors` entry for the same status).
 */
export function problemOf(meaning: string, codes: Record<string, string>) {
  const list = Object.entries(codes)
    .map(([code, why]) => `${code} (${why})`)
    .join(', ');
  return Type.Ref(Problem, { description: `${meaning}. Codes: ${list}.` });
}

/** The error answers every authenticated route can give. */
export const errors = {
  400: problem(400, 'The body, a parameter or the query is not valid; `errors` says which'),
  401: problem(401, 'No API token, or not one of this tenant'),
  403: problem(403, "The token's role may not do this (read-only tokens change nothing)"),
  404: problem(404, 'No such resource in this tenant (ids of other tenants answer 404 too)'),
  409: problem(409, 'The change conflicts with the current state'),
  429: problem(429, 'Too many requests; retry later'),
};

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
};

/**
 * A time-range filter on `what`: `<field>FromMs` (at or after) and `<field>ToMs` (before), epoch
 * ms. Every list names its range filters this way, so a range is always half-open [from, to).
 */
export const FromMs = (what: string) =>
  Type.Optional(Type.Integer({ minimum: 0, description: `${what} at or after this instant (epoch ms)` }));
export const ToMs = (what: string) =>
  Type.Optional(
    Type.Integer({ minimum: 0, description: `${what} before this instant (epoch ms, exclusive)` }),
  );

/** A device MAC filter, in any common format (normalised by the route; MAC_INVALID otherwise). */
export const MacQuery = (what: string) =>
  Type.Optional(
    Type.String({
      maxLength: 40,
      description: `${what}; aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff or 12 hex digits`,
      examples: ['f0:99:b6:12:34:56'],
    }),
  );

/** `key` ascending or `-key` descending, from an allow-list. */
export function SortParam(keys: readonly string[]) {
  return Type.Optional(
    Type.Union(
      keys.flatMap((k) => [Type.Literal(k), Type.Literal(`-${k}`)]),
      { description: `one of ${keys.join(', ')}; prefix with - for descending` },
    ),
  );
}

export function PageOf<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    page: Type.Integer(),
    perPage: Type.Integer(),
    total: Type.Integer({ description: 'items matching the filters, over all pages' }),
  });
}

const planFields = {
  title: Type.String({ minLength: 1, maxLength: 200, examples: ['1 hour 500 MB'] }),
  isActive: Type.Boolean(),
  voucherPrefix: Type.String({ pattern: '^[A-Za-z0-9]{1,32}$', examples: ['1h500m'] }),
  priceMinor: Type.Integer({ minimum: 0, description: 'price in minor units (cents)' }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', examples: ['USD'] }),
  speedDownKbps: Nullable(Type.Integer({ minimum: 1 })),
  speedUpKbps: Nullable(Type.Integer({ minimum: 1 })),
  dataLimitBytes: Nullable(
    Type.Integer({ minimum: 1, description: 'total download + upload; null = unlimited' }),
  ),
  downloadLimitBytes: Nullable(Type.Integer({ minimum: 1 })),
  uploadLimitBytes: Nullable(Type.Integer({ minimum: 1 })),
  timeLimitSeconds: Nullable(Type.Integer({ minimum: 1, description: 'cumulative online time' })),
  validitySeconds: Nullable(Type.Integer({ minimum: 1, description: 'counted from activation' })),
  devicesLimit: Type.Integer({ minimum: 1, maximum: 100 }),
};

export const Plan = Type.Object({ id: Id, ...planFields, createdAtMs: Ms, updatedAtMs: Ms });
export const PlanCreate = Type.Object(
  {
    title: planFields.title,
    voucherPrefix: planFields.voucherPrefix,
    isActive: Type.Optional(planFields.isActive),
    priceMinor: Type.Optional(planFields.priceMinor),
    currency: Type.Optional(planFields.currency),
    speedDownKbps: Type.Optional(planFields.speedDownKbps),
    speedUpKbps: Type.Optional(planFields.speedUpKbps),
    dataLimitBytes: Type.Optional(planFields.dataLimitBytes),
    downloadLimitBytes: Type.Optional(planFields.downloadLimitBytes),
    uploadLimitBytes: Type.Optional(planFields.uploadLimitBytes),
    timeLimitSeconds: Type.Optional(planFields.timeLimitSeconds),
    validitySeconds: Type.Optional(planFields.validitySeconds),
    devicesLimit: Type.Optional(planFields.devicesLimit),
  },
  {
    examples: [
      {
        title: '1 hour 500 MB',
        voucherPrefix: '1h500m',
        priceMinor: 300,
        currency: 'USD',
        speedDownKbps: 10_000,
        speedUpKbps: 2_000,
        dataLimitBytes: 500_000_000,
        timeLimitSeconds: 3600,
        validitySeconds: 86_400,
        devicesLimit: 2,
      },
    ],
  },
);
export const PlanPatch = Type.Partial(Type.Object(planFields), {
  examples: [{ priceMinor: 350, isActive: false }],
});

const VoucherStatus = Type.Union(
  ['new', 'active', 'online', 'used', 'disabled'].map((s) => Type.Literal(s)),
  { description: 'new → active ⇄ online → used; disabled by an operator' },
);

export const Voucher = Type.Object({
  id: Id,
  code: Type.String({ examples: ['202611-1h500m-J8TiJDyT'] }),
  shortCode: Type.String(),
  status: VoucherStatus,
  usedReason: Nullable(Type.String()),
  planId: Id,
  planTitle: Type.String(),
  seriesId: Nullable(Id),
  customerId: Nullable(Id),
  priceMinor: Type.Integer(),
  currency: Type.String(),
  speedDownKbps: Nullable(Type.Integer()),
  speedUpKbps: Nullable(Type.Integer()),
  dataLimitBytes: Nullable(Type.Integer()),
  downloadLimitBytes: Nullable(Type.Integer()),
  uploadLimitBytes: Nullable(Type.Integer()),
  timeLimitSeconds: Nullable(Type.Integer()),
  validitySeconds: Nullable(Type.Integer()),
  devicesLimit: Type.Integer(),
  validUntilAtMs: Nullable(Ms),
  activatedAtMs: Nullable(Ms),
  expiresAtMs: Nullable(Ms),
  usedAtMs: Nullable(Ms),
  disabledAtMs: Nullable(Ms),
  usage: Type.Object({
    downloadedBytes: Type.Integer(),
    uploadedBytes: Type.Integer(),
    onlineSeconds: Type.Integer(),
  }),
  lastSessionAtMs: Nullable(Ms),
  createdAtMs: Ms,
});

export const VoucherSeries = Type.Object({
  id: Id,
  code: Type.String(),
  planId: Id,
  customerId: Nullable(Id),
  quantity: Type.Integer(),
  createdCount: Type.Integer({ description: 'progress while generating' }),
  status: Type.Union([Type.Literal('generating'), Type.Literal('ready'), Type.Literal('failed')]),
  expiryMode: Type.Union([Type.Literal('after_activation'), Type.Literal('valid_until')]),
  validUntilAtMs: Nullable(Ms),
  createdByAdminId: Nullable(Id),
  createdAtMs: Ms,
});

export const SeriesCreate = Type.Object(
  {
    planId: Id,
    quantity: Type.Integer({ minimum: 1, maximum: 100_000 }),
    expiryMode: Type.Optional(Type.Union([Type.Literal('after_activation'), Type.Literal('valid_until')])),
    validUntilAtMs: Type.Optional(Nullable(Ms)),
    customerId: Type.Optional(Nullable(Id)),
  },
  { examples: [{ planId: 1, quantity: 500, expiryMode: 'after_activation' }] },
);

export const Customer = Type.Object({
  id: Id,
  phone: Type.String({ description: 'E.164', examples: ['+12025550143'] }),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('blocked')]),
  locale: Nullable(Type.String()),
  joinedAtMs: Ms,
  lastSeenAtMs: Nullable(Ms),
});

export const CustomerCreate = Type.Object(
  {
    phone: Type.String({
      minLength: 3,
      maxLength: 40,
      description: 'parsed in the tenant country, stored E.164',
    }),
    name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    email: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
  },
  { examples: [{ phone: '+12025550143', name: 'Ana García', email: 'ana@example.com' }] },
);
export const CustomerPatch = Type.Object(
  {
    phone: Type.Optional(Type.String({ minLength: 3, maxLength: 40 })),
    name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    email: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('blocked')])),
  },
  { examples: [{ name: 'Ana María García', status: 'blocked' }] },
);

export const Session = Type.Object({
  id: Id,
  hotspotId: Id,
  acctSessionId: Type.String(),
  voucherId: Nullable(Id),
  deviceId: Nullable(Id),
  userName: Type.String(),
  mac: Nullable(Type.String()),
  framedIp: Nullable(Type.String()),
  startedAtMs: Ms,
  updatedAtMs: Ms,
  stoppedAtMs: Nullable(Ms),
  online: Type.Boolean(),
  downloadedBytes: Type.Integer(),
  uploadedBytes: Type.Integer(),
  sessionSeconds: Type.Integer(),
  terminateCause: Nullable(Type.String()),
  unknownUser: Type.Boolean({
    description:
      'the User-Name is neither a voucher nor a registered device (no voucher): kept apart from customers’ usage',
  }),
  disconnect: Nullable(
    Type.Object(
      {
        reason: Type.String({
          description: 'quota, expired, disabled, operator, device_removed, device_replaced or device_limit',
        }),
        attempts: Type.Integer({ description: 'Disconnect-Request exchanges so far (retried with backoff)' }),
        confirmedAtMs: Nullable(Ms),
        nextAttemptAtMs: Nullable(
          Type.Integer({
            description:
              'epoch milliseconds, UTC: the next retry; null when confirmed, ended or no attempts are left',
          }),
        ),
      },
      { description: "Portico's Disconnect-Requests for this session; null when it was never asked to end" },
    ),
  ),
});

const Role = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('readonly')]);

export const Admin = Type.Object({
  id: Id,
  email: Type.String(),
  name: Type.String(),
  role: Role,
  isSuper: Type.Boolean(),
  isDisabled: Type.Boolean(),
  createdAtMs: Ms,
  lastLoginAtMs: Nullable(Ms),
});
export const AdminCreate = Type.Object(
  {
    email: Type.String({ maxLength: 254 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    password: Type.String({ minLength: 12, maxLength: 200 }),
    role: Role,
  },
  {
    examples: [
      { email: 'desk@example.com', name: 'Front desk', password: 'correct horse battery', role: 'readonly' },
    ],
  },
);
export const AdminPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    role: Type.Optional(Role),
    isDisabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.String({ minLength: 12, maxLength: 200 })),
  },
  { examples: [{ role: 'admin' }] },
);

export const ApiToken = Type.Object({
  id: Id,
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters, to tell tokens apart' }),
  role: Role,
  createdByAdminId: Nullable(Id),
  createdAtMs: Ms,
  lastUsedAtMs: Nullable(Ms),
  revokedAtMs: Nullable(Ms),
});
export const ApiTokenCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: Role,
  },
  { examples: [{ name: 'Billing integration', role: 'admin' }] },
);
export const ApiTokenCreated = Type.Object({
  token: Type.String({ description: 'the secret: shown only in this answer' }),
  apiToken: ApiToken,
});

export const Tenant = Type.Object({
  id: Id,
  slug: Type.String(),
  name: Type.String(),
  defaultCountry: Type.String(),
  locale: Type.String(),
  timeZone: Type.String(),
  currency: Type.String(),
  isDefault: Type.Boolean(),
  hosts: Type.Array(Type.String()),
  createdAtMs: Ms,
});
export const TenantCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    slug: Type.String({ pattern: '^[a-z0-9-]{2,64}$' }),
    hosts: Type.Array(Type.String({ maxLength: 253 }), { maxItems: 20 }),
    defaultCountry: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    timeZone: Type.Optional(Type.String({ maxLength: 64 })),
    locale: Type.Optional(Type.String({ maxLength: 35 })),
    adminEmail: Type.String({ maxLength: 254 }),
    adminPassword: Type.String({ minLength: 12, maxLength: 200 }),
  },
  {
    examples: [
      {
        name: 'Beach Café Wi-Fi',
        slug: 'beach-cafe',
        hosts: ['wifi.beachcafe.example'],
        defaultCountry: 'ES',
        currency: 'EUR',
        timeZone: 'Europe/Madrid',
        locale: 'es-ES',
        adminEmail: 'owner@beachcafe.example',
        adminPassword: 'a long owner password',
      },
    ],
  },
);

export const VoucherSettings = Type.Object(
  {
    codeLength: Type.Integer({ minimum: 6, maximum: 32 }),
    codeAlphabet: Type.String({
      minLength: 10,
      maxLength: 100,
      description: 'at least 10 distinct letters or digits',
    }),
    acceptShortCode: Type.Boolean({ description: 'RADIUS accepts the random part alone as the user name' }),
    deviceLimitPolicy: Type.Union([
      Type.Literal('reject'),
      Type.Literal('replace_offline'),
      Type.Literal('replace_oldest'),
    ]),
  },
  {
    examples: [
      {
        codeLength: 8,
        codeAlphabet: 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
        acceptShortCode: true,
        deviceLimitPolicy: 'reject',
      },
    ],
  },
);

export const Dashboard = Type.Object({
  onlineNow: Type.Integer({ description: "customers' sessions online now (unknown users not included)" }),
  unknownUsersOnline: Type.Integer({
    description: 'sessions online now whose User-Name is neither a voucher nor a registered device',
  }),
  activatedToday: Type.Integer(),
  dataTodayBytes: Type.Integer(),
  smsSentToday: Type.Integer({ description: 'last 24 hours' }),
  smsFailedToday: Type.Integer({ description: 'last 24 hours' }),
  days: Type.Array(
    Type.Object({ day: Type.String(), activations: Type.Integer(), dataBytes: Type.Integer() }),
  ),
});
