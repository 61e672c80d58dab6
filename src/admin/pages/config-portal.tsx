/** Config > Portal: one-time codes (on/off and limits), the devices block, and the portal address. */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { canWrite } from '../../auth/index.js';
import type { PortalUrlSource } from '../../notifications/index.js';
import { OTP_BOUNDS } from '../../otp/index.js';
import { AppError } from '../../shared/index.js';
import type { PortalSettings } from '../../tenants/index.js';
import { checked, formValidationText, text, type FormBody } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import { CsrfField } from '../views/components.js';

/** The one-time code limits on this page, in order: field, label, allowed range (the service checks it too). */
const OTP_LIMIT_FIELDS = [
  ['otpLength', 'Code length, digits', OTP_BOUNDS.length],
  ['otpTtlSeconds', 'Code lifetime, seconds', OTP_BOUNDS.ttlSeconds],
  ['otpMaxAttempts', 'Wrong tries per code', OTP_BOUNDS.maxTries],
  ['otpResendCooldownSeconds', 'Resend after, seconds', OTP_BOUNDS.resendCooldownSeconds],
  ['otpMaxPerNumberPerHour', 'Codes per number per hour', OTP_BOUNDS.maxPerNumberPerHour],
  ['otpMaxPerIpPerHour', 'Codes per client IP per hour', OTP_BOUNDS.maxPerIpPerHour],
  ['otpMaxPerTenantPerDay', 'Codes per day (all numbers)', OTP_BOUNDS.maxPerTenantPerDay],
] as const satisfies ReadonlyArray<readonly [keyof PortalSettings, string, readonly [number, number]]>;

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

export const configPortalPage: FastifyPluginAsync = async (admin) => {
  const deps = admin.smsAdminDeps;
  const canChange = (request: FastifyRequest) => canWrite(kit.actorOf(request).role);

  const portalPage = async (request: FastifyRequest, reply: FastifyReply, error?: string) => {
    const settings = await deps.portalSettings.get(request.tenant.id);
    const canOtp = await deps.portalSettings.canUseOtp(request.tenant.id);
    const write = canChange(request);
    // The address SMS links use (notifications/portal-url.ts): the page says where it came from.
    const { url: portalUrl, source } = await deps.portalAddress(request.tenant);
    const limit = ([name, label, bounds]: (typeof OTP_LIMIT_FIELDS)[number]) => (
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
            : guests sign in there with their phone number to see their usage, vouchers and devices. Send them
            the link by SMS when a voucher is activated under{' '}
            <a href="/admin/config/notifications">Notifications</a>, or have the hotspot open it after login:{' '}
            <a href="/admin/config/login-page">Config &gt; Login page</a> &gt; “Open the customer portal after
            login”.
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
              Show Associated Devices block <small>(customers manage their devices; only with OTP on)</small>
            </label>
            {settings.showDevices && !settings.otpEnabled ? (
              <p class="caution" role="note" data-warning="devices-need-otp">
                Customers do not see the Associated Devices block yet: it needs “Use OTP for accessing the
                portal” on as well, so that only the owner of a number can change its devices.
              </p>
            ) : null}
            <fieldset>
              <legend>One-time codes</legend>
              {OTP_LIMIT_FIELDS.map(limit)}
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
          ...Object.fromEntries(OTP_LIMIT_FIELDS.map(([name]) => [name, int(name)])),
          otpAllowedPrefixes: text(b, 'otpAllowedPrefixes')
            .split(/[\s,]+/)
            .filter(Boolean),
        });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return portalPage(request, reply, formValidationText(error));
      }
      // The devices block needs OTP (customerDevicesEnabled): say so rather than a bare "Saved.".
      const notice = saved.showDevices && !saved.otpEnabled ? 'saved-devices-need-otp' : 'saved';
      return reply.redirect(`/admin/config/portal?notice=${notice}`, 303);
    },
  );
};
