import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { canWrite } from '../../auth/index.js';
import { AppError } from '../../shared/index.js';
import type { DeviceLimitPolicy, VoucherSettings } from '../../tenants/index.js';
import { codeEntropyBits, validateVoucherSettings } from '../../vouchers/index.js';
import { checked, text, type FormBody } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import { CsrfField } from '../views/components.js';

const POLICIES: Array<[DeviceLimitPolicy, string]> = [
  ['reject', 'Refuse the new device'],
  ['replace_offline', 'Replace a device that is offline'],
  ['replace_oldest', 'Replace the oldest device'],
];

/** Config > Voucher codes: code length, alphabet, short codes, and the device-limit policy. */
export const configVouchersPage: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values?: VoucherSettings,
    error?: string,
  ) => {
    const s = values ?? (await deps.tenants.getSettings(request.tenant.id, 'vouchers'));
    const writable = canWrite(kit.actorOf(request).role);
    return kit.render(request, reply, {
      title: 'Voucher codes',
      error,
      status: error ? 400 : 200,
      body: (
        <form method="post" action="/admin/config/vouchers" class="stack">
          <CsrfField token={kit.csrf(reply)} />
          <p class="muted">
            New codes have {codeEntropyBits(s.codeLength, s.codeAlphabet).toFixed(0)} bits of randomness.
            Changes apply to vouchers generated from now on.
          </p>
          <label>
            Length of the random part
            <input
              name="codeLength"
              type="number"
              min={6}
              max={32}
              value={String(s.codeLength)}
              disabled={!writable}
            />
          </label>
          <label>
            Alphabet <small>(letters and digits; leave out look-alikes such as 0/O and 1/l)</small>
            <input name="codeAlphabet" value={s.codeAlphabet} disabled={!writable} />
          </label>
          <label class="check">
            <input type="checkbox" name="acceptShortCode" checked={s.acceptShortCode} disabled={!writable} />{' '}
            Accept the short code (random part alone) as the login
          </label>
          <label>
            When a voucher has all its devices
            <select name="deviceLimitPolicy" disabled={!writable}>
              {POLICIES.map(([value, label]) => (
                <option value={value} selected={s.deviceLimitPolicy === value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          {writable ? <button type="submit">Save</button> : null}
        </form>
      ),
    });
  };

  admin.get('/admin/config/vouchers', async (request, reply) => page(request, reply));

  admin.post<{ Body: FormBody }>(
    '/admin/config/vouchers',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      const policy = text(request.body, 'deviceLimitPolicy') as DeviceLimitPolicy;
      const values: VoucherSettings = {
        codeLength: Number(text(request.body, 'codeLength')),
        codeAlphabet: text(request.body, 'codeAlphabet'),
        acceptShortCode: checked(request.body, 'acceptShortCode'),
        deviceLimitPolicy: POLICIES.some(([p]) => p === policy) ? policy : 'replace_offline',
      };
      try {
        await deps.tenants.putSettings(
          request.tenant.id,
          'vouchers',
          validateVoucherSettings(values),
          deps.clock.nowMs(),
        );
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'VALIDATION') throw error;
        return page(request, reply, values, error.message);
      }
      return reply.redirect('/admin/config/vouchers?notice=saved', 303);
    },
  );
};
