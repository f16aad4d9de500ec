import { sql, type Kysely } from 'kysely';

/**
 * Several items' reservations in one call, each still its own transaction: for each item in turn,
 * junction_reserve_item (migration 0012, the rules), then COMMIT, so an item holds its locks (a
 * site's uplink) no longer than when it was called alone, and one item's outcome never depends on
 * another's. An item that does not fit answers { infeasible: reason }, one chosen as a deadlock
 * victim { deadlock: message } (the caller tries it again); other errors end the call, and the
 * items committed before stand (junction_reserve_item is idempotent per order and item).
 *
 * call junction_reserve_items('[{ orderId, itemId, site, specs, expiresAt }, ...]', null)
 * answers p_results: one junction_reserve_item result (or the above) per item, in order.
 * A procedure, not a function, because only a procedure may commit between items; it must be
 * called outside an explicit transaction block.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
create or replace procedure junction_reserve_items(p_items jsonb, inout p_results jsonb default null)
language plpgsql as $fn$
declare
  v_item jsonb;
  v_result jsonb;
  v_results jsonb := '[]'::jsonb;
begin
  for v_item in select value from jsonb_array_elements(p_items) loop
    begin
      v_result := junction_reserve_item(v_item->>'orderId', v_item->>'itemId', v_item->>'site', v_item->'specs', (v_item->>'expiresAt')::timestamptz);
    exception
      when sqlstate 'JR001' then v_result := jsonb_build_object('infeasible', sqlerrm);
      when deadlock_detected then v_result := jsonb_build_object('deadlock', sqlerrm);
    end;
    v_results := v_results || jsonb_build_array(v_result);
    commit;
  end loop;
  p_results := v_results;
end
$fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop procedure if exists junction_reserve_items(jsonb, jsonb)`.execute(db);
}
