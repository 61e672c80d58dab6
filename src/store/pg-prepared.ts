/**
 * Prepared statements on PostgreSQL for the statements the app repeats. Kysely sends every query
 * as text with parameters, which node-postgres runs as an unnamed statement: PostgreSQL parses,
 * analyses and plans it again on every call — on the RADIUS paths about as much CPU as running
 * it (bench/radius/README.md). A named statement is prepared once per pooled connection and then
 * only bound and executed; PostgreSQL's plan cache still chooses between a generic and a custom
 * plan per call.
 *
 * A text is named the second time it is seen, so one-off texts (migrations, ad-hoc lists) stay
 * unnamed, and at most MAX_NAMED texts are ever named: a connection keeps what it prepared until
 * it closes. Turned off with DATABASE_PREPARED_STATEMENTS=0 for poolers that cannot keep
 * statements per client (PgBouncer in transaction mode before 1.21).
 */
import type pg from 'pg';

/** Distinct statement texts named at most; beyond them texts run unnamed, as before. */
const MAX_NAMED = 500;
/** Distinct texts remembered at most while they wait for their second sighting. */
const MAX_SEEN_ONCE = 5000;

/** Which texts run as named statements, and under which name (one name per text, process-wide). */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly seenOnce = new Set<string>();
  /** Texts whose prepared form failed with a changed result type: they stay unnamed. */
  private readonly refused = new Set<string>();
  private issued = 0;

  /** The name to prepare `text` under, or undefined to run it unnamed this time. */
  nameOf(text: string): string | undefined {
    const named = this.names.get(text);
    if (named !== undefined) return named;
    if (this.refused.has(text)) return undefined;
    if (!this.seenOnce.has(text)) {
      if (this.seenOnce.size < MAX_SEEN_ONCE) this.seenOnce.add(text);
      return undefined;
    }
    if (this.issued >= MAX_NAMED) return undefined;
    this.seenOnce.delete(text);
    const name = `portico_${++this.issued}`;
    this.names.set(text, name);
    return name;
  }

  /**
   * A prepared statement's result columns changed under it (a migration another process ran:
   * `select *` now has a column more), which PostgreSQL refuses for a cached plan. The failed
   * call's error stands (inside a transaction nothing can be retried); later calls run unnamed.
   */
  refuse(text: string): void {
    if (!this.names.delete(text)) return;
    if (this.refused.size < MAX_SEEN_ONCE) this.refused.add(text);
  }

  /** Texts named now (tests). */
  get size(): number {
    return this.names.size;
  }
}

/** SQLSTATE 0A000 with this message: a prepared statement's result type changed (plancache.c). */
function isChangedResultType(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('must not change result type');
}

type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * Makes every connection `pool` opens run repeated parameterised texts as named statements.
 * Only calls with parameters are named: those are single statements (the extended protocol
 * allows no more), while parameterless texts such as `begin; set local …` stay simple queries.
 * Calls with a callback or a config object (cursors) pass through untouched.
 */
export function prepareRepeatedStatements(pool: pg.Pool, names = new StatementNames()): StatementNames {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as Query;
    Reflect.set(client, 'query', (config: unknown, values?: unknown, callback?: unknown) => {
      if (
        typeof config !== 'string' ||
        !Array.isArray(values) ||
        values.length === 0 ||
        callback !== undefined
      )
        return query(config, values, callback);
      const name = names.nameOf(config);
      if (name === undefined) return query(config, values);
      return (query({ name, text: config, values }) as Promise<unknown>).catch((error: unknown) => {
        if (isChangedResultType(error)) names.refuse(config);
        throw error;
      });
    });
  });
  return names;
}
