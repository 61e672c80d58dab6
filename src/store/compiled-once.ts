/**
 * A statement built and compiled once, run with new values each time (issue 12: building and
 * compiling the portal's reads with Kysely cost about a tenth of a changed view). Build it with
 * `slot('name')` where a value changes per call; `bind` gives a CompiledQuery with those values
 * in place and every other parameter as built.
 */
import { createQueryId, type CompiledQuery, type Compilable } from 'kysely';

class Slot {
  constructor(readonly name: string) {}
}

/** A placeholder for a value given per call, typed as what the builder expects there. */
export const slot = <T>(name: string): T => new Slot(name) as T;

export class CompiledOnce<R> {
  private compiled?: CompiledQuery<R>;
  private names?: Array<string | undefined>;

  constructor(private readonly build: () => Compilable<R>) {}

  /** The statement with `values` (by slot name) in its slots; throws when a slot has none. */
  bind(values: Readonly<Record<string, unknown>>): CompiledQuery<R> {
    if (!this.compiled) {
      this.compiled = this.build().compile();
      this.names = this.compiled.parameters.map((p) => (p instanceof Slot ? p.name : undefined));
    }
    const names = this.names!;
    return {
      ...this.compiled,
      queryId: createQueryId(),
      parameters: this.compiled.parameters.map((parameter, index) => {
        const name = names[index];
        if (name === undefined) return parameter;
        if (!(name in values)) throw new Error(`no value for the statement's slot ${name}`);
        return values[name];
      }),
    };
  }
}
