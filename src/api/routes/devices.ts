/**
 * REST API of a voucher's associated devices (a plugin for the /api/v1 scope):
 * GET/POST /vouchers/{id}/devices, PATCH/DELETE /vouchers/{id}/devices/{deviceId},
 * POST /vouchers/{id}/devices/{deviceId}/disconnect, and the device audit trail: one voucher's
 * (GET /vouchers/{id}/device-events) or the whole tenant's (GET /device-events), paged like every
 * list. Operators act for the tenant (no portal switch applies); read-only tokens may only read.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors, FromMs, MacQuery, Nullable, PageOf, PageQuery, problemOf, ToMs } from '../schemas.js';
import { notFound, pageRequest } from '../../shared/index.js';
import {
  DEVICE_EVENT_ACTORS,
  eventMacs,
  requireMac,
  type DeviceEvent,
  type DeviceDetails,
  type DevicesService,
} from '../../devices/index.js';
import { operatorActor, requireWrite } from '../../admin/index.js';

const Ms = Type.Integer({ description: 'epoch milliseconds, UTC' });

export const DeviceSchema = Type.Object({
  id: Type.Integer(),
  voucherId: Type.Integer(),
  mac: Type.String({ description: 'normalised, AA:BB:CC:DD:EE:FF' }),
  title: Nullable(Type.String()),
  addedBy: Type.String({ description: 'customer, operator or first_login' }),
  isRandomized: Type.Boolean({ description: 'a locally administered ("private Wi-Fi") address' }),
  online: Type.Boolean({ description: 'has an open session now' }),
  onlineSinceAtMs: Nullable(Ms),
  firstSeenAtMs: Nullable(Ms),
  lastSeenAtMs: Nullable(Ms),
  lastHotspotId: Nullable(Type.Integer()),
  lastHotspotTitle: Nullable(Type.String()),
  downloadedBytes: Type.Integer(),
  uploadedBytes: Type.Integer(),
  onlineSeconds: Type.Integer(),
  createdAtMs: Ms,
});

const DeviceList = Type.Object({
  devicesLimit: Type.Integer({ description: "the plan's simultaneous devices" }),
  live: Type.Boolean({ description: 'devices can be added or changed (voucher new, active or online)' }),
  items: Type.Array(DeviceSchema),
});

const Disconnect = Type.Object({
  sessions: Type.Integer({ description: 'live sessions of the MAC on this voucher' }),
  confirmed: Type.Integer({ description: 'the hotspot confirmed them gone' }),
  unconfirmed: Type.Integer({ description: 'not confirmed yet: Disconnect-Requests are retried' }),
});

const DeviceChange = Type.Object({ device: DeviceSchema, disconnect: Disconnect });

const DeviceEventSchema = Type.Object(
  {
    id: Type.Integer(),
    voucherId: Type.Integer(),
    deviceId: Nullable(Type.Integer()),
    actor: Type.Union(
      DEVICE_EVENT_ACTORS.map((a) => Type.Literal(a)),
      {
        description:
          'customer (in the portal), operator (admin area or API token) or system (the device-limit policy at login)',
      },
    ),
    actorId: Nullable(
      Type.Integer({ description: 'the customer or admin id; null for an API token or the system' }),
    ),
    clientIp: Nullable(Type.String({ description: 'where the change came from; null for the system' })),
    action: Type.String({ description: 'added, edited, replaced, removed, disconnected, …' }),
    mac: Nullable(
      Type.String({ description: 'the MAC the change is about (for a replacement: the new one)' }),
    ),
    replacedMac: Nullable(Type.String({ description: 'for a replacement: the MAC that lost access' })),
    details: Type.Record(Type.String(), Type.Unknown()),
    createdAtMs: Ms,
  },
  {
    examples: [
      {
        id: 42,
        voucherId: 7,
        deviceId: 12,
        actor: 'customer',
        actorId: 3,
        clientIp: '203.0.113.24',
        action: 'replaced',
        mac: 'F0:99:B6:12:34:56',
        replacedMac: 'AA:BB:CC:00:11:22',
        details: { fromMac: 'AA:BB:CC:00:11:22', toMac: 'F0:99:B6:12:34:56', title: 'Work laptop' },
        createdAtMs: 1795000000000,
      },
    ],
  },
);

const MAC_CONFLICTS = {
  MAC_ALREADY_ON_VOUCHER: 'the MAC is already on this voucher',
  MAC_ON_OTHER_VOUCHER:
    'the MAC is on another live voucher of the tenant (its id in `errors.voucherId`): remove it there first',
};
/** 409 of adding a device: the MAC is taken, or the voucher has all its devices. */
const addConflict = problemOf('The MAC or the device limit refuses the device', {
  ...MAC_CONFLICTS,
  VOUCHER_DEVICE_LIMIT: "the voucher already has its plan's simultaneous devices",
});
/** 409 of replacing a device's MAC. */
const editConflict = problemOf('The new MAC is taken', MAC_CONFLICTS);

const VoucherParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const DeviceParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  deviceId: Type.Integer({ minimum: 1 }),
});
const DeviceCreate = Type.Object(
  {
    mac: Type.String({
      minLength: 1,
      maxLength: 40,
      description: 'aa:bb:cc:dd:ee:ff, AA-BB-…, aabb.ccdd.eeff or 12 hex digits',
    }),
    title: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  },
  { examples: [{ mac: 'AA-BB-CC-00-11-22', title: 'Ana’s phone' }] },
);
const DevicePatch = Type.Object(
  {
    mac: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 40,
        description: 'a new MAC replaces the old one (which loses access)',
      }),
    ),
    title: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  },
  { examples: [{ title: 'Work laptop' }] },
);
const VoucherEventsQuery = Type.Object({ ...PageQuery });
const EventsQuery = Type.Object({
  ...PageQuery,
  voucherId: Type.Optional(Type.Integer({ minimum: 1, description: "this voucher's changes" })),
  mac: MacQuery('changes about this MAC, replacements from or to it included'),
  actor: Type.Optional(Type.Union(DEVICE_EVENT_ACTORS.map((a) => Type.Literal(a)))),
  createdFromMs: FromMs('made'),
  createdToMs: ToMs('made'),
});

function toEvent(event: DeviceEvent): Static<typeof DeviceEventSchema> {
  const macs = eventMacs(event.action, event.details);
  return { ...event, mac: macs.mac, replacedMac: macs.replacedMac };
}

function toDevice(d: DeviceDetails): Static<typeof DeviceSchema> {
  return {
    id: d.id,
    voucherId: d.voucher_id,
    mac: d.mac,
    title: d.title,
    addedBy: d.added_by,
    isRandomized: d.is_randomized === 1,
    online: d.online_since_at !== null,
    onlineSinceAtMs: d.online_since_at,
    firstSeenAtMs: d.first_seen_at,
    lastSeenAtMs: d.last_seen_at,
    lastHotspotId: d.last_hotspot_id,
    lastHotspotTitle: d.last_hotspot_title,
    downloadedBytes: Number(d.downloaded_bytes),
    uploadedBytes: Number(d.uploaded_bytes),
    onlineSeconds: Number(d.online_seconds),
    createdAtMs: d.created_at,
  };
}

/** The routes (every change, disconnects included, is in the voucher's device audit trail). */
export const devicesApiRoutes: FastifyPluginAsyncTypebox<{ devices: DevicesService }> = async (
  api,
  { devices },
) => {
  const tags = ['devices'];

  /** The device with presence, from the voucher's overview (NOT_FOUND when absent). */
  const detailsOf = async (request: FastifyRequest, voucherId: number, deviceId: number) => {
    const overview = await devices.overview(request.tenant.id, operatorActor(request), voucherId, 1);
    const found = overview.devices.find((d) => d.id === deviceId);
    if (!found) throw notFound('Device');
    return found;
  };

  api.get(
    '/vouchers/:id/devices',
    {
      schema: {
        tags,
        summary: "List a voucher's associated devices (MAC addresses), with presence and usage",
        params: VoucherParams,
        response: { 200: DeviceList, ...errors },
      },
    },
    async (request) => {
      const overview = await devices.overview(
        request.tenant.id,
        operatorActor(request),
        request.params.id,
        1,
      );
      return {
        devicesLimit: overview.devicesLimit,
        live: overview.live,
        items: overview.devices.map(toDevice),
      };
    },
  );

  api.post(
    '/vouchers/:id/devices',
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: 'Add a MAC address to a live voucher (it can connect by MAC authentication at once)',
        params: VoucherParams,
        body: DeviceCreate,
        response: { 201: DeviceSchema, ...errors, 409: addConflict },
      },
    },
    async (request, reply) => {
      const device = await devices.add(request.tenant.id, operatorActor(request), request.params.id, {
        mac: request.body.mac,
        title: request.body.title ?? null,
      });
      return reply.status(201).send(toDevice(await detailsOf(request, request.params.id, device.id)));
    },
  );

  api.patch(
    '/vouchers/:id/devices/:deviceId',
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: "Change a device's title, or replace its MAC (the old MAC's sessions are disconnected)",
        params: DeviceParams,
        body: DevicePatch,
        response: { 200: DeviceChange, ...errors, 409: editConflict },
      },
    },
    async (request) => {
      const { id, deviceId } = request.params;
      const result = await devices.edit(request.tenant.id, operatorActor(request), id, deviceId, {
        mac: request.body.mac,
        title: request.body.title,
      });
      return { device: toDevice(await detailsOf(request, id, deviceId)), disconnect: result.disconnect };
    },
  );

  api.delete(
    '/vouchers/:id/devices/:deviceId',
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: 'Remove a device: its MAC loses access and its live sessions are disconnected',
        params: DeviceParams,
        response: { 200: Disconnect, ...errors },
      },
    },
    async (request) => {
      const { id, deviceId } = request.params;
      const result = await devices.remove(request.tenant.id, operatorActor(request), id, deviceId);
      return result.disconnect;
    },
  );

  api.post(
    '/vouchers/:id/devices/:deviceId/disconnect',
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: "Disconnect a device's live sessions (Disconnect-Request, audited); the device keeps access",
        params: DeviceParams,
        response: { 200: Disconnect, ...errors },
      },
    },
    async (request) => {
      const { id, deviceId } = request.params;
      const result = await devices.disconnect(request.tenant.id, operatorActor(request), id, deviceId);
      return result.disconnect;
    },
  );

  api.get(
    '/vouchers/:id/device-events',
    {
      schema: {
        tags,
        summary: "The voucher's device audit trail (who, when, from which IP, what), newest first",
        params: VoucherParams,
        querystring: VoucherEventsQuery,
        response: { 200: PageOf(DeviceEventSchema), ...errors },
      },
    },
    async (request) => {
      const page = await devices.voucherEventPage(
        request.tenant.id,
        operatorActor(request),
        request.params.id,
        pageRequest(request.query.page, request.query.perPage),
      );
      return { ...page, items: page.items.map(toEvent) };
    },
  );

  api.get(
    '/device-events',
    {
      schema: {
        tags,
        summary:
          'Every device change of the tenant (who, when, from which IP, what), newest first; filter by voucher, MAC, actor or time',
        querystring: EventsQuery,
        response: { 200: PageOf(DeviceEventSchema), ...errors },
      },
    },
    async (request) => {
      const { page, perPage, mac, ...filter } = request.query;
      const result = await devices.eventPage(
        request.tenant.id,
        { ...filter, mac: mac === undefined ? undefined : requireMac(mac) },
        pageRequest(page, perPage),
      );
      return { ...result, items: result.items.map(toEvent) };
    },
  );
};
