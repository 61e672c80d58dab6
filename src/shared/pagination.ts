/**
 * One pagination shape for every list (admin pages and the REST API): page numbers from 1,
 * a bounded page size, and the total so a client knows how many pages there are.
 */
export interface PageRequest {
  page: number;
  perPage: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  perPage: number;
  total: number;
}

export const MAX_PER_PAGE = 200;
export const DEFAULT_PER_PAGE = 50;

export function pageRequest(page: unknown, perPage: unknown): PageRequest {
  const p = Number(page);
  const n = Number(perPage);
  return {
    page: Number.isInteger(p) && p >= 1 ? Math.min(p, 1_000_000) : 1,
    perPage: Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_PER_PAGE) : DEFAULT_PER_PAGE,
  };
}

export function pageOffset(request: PageRequest): number {
  return (request.page - 1) * request.perPage;
}

/** One page of a list already in memory (lists short by nature: admins, API tokens, hotspots). */
export function pageOfList<T>(all: readonly T[], request: PageRequest): Page<T> {
  const start = pageOffset(request);
  return { items: all.slice(start, start + request.perPage), total: all.length, ...request };
}

/** A sort key: a column name from an allow-list, ascending or descending (`-name`). */
export interface Sort<K extends string> {
  key: K;
  direction: 'asc' | 'desc';
}

/** Parses `name` / `-name` against an allow-list; anything else is the fallback. */
export function parseSort<K extends string>(raw: unknown, allowed: readonly K[], fallback: Sort<K>): Sort<K> {
  if (typeof raw !== 'string') return fallback;
  const desc = raw.startsWith('-');
  const key = (desc ? raw.slice(1) : raw) as K;
  return allowed.includes(key) ? { key, direction: desc ? 'desc' : 'asc' } : fallback;
}
