/**
 * Query shapes repositories share: one page of a filtered query with its total, a
 * case-insensitive "contains" that takes the user's text literally, many rows as one table
 * parameter (rowsTable), and multi-row updates that lock in id order and can carry other writes
 * in the same statement (updateFromRowsInIdOrder, FollowingWrite: the accounting batch).
 */
import { sql, type Expression, type RawBuilder, type Selectable, type SelectQueryBuilder } from 'kysely';
import { pageOffset, type Page, type PageRequest, type Sort } from '../shared/index.js';
import type { Dialect } from './database.js';
import type { Database } from './schema.js';

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
 * Many rows as a table in one statement: PostgreSQL `unnest` of one typed array per column (a
 * fixed number of parameters: the statement text never changes), SQLite one JSON parameter
 * (sqliteRowsTable). Use as `from ${rowsTable(…)}` or in a join.
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
      (name, c) =>
        sql`cast(${pgArrayParameter(
          columns[name]!,
          rows.map((row) => row[c] ?? null),
        )} as ${sql.raw(columns[name]!)}[])`,
    );
    return sql`unnest(${sql.join(arrays)}) as ${sql.raw(alias)}(${sql.raw(names.join(', '))})`;
  }
  return sqliteRowsTable(alias, columns, rows);
}

/**
 * SQLite: the rows as one JSON parameter, read as JSONB (`jsonb_each(jsonb(?))`, each column
 * `value ->> i`), so the statement text never changes either. `json_each` with `json_extract`
 * per column parsed each row's text again for every column (a batch's session update: 5.3-6.9
 * against 3.9-4.5 µs per row, bench/radius/sqlite-rows.ts). A VALUES list of bound parameters
 * ran faster as a statement, but Kysely compiling a node per value and the statement cache
 * hashing texts of thousands of `?` cost more than it saved (bench/radius/README.md).
 */
function sqliteRowsTable(
  alias: string,
  columns: Record<string, RowsColumnType>,
  rows: ReadonlyArray<ReadonlyArray<string | number | null>>,
): RawBuilder<unknown> {
  const fields = Object.keys(columns).map((name, c) => `value ->> ${c} as ${name}`);
  return sql`(select ${sql.raw(fields.join(', '))} from jsonb_each(jsonb(${JSON.stringify(rows)}))) as ${sql.raw(alias)}`;
}

/**
 * A PostgreSQL array parameter as the array literal text node-postgres would send for it
 * (`{1,NULL}`, `{"a\\"b",NULL}`), built here in one pass: its per-element preparing, quoting and
 * escaping was a visible share of the RADIUS batches' CPU. Integers go bare, strings quoted with
 * `\` and `"` escaped as node-postgres does; any other value leaves the array to node-postgres.
 */
function pgArrayParameter(type: RowsColumnType, values: ReadonlyArray<string | number | null>): unknown {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) literal += ',';
    if (value === null) literal += 'NULL';
    else if (type !== 'text' && typeof value === 'number' && Number.isSafeInteger(value))
      literal += String(value);
    else if (type === 'text' && typeof value === 'string')
      literal += '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
    else return values;
  }
  return literal + '}';
}

/** An UPDATE … FROM (rows) for updateFromRowsInIdOrder: rows that name `id` and `tid` (the tenant). */
export interface RowsUpdate<Table extends 'vouchers' | 'devices' = 'vouchers' | 'devices'> {
  table: Table;
  /** The SET list; the rows are `d`. */
  assignments: RawBuilder<unknown>;
  columns: Record<string, RowsColumnType>;
  rows: ReadonlyArray<ReadonlyArray<string | number | null>>;
  /** Narrows the rows written (the locked ones stay locked). */
  filter?: RawBuilder<unknown>;
}

/**
 * A write that can join another write's statement on PostgreSQL (updateFromRowsInIdOrder's
 * `followedBy`) and take its locks only after that statement's.
 */
export interface FollowingWrite {
  /**
   * Its WITH items, named with `prefix`, locking nothing before the item `lockAfter` has (a scalar
   * subquery on it comes first); and the item that holds its own last locks (`lockAfter` when it
   * locks nothing new).
   */
  following(lockAfter: string, prefix: string): { items: Array<RawBuilder<unknown>>; locked: string };
  /** The same write as statements of its own (SQLite, or nothing to follow). */
  alone(): Array<RawBuilder<unknown>>;
}

/** A scalar subquery on `item` as a condition: what comes after it waits for it to be evaluated. */
export function waitsFor(item: string): RawBuilder<boolean> {
  return sql<boolean>`(select count(*) from ${sql.raw(item)}) >= 0`;
}

/** updateFromRowsInIdOrder's update as a FollowingWrite (its rows locked in id order, after). */
export function rowsUpdateWrite(dialect: Dialect, update: RowsUpdate): FollowingWrite {
  return {
    following(lockAfter, prefix) {
      const part = lockedUpdate(update, prefix, lockAfter);
      return {
        items: [...part.items, sql`${sql.raw(`${prefix}w`)} as (${part.update})`],
        locked: part.locked,
      };
    },
    alone: () => [updateFromRowsInIdOrder(dialect, update)],
  };
}

/**
 * `update <table> set <assignments> from <rows> as d`, one statement. On PostgreSQL every row the
 * statement may write is first locked in id order — all of them before the first write — so
 * transactions writing overlapping rows wait for each other instead of deadlocking, whatever join
 * order the planner picks: the scalar subquery reads no column of the updated rows, so it runs
 * once, as a one-time filter, before the update reads a row, and ORDER BY runs before FOR UPDATE.
 * With `returning`, answers those columns of the written rows (only those: every column returned
 * is parsed per row, and these statements run per accounting batch).
 *
 * PostgreSQL only, as data-modifying WITH items of the same statement (one round trip):
 * `alongWith`, writes that take no lock of their own (the caller holds their rows already), and
 * `followedBy`, writes that lock rows of other tables only after these, in the order given (each
 * waits for the locks before it through a scalar subquery on them). SQLite's caller runs them
 * apart, before and after (applyAccountingMany).
 */
export function updateFromRowsInIdOrder<
  Table extends 'vouchers' | 'devices',
  Column extends keyof Selectable<Database[Table]> & string = never,
>(
  dialect: Dialect,
  update: RowsUpdate<Table>,
  options: {
    returning?: readonly Column[];
    alongWith?: ReadonlyArray<RawBuilder<unknown>>;
    followedBy?: readonly FollowingWrite[];
  } = {},
): RawBuilder<Pick<Selectable<Database[Table]>, Column>> {
  type Row = Pick<Selectable<Database[Table]>, Column>;
  const { table } = update;
  const returned = options.returning ?? [];
  if (dialect === 'postgres') {
    // Qualified: `d` has an `id` column too.
    const returning =
      returned.length > 0
        ? sql`returning ${sql.join(returned.map((column) => sql.ref(`${table}.${column}`)))}`
        : sql``;
    const main = lockedUpdate(update, '');
    let lockedBefore = main.locked;
    const followers = (options.followedBy ?? []).flatMap((write, i) => {
      const part = write.following(lockedBefore, `f${i}_`);
      lockedBefore = part.locked;
      return part.items;
    });
    const items = [...writeItems(options.alongWith ?? []), ...main.items, ...followers];
    return sql<Row>`with ${sql.join(items)} ${main.update} ${returning}`;
  }
  if (options.alongWith?.length || options.followedBy?.length)
    throw new Error('alongWith and followedBy are for PostgreSQL: on SQLite run those writes apart');
  // Bare names: SQLite's RETURNING sees only the updated table, never the FROM's.
  const returning =
    returned.length > 0 ? sql`returning ${sql.join(returned.map((column) => sql.ref(column)))}` : sql``;
  return sql<Row>`update ${sql.table(table)} set ${update.assignments}
    from ${rowsTable(dialect, 'd', update.columns, update.rows)}
    where ${matchRows(table)} ${update.filter ? sql`and (${update.filter})` : sql``} ${returning}`;
}

function matchRows(table: 'vouchers' | 'devices'): RawBuilder<unknown> {
  return sql`${sql.ref(`${table}.id`)} = d.id and ${sql.ref(`${table}.tenant_id`)} = d.tid`;
}

/**
 * The WITH items (`<prefix>d`, the rows; `<prefix>locked`, their table's rows locked in id order,
 * after `lockAfter`'s when given) and the UPDATE of one RowsUpdate on PostgreSQL.
 */
function lockedUpdate(
  update: RowsUpdate,
  prefix: string,
  lockAfter?: string,
): { items: Array<RawBuilder<unknown>>; update: RawBuilder<unknown>; locked: string } {
  const t = sql.table(update.table);
  const id = sql.ref(`${update.table}.id`);
  const rows = sql.raw(`${prefix}d`);
  const locked = `${prefix}locked`;
  const match = matchRows(update.table);
  // `id = any(ids)` as well as the join in the lock: the planner then sees how few rows are
  // wanted and reads them by primary key; joined to the rows alone it chose a sequential scan
  // of the table on 10,000 devices (EXPLAIN ANALYZE). Not in the update's own join: there it
  // became an index condition beside `id = d.id`, one array probe per row (quadratic).
  const idColumn = Object.keys(update.columns).indexOf('id');
  const ids = sql`${id} = any(cast(${pgArrayParameter(
    'bigint',
    update.rows.map((row) => row[idColumn] ?? null),
  )} as bigint[]))`;
  const waits = lockAfter ? sql`and ${waitsFor(lockAfter)}` : sql``;
  const filter = update.filter ? sql`and (${update.filter})` : sql``;
  return {
    items: [
      sql`${rows} as materialized (select * from ${rowsTable('postgres', 'r', update.columns, update.rows)})`,
      sql`${sql.raw(locked)} as materialized (select ${id} from ${t} join ${rows} as d on ${match}
          where ${ids} ${waits} order by ${id} for update of ${t})`,
    ],
    update: sql`update ${t} set ${update.assignments} from ${rows} as d
      where ${match} ${filter} and ${waitsFor(locked)}`,
    locked,
  };
}

/** Rows per statement of the multi-row writers: one rowsTable parameter set stays well bounded. */
const ROWS_PER_STATEMENT = 5000;

/**
 * `items` as rowsTable rows, in order, cut into chunks of at most ROWS_PER_STATEMENT (one statement
 * each). Empty input, no chunk: no statement.
 */
export function rowChunks<T>(
  items: readonly T[],
  toRow: (item: T) => ReadonlyArray<string | number | null>,
): Array<Array<ReadonlyArray<string | number | null>>> {
  const chunks = [];
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT)
    chunks.push(items.slice(i, i + ROWS_PER_STATEMENT).map(toRow));
  return chunks;
}

/** Writes as data-modifying WITH items `w0 as (…)`, `w1 as (…)`, … (PostgreSQL). */
function writeItems(writes: ReadonlyArray<RawBuilder<unknown>>): Array<RawBuilder<unknown>> {
  return writes.map((write, i) => sql`${sql.raw(`w${i}`)} as (${write})`);
}
