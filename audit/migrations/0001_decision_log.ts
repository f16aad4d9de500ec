import { sql, type Kysely } from 'kysely';

/**
 * The decision log schema.
 *
 * - audit_decisions: one row per decision; `seq` is gap-free and assigned by
 *   the writer under a transaction-scoped advisory lock (see store.ts).
 *   `result` is jsonb (filters look into it); input, bundles, metrics, masked
 *   and erased are json — stored as sent, never queried by structure, and
 *   cheaper to insert.
 * - audit_merkle_nodes: hashes of complete perfect Merkle subtrees at levels
 *   4, 8, 12, … (every 16th level-0 boundary and up). With leaf hashes in
 *   audit_decisions, any subtree hash needs at most 16 rows, so inclusion and
 *   consistency proofs need no full-tree scan.
 * - audit_checkpoints: signed tree heads.
 *
 * All three are append-only: row triggers reject UPDATE and DELETE, statement
 * triggers reject TRUNCATE (this binds superusers too, unless they disable
 * triggers — which verification then detects). Two NOLOGIN roles carry the
 * application's rights: junction_audit_writer (SELECT, INSERT) and
 * junction_audit_reader (SELECT); grant them to the login roles the services
 * use, e.g. `GRANT junction_audit_writer TO junction_app`.
 *
 * There is deliberately no `down`: an audit log is not rolled back.
 */

const TABLES = ['audit_decisions', 'audit_merkle_nodes', 'audit_checkpoints'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE audit_decisions (
      seq              bigint      PRIMARY KEY CHECK (seq > 0),
      decision_id      uuid        NOT NULL UNIQUE,
      "timestamp"      timestamptz NOT NULL,
      path             text        NOT NULL,
      input            json        NOT NULL,
      result           jsonb       NOT NULL,
      bundles          json        NOT NULL,
      metrics          json        NOT NULL,
      wasm_digest      text,
      request_id       text,
      order_id         text,
      customer_id      text,
      network_event_id text,
      principal        text,
      component        text,
      masked           json        NOT NULL,
      erased           json        NOT NULL,
      prev_hash        bytea       NOT NULL CHECK (length(prev_hash) = 32),
      hash             bytea       NOT NULL CHECK (length(hash) = 32),
      leaf_hash        bytea       NOT NULL CHECK (length(leaf_hash) = 32)
    )`.execute(db);
  await sql`CREATE INDEX audit_decisions_timestamp ON audit_decisions ("timestamp")`.execute(db);
  await sql`CREATE INDEX audit_decisions_order ON audit_decisions (order_id) WHERE order_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX audit_decisions_customer ON audit_decisions (customer_id) WHERE customer_id IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE audit_merkle_nodes (
      level smallint NOT NULL CHECK (level > 0),
      idx   bigint   NOT NULL CHECK (idx >= 0),
      hash  bytea    NOT NULL CHECK (length(hash) = 32),
      PRIMARY KEY (level, idx)
    )`.execute(db);

  await sql`
    CREATE TABLE audit_checkpoints (
      tree_size   bigint PRIMARY KEY CHECK (tree_size > 0),
      root_hash   bytea  NOT NULL CHECK (length(root_hash) = 32),
      "timestamp" text   NOT NULL,
      key_id      text   NOT NULL,
      signature   bytea  NOT NULL
    )`.execute(db);

  await sql`
    CREATE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END
    $$`.execute(db);

  for (const table of TABLES) {
    await sql`CREATE TRIGGER ${sql.id(`${table}_no_update_delete`)} BEFORE UPDATE OR DELETE ON ${sql.table(table)}
      FOR EACH ROW EXECUTE FUNCTION audit_reject_change()`.execute(db);
    await sql`CREATE TRIGGER ${sql.id(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${sql.table(table)}
      FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()`.execute(db);
  }

  // Roles are cluster-wide; several databases (tests, environments) may race to create them.
  for (const role of ['junction_audit_writer', 'junction_audit_reader']) {
    await sql`
      DO $$ BEGIN
        CREATE ROLE ${sql.id(role)} NOLOGIN;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`.execute(db);
  }
  for (const table of TABLES) {
    await sql`REVOKE ALL ON ${sql.table(table)} FROM PUBLIC, junction_audit_writer, junction_audit_reader`.execute(db);
    await sql`GRANT SELECT, INSERT ON ${sql.table(table)} TO junction_audit_writer`.execute(db);
    await sql`GRANT SELECT ON ${sql.table(table)} TO junction_audit_reader`.execute(db);
  }
}
