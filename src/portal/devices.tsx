/**
 * Portal routes of the "Associated devices" block: customers add, edit and remove the MAC
 * addresses of their own live vouchers. Allowed only while the tenant has both the portal's OTP
 * and "Show Associated Devices block" on (customerDevicesEnabled) — checked on every request,
 * GET or POST, not only by hiding the block. Every POST carries a CSRF token; removal has a
 * confirmation page (GET) so it works without JavaScript; results use POST → 303 → GET.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { CustomerSummary } from '../customers/index.js';
import {
  customerDevicesEnabled,
  editedDeviceQuery,
  endedDeviceQuery,
  followedDisconnect,
  isMulticastMac,
  LIVE_VOUCHER_STATUSES,
  parseDisconnectOutcome,
  parseMac,
  parseSince,
  type DeviceActor,
  type DeviceDetails,
  type DevicesService,
  type DisconnectOutcome,
} from '../devices/index.js';
import { sameSitePage } from '../http/index.js';
import { AppError, type Clock } from '../shared/index.js';
import type { Tenant } from '../store/index.js';
import type { Formatter } from './format.js';
import type { MessageKey, Translate } from './i18n/index.js';
import type { VoucherView } from './dashboard.js';
import {
  DeviceSummary,
  DevicesBlock,
  DevicesPage,
  EditDevicePage,
  RemoveDevicePage,
  type DeviceFormState,
  type DeviceNotice,
} from './views/devices.js';
import type { PageContext } from './views/layout.js';

const FORM_BODY_LIMIT_BYTES = 8 * 1024;
const LIVE_STATUSES: ReadonlySet<string> = new Set(LIVE_VOUCHER_STATUSES);

interface DevicesView {
  ctx: PageContext;
  t: Translate;
  fmt: Formatter;
  tenant: Tenant;
}

export interface PortalDevicesDeps {
  devices: DevicesService;
  portalSettings: { get(tenantId: number): Promise<{ otpEnabled: boolean; showDevices: boolean }> };
  /** When a change asked for its disconnect (the outcome is followed from that instant). */
  clock: Clock;
}

type Params = { id: string; deviceId?: string };

function customerActor(request: FastifyRequest, customer: CustomerSummary): DeviceActor {
  return { kind: 'customer', customerId: customer.id, clientIp: request.ip };
}

function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, 200) : '';
}

/** The customer's words for a MAC the service refused as invalid. */
function macErrorKey(input: string): MessageKey {
  const mac = parseMac(input);
  if (!mac) return 'devices.error.format';
  if (mac === '00:00:00:00:00:00') return 'devices.error.zero';
  return isMulticastMac(mac) ? 'devices.error.multicast' : 'devices.error.format';
}

/** Where a page follows a disconnect still being checked (JSON: { state, text }). */
function progressUrl(voucherId: number, mac: string, sinceMs: number): string {
  const query = new URLSearchParams({ mac, since: String(sinceMs) });
  return `/portal/vouchers/${voucherId}/devices/disconnect-status?${query.toString()}`;
}

/**
 * The status message after a redirect (`?device=…&mac=…&disconnect=…[&since=…]`). A disconnect
 * that was still being checked is read again from what is stored (`live`), so a reload without
 * JavaScript shows how it ended; while it is still under way the page follows it live.
 */
function noticeFrom(
  query: Record<string, unknown>,
  t: Translate,
  voucherId: number,
  live: DisconnectOutcome | undefined,
): DeviceNotice | undefined {
  const done = query.device;
  const mac = typeof query.mac === 'string' ? (parseMac(query.mac) ?? '') : '';
  const disconnect = live ?? parseDisconnectOutcome(query.disconnect);
  const since = parseSince(query.since);
  const disconnectLine = disconnect ? t(`devices.disconnect.${disconnect}`) : undefined;
  const follow =
    disconnect === 'checking' && since !== undefined && mac ? progressUrl(voucherId, mac, since) : undefined;
  switch (done) {
    case 'added':
      return { text: t('devices.done.added', { mac }) };
    case 'edited':
      return { text: t('devices.done.edited') };
    case 'replaced':
      return { text: t('devices.done.replaced', { mac }), disconnect: disconnectLine, follow };
    case 'removed':
      return { text: t('devices.done.removed', { mac }), disconnect: disconnectLine, follow };
    default:
      return undefined;
  }
}

export class PortalDevices {
  constructor(readonly deps: PortalDevicesDeps) {}

  /** Whether signed-in customers of this tenant can manage devices (the sign-in page says so). */
  canManage(tenantId: number): Promise<boolean> {
    return this.enabled(tenantId);
  }

  private async enabled(tenantId: number): Promise<boolean> {
    return customerDevicesEnabled(await this.deps.portalSettings.get(tenantId));
  }

  /** The block for the voucher page, or null (option off, OTP off, voucher not live). */
  async block(
    request: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerSummary,
    voucherId: number,
    v: DevicesView,
  ): Promise<VNode | null> {
    if (!(await this.enabled(v.tenant.id))) return null;
    const overview = await this.deps.devices.overview(
      v.tenant.id,
      customerActor(request, customer),
      voucherId,
    );
    if (!overview.live) return null;
    const query = request.query as Record<string, unknown>;
    return (
      <DevicesBlock
        overview={overview}
        csrfToken={reply.generateCsrf()}
        t={v.t}
        fmt={v.fmt}
        nowMs={this.deps.clock.nowMs()}
        notice={noticeFrom(
          query,
          v.t,
          voucherId,
          await this.liveOutcome(v.tenant.id, customerActor(request, customer), voucherId, query),
        )}
      />
    );
  }

  /** A disconnect the redirect said was being checked, read again now; else undefined. */
  private async liveOutcome(
    tenantId: number,
    actor: DeviceActor,
    voucherId: number,
    query: Record<string, unknown>,
  ): Promise<DisconnectOutcome | undefined> {
    const followed = query.disconnect === 'checking' ? followedDisconnect(query) : undefined;
    if (!followed) return undefined;
    return this.deps.devices.disconnectProgress(tenantId, actor, voucherId, followed.mac, followed.sinceMs);
  }

  /** Compact "Associated devices: 1 of 3" lines for the dashboard's live voucher cards. */
  async summaries(
    tenantId: number,
    vouchers: VoucherView[],
    t: Translate,
  ): Promise<Record<number, VNode> | undefined> {
    if (!(await this.enabled(tenantId))) return undefined;
    const live = vouchers.filter((voucher) => LIVE_STATUSES.has(voucher.status));
    // The vouchers are the signed-in customer's own (the dashboard loaded them so).
    const counts = await this.deps.devices.countByVouchers(
      tenantId,
      live.map((voucher) => voucher.id),
    );
    return Object.fromEntries(
      live.map((voucher) => [
        voucher.id,
        <DeviceSummary
          voucherId={voucher.id}
          count={counts.get(voucher.id) ?? 0}
          limit={voucher.devicesLimit}
          t={t}
        />,
      ]),
    );
  }
}

/**
 * The devices routes, registered in the portal scope beside its pages: they read the portal's
 * view, session and pages from `app.portalKit`, and the service from their options.
 */
export const portalDeviceRoutes: FastifyPluginAsync<{ devices: PortalDevices }> = async (
  app,
  { devices: portal },
) => {
  const host = app.portalKit;
  const { devices, clock } = portal.deps;
  // Every route reads the signed-in visit (request.portalSession); a form post after its CSRF check.
  const get = { preHandler: host.loadSession };
  const post = { bodyLimit: FORM_BODY_LIMIT_BYTES, preHandler: [host.csrfProtection, host.loadSession] };

  /**
   * Signed in, devices enabled for the tenant, the customer's own live voucher: the overview;
   * otherwise the reply was sent (sign-in redirect, 403 or 404 page) and undefined is returned.
   */
  const guard = async (request: FastifyRequest, reply: FastifyReply) => {
    const session = request.portalSession;
    if (!session) {
      if (request.method !== 'POST') {
        void reply.redirect('/portal', 303);
        return undefined;
      }
      // The session expired with the form open (issue 15, 8c): nothing is done. The form's CSRF
      // token verified (preHandler), so what was typed is kept for after the sign-in.
      const page = sameSitePage(request, '/portal');
      const kept = page !== undefined && request.server.formResume.keep(request, reply, page, request.body);
      void reply.redirect(`/portal?expired${kept ? '=kept' : ''}`, 303);
      return undefined;
    }
    const { customer } = session;
    const v = host.view(request);
    if (!(await portal.canManage(v.tenant.id))) {
      host.errorPage(request, reply, 403, 'devices.error.disabled');
      return undefined;
    }
    // A phone number alone never manages devices, whatever the settings say (issue 10, 6).
    if (!session.codeVerified) {
      host.errorPage(request, reply, 403, 'devices.error.needsCode');
      return undefined;
    }
    const { id, deviceId } = request.params as Params;
    if (!/^\d{1,15}$/.test(id) || (deviceId !== undefined && !/^\d{1,15}$/.test(deviceId))) {
      host.errorPage(request, reply, 404, 'error.404');
      return undefined;
    }
    const actor = customerActor(request, customer);
    // Another customer's or tenant's voucher: NOT_FOUND, answered by the portal's 404 page.
    const overview = await devices.overview(v.tenant.id, actor, Number(id));
    if (!overview.live) {
      host.errorPage(request, reply, 403, 'devices.error.notLive');
      return undefined;
    }
    const device =
      deviceId === undefined ? undefined : overview.devices.find((d) => d.id === Number(deviceId));
    if (deviceId !== undefined && !device) {
      host.errorPage(request, reply, 404, 'devices.error.notFound');
      return undefined;
    }
    return { v, actor, overview, device, voucherId: Number(id) };
  };

  const back = (voucherId: number, query: Record<string, string>) =>
    `/portal/vouchers/${voucherId}?${new URLSearchParams(query).toString()}#devices`;

  /** Refusals a person can fix, as form errors; anything else goes to the error handler. */
  const formError = (error: unknown, input: DeviceFormState, limit: number, t: Translate) => {
    if (!(error instanceof AppError)) return undefined;
    switch (error.code) {
      case 'MAC_INVALID':
        return { status: 400, form: { ...input, macError: t(macErrorKey(input.mac)) } };
      case 'VALIDATION':
        return { status: 400, form: { ...input, titleError: t('devices.error.title') } };
      case 'MAC_ALREADY_ON_VOUCHER':
      case 'MAC_ON_OTHER_VOUCHER': {
        const mac = parseMac(input.mac) ?? input.mac;
        const key =
          error.code === 'MAC_ON_OTHER_VOUCHER' ? 'devices.error.otherVoucher' : 'devices.error.sameVoucher';
        return { status: 409, form: { ...input, macError: t(key, { mac }) } };
      }
      case 'VOUCHER_DEVICE_LIMIT':
        return { status: 409, form: { ...input, macError: t('devices.error.limit', { limit }) } };
      default:
        return undefined;
    }
  };

  /** A device's edit form, filled with its stored values or with a refused input. */
  const editPage = (
    reply: FastifyReply,
    allowed: { v: DevicesView; voucherId: number; device: DeviceDetails },
    form: DeviceFormState,
    status?: number,
  ) =>
    host.html(
      reply,
      <EditDevicePage
        ctx={allowed.v.ctx}
        voucherId={allowed.voucherId}
        device={allowed.device}
        csrfToken={reply.generateCsrf()}
        form={form}
      />,
      status,
    );

  app.get('/vouchers/:id/devices', get, async (request, reply) => {
    const allowed = await guard(request, reply);
    if (!allowed) return reply;
    return reply.redirect(`/portal/vouchers/${allowed.voucherId}#devices`, 303);
  });

  app.post('/vouchers/:id/devices', post, async (request, reply) => {
    const allowed = await guard(request, reply);
    if (!allowed) return reply;
    const { v, actor, overview, voucherId } = allowed;
    const input = { mac: field(request.body, 'mac'), title: field(request.body, 'title') };
    try {
      const device = await devices.add(v.tenant.id, actor, voucherId, input);
      return reply.redirect(back(voucherId, { device: 'added', mac: device.mac }), 303);
    } catch (error) {
      const refused = formError(error, input, overview.devicesLimit, v.t);
      if (!refused) throw error;
      return host.html(
        reply,
        <DevicesPage
          ctx={v.ctx}
          overview={overview}
          csrfToken={reply.generateCsrf()}
          fmt={v.fmt}
          form={refused.form}
        />,
        refused.status,
      );
    }
  });

  app.get('/vouchers/:id/devices/:deviceId/edit', get, async (request, reply) => {
    const allowed = await guard(request, reply);
    if (!allowed?.device) return reply;
    const { device } = allowed;
    return editPage(reply, { ...allowed, device }, { mac: device.mac, title: device.title ?? '' });
  });

  app.post('/vouchers/:id/devices/:deviceId', post, async (request, reply) => {
    const allowed = await guard(request, reply);
    if (!allowed?.device) return reply;
    const { v, actor, device, voucherId, overview } = allowed;
    const input = { mac: field(request.body, 'mac'), title: field(request.body, 'title') };
    try {
      const sinceMs = clock.nowMs();
      const result = await devices.edit(v.tenant.id, actor, voucherId, device.id, {
        // An emptied MAC field is refused like on the add form, not read as "keep the old one".
        mac: input.mac,
        title: input.title,
      });
      return reply.redirect(back(voucherId, editedDeviceQuery(device.mac, result, sinceMs)), 303);
    } catch (error) {
      const refused = formError(error, input, overview.devicesLimit, v.t);
      if (!refused) throw error;
      return editPage(reply, { v, voucherId, device }, refused.form, refused.status);
    }
  });

  app.get('/vouchers/:id/devices/:deviceId/remove', get, async (request, reply) => {
    const allowed = await guard(request, reply);
    if (!allowed?.device) return reply;
    return host.html(
      reply,
      <RemoveDevicePage
        ctx={allowed.v.ctx}
        voucherId={allowed.voucherId}
        device={allowed.device}
        csrfToken={reply.generateCsrf()}
      />,
    );
  });

  app.post('/vouchers/:id/devices/:deviceId/remove', post, async (request, reply) => {
    const allowed = await guard(request, reply);
    if (!allowed?.device) return reply;
    const { v, actor, device, voucherId } = allowed;
    const sinceMs = clock.nowMs();
    const result = await devices.remove(v.tenant.id, actor, voucherId, device.id);
    return reply.redirect(back(voucherId, endedDeviceQuery('removed', result, sinceMs)), 303);
  });

  // The outcome of a disconnect a page is following (portal.js polls it while it is "checking").
  app.get('/vouchers/:id/devices/disconnect-status', get, async (request, reply) => {
    const session = request.portalSession;
    const { id } = request.params as Params;
    const query = request.query as Record<string, unknown>;
    const followed = followedDisconnect(query);
    if (!session?.codeVerified || !/^\d{1,15}$/.test(id) || !followed)
      return reply.status(404).send({ state: 'unknown' });
    const v = host.view(request);
    // Another customer's or tenant's voucher: NOT_FOUND from the service, a 404 problem here.
    const state = await devices.disconnectProgress(
      v.tenant.id,
      customerActor(request, session.customer),
      Number(id),
      followed.mac,
      followed.sinceMs,
    );
    return reply.send({ state, text: v.t(`devices.disconnect.${state}`) });
  });
};
