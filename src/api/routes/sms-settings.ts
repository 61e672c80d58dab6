/** /api/v1/settings/portal and /api/v1/settings/notifications (with a preview of the status SMS). */
import { Type } from '@sinclair/typebox';
import { errors, Nullable } from '../schemas.js';
import { settingsRoutes } from '../settings.js';
import { describeSmsText } from '../../sms/index.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireWrite } from '../../admin/index.js';

const Bounded = (min: number, max: number) => Type.Integer({ minimum: min, maximum: max });
export const PortalSettingsSchema = Type.Object({
  otpEnabled: Type.Boolean({
    description: 'Use OTP for accessing the portal (needs an enabled SMS gateway)',
  }),
  showDevices: Type.Boolean({ description: 'Show Associated Devices block (effective with OTP on)' }),
  otpLength: Bounded(6, 10),
  otpTtlSeconds: Bounded(60, 600),
  otpMaxAttempts: Bounded(1, 5),
  otpResendCooldownSeconds: Bounded(60, 3600),
  otpMaxPerNumberPerHour: Bounded(1, 20),
  otpMaxPerIpPerHour: Bounded(1, 200),
  otpMaxPerTenantPerDay: Bounded(1, 1_000_000),
  otpAllowedPrefixes: Type.Array(Type.String({ pattern: '^\\+\\d{1,6}$' }), { maxItems: 50 }),
});
const PortalSettingsPatch = Type.Partial(PortalSettingsSchema, {
  examples: [{ otpEnabled: true, showDevices: true }],
});

const Frequency = Type.Union([Type.Literal('once'), Type.Literal('every_activation')], {
  description:
    'once: one SMS per customer, at their first voucher activation while enabled (whichever voucher that is); every_activation: one per activated voucher',
});
export const NotificationSettingsSchema = Type.Object({
  statusPageEnabled: Type.Boolean(),
  statusPageFrequency: Frequency,
  statusPageTemplate: Type.String({
    description:
      'LiquidJS; variables link, customer_name, customer_phone, voucher_code, plan_name, expiry, tenant_name',
  }),
});
const NotificationSettingsPatch = Type.Object(
  {
    statusPageEnabled: Type.Optional(Type.Boolean()),
    statusPageFrequency: Type.Optional(Frequency),
    statusPageTemplate: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  },
  { examples: [{ statusPageEnabled: true, statusPageFrequency: 'once' }] },
);
const PreviewBody = Type.Object(
  {
    template: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    customerId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { examples: [{ template: 'Hi {{ customer_name }}, your usage: {{ link }}' }] },
);
const PreviewAnswer = Type.Object({
  text: Type.String(),
  customer: Nullable(
    Type.Object({ id: Type.Integer(), name: Nullable(Type.String()), phone: Type.String() }),
  ),
  variables: Type.Record(Type.String(), Type.String()),
  sms: Type.Object(
    {
      encoding: Type.Union([Type.Literal('gsm7'), Type.Literal('ucs2')]),
      parts: Type.Integer({ minimum: 1 }),
      charactersLeft: Type.Integer({ description: 'what still fits in the last part' }),
      nonGsmCharacters: Type.Array(Type.String(), { description: 'characters that force UCS-2' }),
    },
    { description: 'what the rendered text costs as an SMS' },
  ),
});

export const smsSettingsApi: FastifyPluginAsyncTypebox = async (api) => {
  const deps = api.smsAdminDeps;
  const settingsTags = ['settings'];
  settingsRoutes(api, {
    path: '/settings/portal',
    schema: PortalSettingsSchema,
    patch: PortalSettingsPatch,
    summaries: {
      read: 'Portal settings (OTP, devices block, OTP limits)',
      change: 'Change portal settings (otpEnabled: true needs an enabled SMS gateway, else 409)',
    },
    read: (tenantId) => deps.portalSettings.get(tenantId),
    change: (tenantId, patch) => deps.portalSettings.update(tenantId, patch),
  });

  settingsRoutes(api, {
    path: '/settings/notifications',
    schema: NotificationSettingsSchema,
    patch: NotificationSettingsPatch,
    summaries: {
      read: 'Status page notification settings',
      change: 'Change status page notification settings',
    },
    read: (tenantId) => deps.notifications.getSettings(tenantId),
    change: (tenantId, patch) => deps.notifications.updateSettings(tenantId, patch),
  });

  api.post(
    '/settings/notifications/preview',
    {
      preHandler: requireWrite,
      schema: {
        tags: settingsTags,
        summary: 'Render a template (or the saved one) for a real customer (or the latest one)',
        body: PreviewBody,
        response: { 200: PreviewAnswer, ...errors },
      },
    },
    async (request) => {
      const preview = await deps.notifications.preview(request.tenant, {
        template: request.body.template,
        customerId: request.body.customerId,
      });
      const { encoding, parts, charactersLeft, nonGsmCharacters } = describeSmsText(preview.text);
      return { ...preview, sms: { encoding, parts, charactersLeft, nonGsmCharacters } };
    },
  );
};
