/** Reading a list route's query the same way everywhere, and the list routes themselves. */
import type { FastifyInstance } from 'fastify';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { requireMac } from '../devices/index.js';
import { pageRequest, parseSort, type Page, type PageRequest, type Sort } from '../shared/index.js';
import { errors, PageOf } from './schemas.js';

interface ListParams {
  page?: number | undefined;
  perPage?: number | undefined;
  sort?: string | undefined;
  mac?: string | undefined;
}

/** A list query's filters: what is left of the query without paging and sort, the MAC normalised. */
export type ListFilter<Q> = Omit<Q, 'page' | 'perPage' | 'sort' | 'mac'> & { mac: string | undefined };

/**
 * A list route's query as the arguments of a list query: the filters as the schema gave them (a
 * MAC in any common format normalised; MAC_INVALID otherwise), the sort from the route's
 * allow-list (its default otherwise) and the page.
 */
export function listArguments<Q extends ListParams, K extends string>(
  query: Q,
  sortKeys: readonly K[],
  defaultSort: Sort<K>,
): readonly [ListFilter<Q>, Sort<K>, PageRequest] {
  const { page, perPage, sort, mac, ...filter } = query;
  return [
    { ...filter, mac: mac === undefined ? undefined : requireMac(mac) },
    parseSort(sort, sortKeys, defaultSort),
    pageRequest(page, perPage),
  ] as const;
}

export interface ListRoute<Q extends TObject, I extends TSchema, K extends string> {
  path: string;
  tags: string[];
  summary: string;
  /** PageQuery, `sort: SortParam(sortKeys)` and the route's filters. */
  query: Q;
  item: I;
  sortKeys: readonly K[];
  defaultSort: Sort<K>;
  list(
    tenantId: number,
    filter: ListFilter<Static<Q>>,
    sort: Sort<K>,
    page: PageRequest,
  ): Promise<Page<Static<I>>>;
}

/**
 * GET of a paged, sorted and filtered list (`PageOf(item)`), its query read by listArguments.
 * Typed by `ListRoute` (the type provider cannot resolve a generic schema inside the route).
 */
export function listRoute<Q extends TObject, I extends TSchema, K extends string>(
  api: FastifyInstance,
  route: ListRoute<Q, I, K>,
): void {
  api.get(
    route.path,
    {
      schema: {
        tags: route.tags,
        summary: route.summary,
        querystring: route.query,
        response: { 200: PageOf(route.item), ...errors },
      },
    },
    async (request) =>
      route.list(
        request.tenant.id,
        ...listArguments(request.query as Static<Q> & ListParams, route.sortKeys, route.defaultSort),
      ),
  );
}
