/**
 * The "Associated devices" block of a voucher's admin page, and its forms: operators add a MAC,
 * change a title or replace a MAC, remove a device (after a confirmation page), disconnect its
 * live sessions, and read the voucher's device audit trail (views in voucher-devices-block.tsx).
 * Plain forms that work without JavaScript: POST → 303 → GET, the outcome in fixed query values
 * (never text from the URL). The admin shell checks the CSRF token of every POST; changes need a
 * role that may write.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { canWrite } from '../../auth/index.js';
import {
  editedDeviceQuery,
  endedDeviceQuery,
  followedDisconnect,
  type DeviceDetails,
  type DisconnectOutcome,
} from '../../devices/index.js';
import { operatorActor } from '../auth.js';
import { statusForCode } from '../../http/index.js';
import { AppError } from '../../shared/index.js';
import type { AdminDeps } from '../deps.js';
import { idParam, text, type FormBody } from '../forms.js';
import { adminKit as kit, type AdminKit } from '../kit.js';
import { CsrfField } from '../views/components.js';
import { CHANGES_BEFORE, eventsPage, loadEventActors, parseChangesBefore } from '../views/device-events.js';
import {
  DeviceFields,
  DevicesBlock,
  NOT_LIVE_TEXT,
  deviceName,
  disconnectText,
  noticeLines,
  progressUrl,
  voucherUrl,
  type DeviceFormState,
  type DevicesBlockData,
} from './voucher-devices-block.js';

export type { DeviceFormState } from './voucher-devices-block.js';

/** How many audit rows the voucher page shows at a time ("Older changes" pages on). */
const EVENTS_SHOWN = 50;

async function loadBlockData(
  deps: AdminDeps,
  kit: AdminKit,
  request: FastifyRequest,
  voucherId: number,
): Promise<DevicesBlockData> {
  const tenantId = request.tenant.id;
  const before = parseChangesBefore((request.query as Record<string, unknown> | undefined)?.[CHANGES_BEFORE]);
  // One row more than shown tells whether there is an older page.
  const { events: fetched, ...overview } = await deps.voucherDevices.overview(
    tenantId,
    operatorActor(request),
    voucherId,
    EVENTS_SHOWN + 1,
    before,
  );
  const changes = eventsPage(fetched, EVENTS_SHOWN, before);
  return {
    overview: { ...overview, events: changes.events },
    changes,
    actors: await loadEventActors(deps, tenantId, changes.events),
  };
}

/** The MAC and instant of a disconnect the redirect said was being checked, else undefined. */
/** The block for the voucher page of `voucherId` (tenant-scoped: another tenant's id is NOT_FOUND). */
export async function voucherDevicesBlock(
  deps: AdminDeps,
  kit: AdminKit,
  request: FastifyRequest,
  reply: FastifyReply,
  voucherId: number,
): Promise<VNode> {
  const query = request.query as Record<string, unknown>;
  const checking = query.disconnect === 'checking' ? followedDisconnect(query) : undefined;
  // Read again now, so a reload (no JavaScript needed) says how the disconnect ended.
  const live: DisconnectOutcome | undefined = checking
    ? await deps.voucherDevices.disconnectProgress(
        request.tenant.id,
        operatorActor(request),
        voucherId,
        checking.mac,
        checking.sinceMs,
      )
    : undefined;
  return (
    <DevicesBlock
      data={await loadBlockData(deps, kit, request, voucherId)}
      csrf={kit.csrf(reply)}
      writable={canWrite(kit.actorOf(request).role)}
      timeZone={request.tenant}
      notice={noticeLines(query, live)}
      follow={
        checking && live === 'checking' ? progressUrl(voucherId, checking.mac, checking.sinceMs) : undefined
      }
    />
  );
}

/** Refusals a person can fix, shown on the form with the typed input; anything else is thrown on. */
function refusal(
  error: unknown,
  input: DeviceFormState,
): { status: number; form: DeviceFormState } | undefined {
  if (!(error instanceof AppError)) return undefined;
  const status = statusForCode(error.code);
  switch (error.code) {
    case 'MAC_INVALID':
    case 'MAC_ALREADY_ON_VOUCHER':
      return { status, form: { ...input, macError: error.message } };
    case 'MAC_ON_OTHER_VOUCHER': {
      const other = error.details?.voucherId;
      return {
        status,
        form: {
          ...input,
          macError: error.message,
          ...(typeof other === 'number' ? { otherVoucherId: other } : {}),
        },
      };
    }
    case 'VALIDATION':
      return { status, form: { ...input, titleError: error.message } };
    case 'VOUCHER_DEVICE_LIMIT':
    case 'VOUCHER_USED':
      return { status: 409, form: { ...input, formError: error.message } };
    default:
      return undefined;
  }
}

function formInput(body: FormBody | undefined): DeviceFormState {
  // Kept as typed (trimmed, bounded) so a refused form comes back with the person's own text;
  // the service judges lengths and formats.
  const field = (name: string) => text(body ?? {}, name).slice(0, 200);
  return { mac: field('mac'), title: field('title') };
}

export const voucherDevicesPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
  const write = { preHandler: kit.requireWrite };
  const ids = (params: unknown) => ({ voucherId: idParam(params), deviceId: idParam(params, 'deviceId') });

  /** The device on this tenant's voucher, with presence (NOT_FOUND otherwise). */
  const findDevice = async (request: FastifyRequest, voucherId: number, deviceId: number) => {
    const overview = await deps.voucherDevices.overview(
      request.tenant.id,
      operatorActor(request),
      voucherId,
      1,
    );
    const device = overview.devices.find((d) => d.id === deviceId);
    if (!device) throw new AppError('NOT_FOUND', 'This device is no longer on the voucher.');
    return { device, live: overview.live };
  };

  const voucherCode = async (request: FastifyRequest, voucherId: number) =>
    (await deps.vouchers.get(request.tenant.id, voucherId)).code;

  const BackLink = (props: { voucherId: number; code: string }) => (
    <p>
      <a href={voucherUrl(props.voucherId)}>← Voucher {props.code}</a>
    </p>
  );

  const editPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    voucherId: number,
    device: DeviceDetails,
    form: DeviceFormState,
    status = 200,
  ) => {
    const code = await voucherCode(request, voucherId);
    return kit.render(request, reply, {
      title: `Edit device ${device.mac}`,
      status,
      error: form.macError ?? form.titleError ?? form.formError,
      body: (
        <>
          <BackLink voucherId={voucherId} code={code} />
          <p>
            A new MAC address replaces the old one: the old address loses access at once and its live sessions
            are disconnected at the hotspot.
          </p>
          <form
            method="post"
            action={`/admin/vouchers/${voucherId}/devices/${device.id}`}
            class="stack"
            novalidate
          >
            <CsrfField token={kit.csrf(reply)} />
            <DeviceFields form={form} idPrefix="edit" />
            <div>
              <button type="submit">Save device</button> <a href={voucherUrl(voucherId)}>Cancel</a>
            </div>
          </form>
        </>
      ),
    });
  };

  // Where the refused add form posted to: a reload lands on the voucher page (this tenant's only).
  admin.get('/admin/vouchers/:id/devices', async (request, reply) => {
    const voucherId = idParam(request.params);
    await deps.vouchers.get(request.tenant.id, voucherId);
    return reply.redirect(voucherUrl(voucherId), 303);
  });

  admin.post<{ Body: FormBody }>('/admin/vouchers/:id/devices', write, async (request, reply) => {
    const voucherId = idParam(request.params);
    const input = formInput(request.body);
    try {
      const device = await deps.voucherDevices.add(request.tenant.id, operatorActor(request), voucherId, {
        mac: input.mac,
        title: input.title,
      });
      return reply.redirect(voucherUrl(voucherId, { device: 'added', mac: device.mac }), 303);
    } catch (error) {
      const refused = refusal(error, input);
      if (!refused) throw error;
      const [code, data] = await Promise.all([
        voucherCode(request, voucherId),
        loadBlockData(deps, kit, request, voucherId),
      ]);
      return kit.render(request, reply, {
        title: `Devices of voucher ${code}`,
        status: refused.status,
        error: refused.form.macError ?? refused.form.titleError ?? refused.form.formError,
        body: (
          <>
            <BackLink voucherId={voucherId} code={code} />
            <DevicesBlock
              data={data}
              csrf={kit.csrf(reply)}
              writable
              timeZone={request.tenant}
              notice={[]}
              form={refused.form}
            />
          </>
        ),
      });
    }
  });

  admin.get('/admin/vouchers/:id/devices/:deviceId/edit', write, async (request, reply) => {
    const { voucherId, deviceId } = ids(request.params);
    const { device, live } = await findDevice(request, voucherId, deviceId);
    if (!live) throw new AppError('CONFLICT', NOT_LIVE_TEXT);
    return editPage(request, reply, voucherId, device, { mac: device.mac, title: device.title ?? '' });
  });

  admin.post<{ Body: FormBody }>('/admin/vouchers/:id/devices/:deviceId', write, async (request, reply) => {
    const { voucherId, deviceId } = ids(request.params);
    const { device } = await findDevice(request, voucherId, deviceId);
    const input = formInput(request.body);
    try {
      const sinceMs = deps.clock.nowMs();
      const result = await deps.voucherDevices.edit(
        request.tenant.id,
        operatorActor(request),
        voucherId,
        deviceId,
        // An emptied MAC field is refused like on the add form, not read as "keep the old one".
        { mac: input.mac, title: input.title },
      );
      return reply.redirect(voucherUrl(voucherId, editedDeviceQuery(device.mac, result, sinceMs)), 303);
    } catch (error) {
      const refused = refusal(error, input);
      if (!refused) throw error;
      return editPage(request, reply, voucherId, device, refused.form, refused.status);
    }
  });

  admin.get('/admin/vouchers/:id/devices/:deviceId/remove', write, async (request, reply) => {
    const { voucherId, deviceId } = ids(request.params);
    const [{ device }, code] = await Promise.all([
      findDevice(request, voucherId, deviceId),
      voucherCode(request, voucherId),
    ]);
    const online = device.online_since_at !== null;
    return kit.render(request, reply, {
      title: 'Remove this device?',
      body: (
        <>
          <BackLink voucherId={voucherId} code={code} />
          <p>
            {deviceName(device)} (<code>{device.mac}</code>) will no longer connect with voucher {code}.{' '}
            {online
              ? 'It is online now: its sessions are disconnected at the hotspot.'
              : 'It is not online now.'}
          </p>
          <form
            method="post"
            action={`/admin/vouchers/${voucherId}/devices/${deviceId}/remove`}
            class="inline"
          >
            <CsrfField token={kit.csrf(reply)} />
            <button type="submit" class="danger">
              Yes, remove it
            </button>{' '}
            <a href={voucherUrl(voucherId)}>Cancel</a>
          </form>
        </>
      ),
    });
  });

  // Remove (after the confirmation page) and disconnect: both end the MAC's live sessions, and the
  // page then says whether the hotspot confirmed it.
  for (const [action, done] of [
    ['remove', 'removed'],
    ['disconnect', 'disconnected'],
  ] as const) {
    admin.post(`/admin/vouchers/:id/devices/:deviceId/${action}`, write, async (request, reply) => {
      const { voucherId, deviceId } = ids(request.params);
      const sinceMs = deps.clock.nowMs();
      const result = await deps.voucherDevices[action](
        request.tenant.id,
        operatorActor(request),
        voucherId,
        deviceId,
      );
      return reply.redirect(voucherUrl(voucherId, endedDeviceQuery(done, result, sinceMs)), 303);
    });
  }

  // The outcome of a disconnect a page is following (follow.js polls it while it is "checking").
  admin.get('/admin/vouchers/:id/devices/disconnect-status', async (request, reply) => {
    const voucherId = idParam(request.params);
    await deps.vouchers.get(request.tenant.id, voucherId); // another tenant's voucher: NOT_FOUND
    const checking = followedDisconnect(request.query as Record<string, unknown>);
    if (!checking) throw new AppError('VALIDATION', 'mac and since are required');
    const state = await deps.voucherDevices.disconnectProgress(
      request.tenant.id,
      operatorActor(request),
      voucherId,
      checking.mac,
      checking.sinceMs,
    );
    return reply.send({ state, text: disconnectText(state) });
  });
};
