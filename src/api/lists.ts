/** Reading a list route's query the same way everywhere. */
import { requireMac } from '../devices/index.js';
import { pageRequest, parseSort, type Sort } from '../shared/index.js';

interface ListParams {
  page?: number | undefined;
  perPage?: number | undefined;
  sort?: string | undefined;
  mac?: string | undefined;
}

/**
 * A list route's query as the arguments of a list query: the filters as the schema gave them (a
 * MAC in any common format normalised; MAC_INVALID otherwise), the sort from the route's
 * allow-list (its default otherwise) and the page.
 */
export function listArguments<Q extends ListParams, K extends string>(
  query: Q,
  sortKeys: readonly K[],
  defaultSort: Sort<K>,
) {
  const { page, perPage, sort, mac, ...filter } = query;
  return [
    { ...filter, mac: mac === undefined ? undefined : requireMac(mac) },
    parseSort(sort, sortKeys, defaultSort),
    pageRequest(page, perPage),
  ] as const;
}
