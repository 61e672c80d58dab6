/**
 * Query shapes every repository's admin lists share: one page of a filtered query with its total,
 * and a case-insensitive "contains" that takes the user's text literally.
 */
import { sql, type Expression, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import { pageOffset, type Page, type PageRequest, type Sort } from '../shared/index.js';
import type { Dialect } from './database.js';

/**
 * One page of `query` in `sort` order (ties broken by id, so pages never overlap) and how many
 * rows match in all. `query` holds the FROM and WHERE; this adds the rest.
 */
export async function selectPage<DB, TB extends keyof DB & string, Row, View>(
  query: SelectQueryBuilder<DB, TB, object>,
  sort: Sort<string>,
  page: PageRequest,
  toView: (row: Row) => View,
): Promise<Page<View>> {
  const [rows, count] = await Promise.all([
    query
      .selectAll()
      .orderBy(sql.ref(sort.key), sort.direction)
      .orderBy(sql.ref('id'), sort.direction)
      .limit(page.perPage)
      .offset(pageOffset(page))
      .execute(),
    query.select(() => sql<number>`count(*)`.as('n')).executeTakeFirst(),
  ]);
  return {
    items: (rows as Row[]).map(toView),
    total: Number((count as { n?: number } | undefined)?.n ?? 0),
    ...page,
  };
}

/**
 * `lower(expression)` contains `text`, taken literally: the user's % _ and \ are escaped, with an
 * explicit ESCAPE because SQLite has no default escape character.
 */
export function containsText(expression: Expression<unknown>, text: string): RawBuilder<boolean> {
  const literal = text.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`);
  return sql<boolean>`lower(${expression}) like ${`%${literal}%`} escape '\\'`;
}

export type RowsColumnType = 'bigint' | 'integer' | 'text';

/**
 * Many rows as a table in one statement, with a fixed number of parameters whatever the row
 * count: PostgreSQL `unnest` of one typed array per column (the statement text never changes),
 * SQLite `json_each` over one JSON parameter. Use as `from ${rowsTable(…)}` or in a join.
 */
export function rowsTable(
  dialect: Dialect,
  alias: string,
  columns: Record<string, RowsColumnType>,
  rows: ReadonlyArray<ReadonlyArray<string | number | null>>,
): RawBuilder<unknown> {
  const names = Object.keys(columns);
  if (dialect === 'postgres') {
    const arrays = names.map(
      (name, c) => sql`cast(${rows.map((row) => row[c] ?? null)} as ${sql.raw(columns[name]!)}[])`,
    );
    return sql`unnest(${sql.join(arrays)}) as ${sql.raw(alias)}(${sql.raw(names.join(', '))})`;
  }
  const fields = names.map((name, c) => sql.raw(`json_extract(value, '$[${c}]') as ${name}`));
  return sql`(select ${sql.join(fields)} from json_each(${JSON.stringify(rows)})) as ${sql.raw(alias)}`;
}
