import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, dayInZone } from '../../shared/index.js';
import { text, type FormBody } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import type { TenantDetails } from '../../tenants/index.js';
import { CsrfField } from '../views/components.js';

/** Every IANA zone this Node knows, for the picker (a typed-in zone is checked anyway). */
const TIME_ZONES: readonly string[] = (() => {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
})();

function detailsFromForm(body: FormBody): TenantDetails {
  return {
    name: text(body, 'name'),
    defaultCountry: text(body, 'defaultCountry').toUpperCase(),
    currency: text(body, 'currency').toUpperCase(),
    timeZone: text(body, 'timeZone'),
    locale: text(body, 'locale'),
    publicUrl: text(body, 'publicUrl') || null,
  };
}

/**
 * Config > Business: the tenant's name, country (phone numbers), currency (new plans), time zone
 * ("today" on the dashboard, dates in lists and filters, SMS dates) and language, and the public
 * address of the portal. A fresh install starts as "My Wi-Fi", US, USD, UTC: the operator
 * needs to set these before anything else. Owners change them; everyone else reads them.
 */
export const configBusinessPage: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    typed?: TenantDetails,
    error?: string,
  ) => {
    const t = request.tenant;
    const values: TenantDetails = typed ?? {
      name: t.name,
      defaultCountry: t.default_country,
      currency: t.currency,
      timeZone: t.time_zone,
      locale: t.locale,
      publicUrl: t.public_url,
    };
    const owner = kit.actorOf(request).role === 'owner';
    return kit.render(request, reply, {
      title: 'Business',
      error,
      status: error ? 400 : 200,
      body: (
        <>
          <p class="hint">
            These apply to everything of {t.name}: phone numbers are read as numbers of the country unless
            they start with +, “today” and every date is in the time zone (it is now{' '}
            <strong data-today>{dayInZone(deps.clock.nowMs(), t.time_zone)}</strong> there), new plans are
            priced in the currency.
            {owner ? null : ' Only owners can change them.'}
          </p>
          <form method="post" action="/admin/config/business" class="stack">
            <CsrfField token={kit.csrf(reply)} />
            <label>
              Business name <small>(shown in the portal and in SMS)</small>
              <input name="name" required maxLength={200} value={values.name} disabled={!owner} />
            </label>
            <label>
              Country <small>(2 letters, e.g. US, DE, KE: how phone numbers without + are read)</small>
              <input
                name="defaultCountry"
                required
                pattern="[A-Za-z]{2}"
                maxLength={2}
                value={values.defaultCountry}
                disabled={!owner}
              />
            </label>
            <label>
              Time zone
              <select name="timeZone" disabled={!owner}>
                {(TIME_ZONES.includes(values.timeZone) ? TIME_ZONES : [values.timeZone, ...TIME_ZONES]).map(
                  (z) => (
                    <option value={z} selected={z === values.timeZone}>
                      {z}
                    </option>
                  ),
                )}
              </select>
            </label>
            <label>
              Currency <small>(3 letters, e.g. USD, EUR; for new plans)</small>
              <input
                name="currency"
                required
                pattern="[A-Za-z]{3}"
                maxLength={3}
                value={values.currency}
                disabled={!owner}
              />
            </label>
            <label>
              Language and number format <small>(e.g. en-US, de-DE)</small>
              <input name="locale" required maxLength={35} value={values.locale} disabled={!owner} />
            </label>
            <label>
              Public address{' '}
              <small>
                (e.g. https://wifi.example.com; used for the portal link in SMS and for SMS delivery
                callbacks)
              </small>
              <input name="publicUrl" type="url" value={values.publicUrl ?? ''} disabled={!owner} />
            </label>
            {owner ? <button type="submit">Save</button> : null}
          </form>
        </>
      ),
    });
  };

  admin.get('/admin/config/business', async (request, reply) => page(request, reply));

  admin.post<{ Body: FormBody }>(
    '/admin/config/business',
    { preHandler: kit.requireOwner },
    async (request, reply) => {
      const typed = detailsFromForm(request.body);
      try {
        await deps.tenantsAdmin.updateDetails(request.tenant.id, typed);
        return reply.redirect('/admin/config/business?notice=saved', 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'VALIDATION') throw error;
        return page(request, reply, typed, error.message);
      }
    },
  );
};
