/**
 * Server-side prepared statements for the statements Junction runs over and over.
 *
 * Kysely sends every query as an unnamed statement, so Postgres parses and plans it on every
 * call; for the saga's few large statements, run for every order, planning costs about as much
 * as executing. A statement text seen a second time gets a name (a hash of its text), and pg then
 * parses it once per connection and Postgres may keep a generic plan for it.
 *
 * Bounded on both sides: at most `limit` texts are ever named (each connection holds at most
 * that many prepared statements), and only data statements are (never DDL, whose plans cannot be
 * cached, nor transaction control). Statements built with a varying number of parameters (an
 * `in (...)` of n values) are distinct texts; past the limit they simply stay unnamed.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

const DATA_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i;

export interface StatementNamer {
  /** The name to prepare `text` under, or undefined to send it unnamed. */
  nameFor(text: string): string | undefined;
}

/** Names a data statement on its second use, up to `limit` statements; counts at most 4×limit candidates at once. */
export function statementNamer(limit = 256): StatementNamer {
  const named = new Map<string, string>();
  let seenOnce = new Set<string>();
  return {
    nameFor(text) {
      const name = named.get(text);
      if (name !== undefined) return name;
      if (named.size >= limit || !DATA_STATEMENT.test(text)) return undefined;
      if (!seenOnce.has(text)) {
        // Forget one-off texts now and then rather than keep every one ever seen.
        if (seenOnce.size >= 4 * limit) seenOnce = new Set();
        seenOnce.add(text);
        return undefined;
      }
      seenOnce.delete(text);
      const fresh = `junction_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      named.set(text, fresh);
      return fresh;
    },
  };
}

/**
 * A pg Client class (for `new pg.Pool({ Client })`) that sends the statements `namer` names as
 * prepared statements. Only the (text, values) form Kysely uses is touched; config objects and
 * cursors pass through as they are.
 */
export function preparingClient(namer: StatementNamer): typeof pg.Client {
  return class PreparingClient extends pg.Client {
    // pg's query() is heavily overloaded; forward every form unchanged except (text, values?).
    override query(...args: unknown[]): any {
      const [first, second] = args;
      if (typeof first === 'string' && args.length <= 2 && (second === undefined || Array.isArray(second))) {
        const name = namer.nameFor(first);
        if (name !== undefined) return (super.query as (...a: unknown[]) => unknown)({ name, text: first, values: second });
      }
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
  } as typeof pg.Client;
}
