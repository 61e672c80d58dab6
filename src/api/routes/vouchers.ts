import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf, requireWrite } from '../../admin/index.js';
import { csvCell, currencyDigits, pageRequest } from '../../shared/index.js';
import { listRoute } from '../lists.js';
import { VOUCHER_SORT_KEYS, VOUCHER_STATUSES } from '../../vouchers/index.js';
import {
  errors,
  FromMs,
  IdParams,
  MacQuery,
  PageOf,
  PageQuery,
  SeriesCreate,
  SortParam,
  ToMs,
  Voucher,
  VoucherSeries,
} from '../schemas.js';

const ListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(VOUCHER_SORT_KEYS),
  status: Type.Optional(Type.Union(VOUCHER_STATUSES.map((s) => Type.Literal(s)))),
  seriesId: Type.Optional(Type.Integer({ minimum: 1 })),
  planId: Type.Optional(Type.Integer({ minimum: 1 })),
  customerId: Type.Optional(Type.Integer({ minimum: 1 })),
  code: Type.Optional(Type.String({ maxLength: 100, description: 'part of the code, case-insensitive' })),
  activatedFromMs: FromMs('activated'),
  activatedToMs: ToMs('activated'),
  mac: MacQuery('vouchers with an associated device of this MAC'),
});

const Assign = Type.Object({ customerId: Type.Integer({ minimum: 1 }) }, { examples: [{ customerId: 42 }] });

const DisabledVoucher = Type.Composite([
  Voucher,
  Type.Object({
    disconnect: Type.Object(
      {
        sessions: Type.Integer({ description: 'live sessions the voucher had' }),
        confirmed: Type.Integer({ description: 'the hotspot confirmed them gone' }),
        unconfirmed: Type.Integer({
          description: 'not confirmed yet: the Disconnect-Requests are retried in the background',
        }),
      },
      { description: "what happened to the voucher's live sessions (RFC 5176 Disconnect-Request)" },
    ),
  }),
]);
const SeriesListQuery = Type.Object({ ...PageQuery });

export const vouchersRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const deps = api.adminDeps;
  const tags = ['vouchers'];
  listRoute(api, {
    path: '/vouchers',
    tags,
    summary: 'List vouchers with their usage counters',
    query: ListQuery,
    item: Voucher,
    sortKeys: VOUCHER_SORT_KEYS,
    defaultSort: { key: 'created_at', direction: 'desc' },
    list: (tenantId, filter, sort, page) => deps.vouchers.list(tenantId, filter, sort, page),
  });

  api.get(
    '/vouchers/:id',
    { schema: { tags, summary: 'Get a voucher', params: IdParams, response: { 200: Voucher, ...errors } } },
    async (request) => deps.vouchers.get(request.tenant.id, request.params.id),
  );

  api.post(
    '/vouchers/:id/disable',
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: 'Disable a voucher and disconnect its live sessions',
        description:
          'RADIUS refuses the voucher from now on; every live session gets a Disconnect-Request. ' +
          'Answers within a few seconds with what the hotspots confirmed; unconfirmed disconnects are retried.',
        params: IdParams,
        response: { 200: DisabledVoucher, ...errors },
      },
    },
    async (request) => {
      const { voucher, disconnect } = await deps.vouchers.disable(request.tenant.id, request.params.id);
      return { ...voucher, disconnect };
    },
  );

  api.post(
    '/vouchers/:id/enable',
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: 'Enable a disabled voucher',
        params: IdParams,
        response: { 200: Voucher, ...errors },
      },
    },
    async (request) => deps.vouchers.enable(request.tenant.id, request.params.id),
  );

  api.post(
    '/vouchers/:id/assign',
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: 'Assign a voucher to a customer (fires "voucher activated")',
        params: IdParams,
        body: Assign,
        response: { 200: Voucher, ...errors },
      },
    },
    async (request) => deps.vouchers.assign(request.tenant.id, request.params.id, request.body.customerId),
  );

  api.post(
    '/vouchers/:id/send-sms',
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: "Send the voucher's code and limits to its customer by SMS",
        description:
          'Queued in the SMS outbox (see sms-messages). 409 without a customer; SMS_NO_GATEWAY without an enabled gateway.',
        params: IdParams,
        response: { 202: Type.Object({ queued: Type.Boolean() }), ...errors },
      },
    },
    async (request, reply) => {
      await deps.voucherSms.send(request.tenant, request.params.id);
      return reply.status(202).send({ queued: true });
    },
  );

  const seriesTags = ['voucher-series'];
  api.get(
    '/voucher-series',
    {
      schema: {
        tags: seriesTags,
        summary: 'List voucher series, newest first',
        querystring: SeriesListQuery,
        response: { 200: PageOf(VoucherSeries), ...errors },
      },
    },
    async (request) =>
      deps.vouchers.listSeries(request.tenant.id, pageRequest(request.query.page, request.query.perPage)),
  );

  api.post(
    '/voucher-series',
    {
      preHandler: requireWrite,
      schema: {
        tags: seriesTags,
        summary: 'Generate a series of up to 100,000 vouchers',
        description:
          'Answers 202 at once; the vouchers are made in the background. Poll GET /voucher-series/{id} until status is ready.',
        body: SeriesCreate,
        response: { 202: VoucherSeries, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const series = await deps.vouchers.createSeries(
        request.tenant.id,
        {
          planId: b.planId,
          quantity: b.quantity,
          expiryMode: b.expiryMode ?? 'after_activation',
          validUntilAtMs: b.validUntilAtMs ?? null,
          customerId: b.customerId ?? null,
        },
        actorOf(request).adminId,
      );
      return reply.status(202).send(series);
    },
  );

  api.get(
    '/voucher-series/:id',
    {
      schema: {
        tags: seriesTags,
        summary: 'Get a series and its generation progress',
        params: IdParams,
        response: { 200: VoucherSeries, ...errors },
      },
    },
    async (request) => deps.vouchers.getSeries(request.tenant.id, request.params.id),
  );

  api.get(
    '/voucher-series/:id/export.csv',
    {
      schema: {
        tags: seriesTags,
        summary: 'Export the vouchers of a series as CSV',
        params: IdParams,
        produces: ['text/csv'],
        response: {
          200: {
            description: 'CSV, one voucher per line',
            content: { 'text/csv': { schema: Type.String() } },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const lines = ['code,short_code,plan,status,price,currency,valid_until_ms,created_at_ms'];
      for await (const chunk of deps.vouchers.seriesVouchers(request.tenant.id, id)) {
        for (const v of chunk) {
          const digits = currencyDigits(v.currency);
          lines.push(
            [
              v.code,
              v.shortCode,
              v.planTitle,
              v.status,
              (v.priceMinor / 10 ** digits).toFixed(digits),
              v.currency,
              v.validUntilAtMs,
              v.createdAtMs,
            ]
              .map(csvCell)
              .join(','),
          );
        }
      }
      return reply.type('text/csv; charset=utf-8').send(`${lines.join('\r\n')}\r\n`);
    },
  );
};
