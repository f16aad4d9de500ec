import { sql, type Kysely } from 'kysely';

/**
 * Feasibility and reservation of one order item as one server-side call. The rules are those of
 * orchestrator/inventory.ts (which calls it); they run next to the data so an item's reservation
 * is one round trip instead of one per resource plus the transaction around them. Hot rows (a
 * site's uplink, its IP pool) are locked only for that call.
 *
 * junction_reserve_item(order, item, site, specs, expires_at) where specs is
 * [{ key, resourceType, scope: 'one' | 'all', amount }] (amounts already resolved). It locks the
 * order row (two runs of one order's saga queue there), then:
 * - if the order was cancelled: reserves nothing, returns { cancellationId };
 * - if the item already holds reservations (a resumed saga): returns them;
 * - else takes every spec's capacity; `one`: the first fitting resource no other order holds
 *   locked right now (SKIP LOCKED), else each fitting one in turn, waiting for its lock; `all`:
 *   every resource of the type at the site. Capacity moves only where `capacity - allocated`
 *   still allows it on the locked row.
 * Returns { reservations: [{ key, resource_id, amount, attributes, state }] } ordered by key and
 * resource id. Raises SQLSTATE JR001 with the reason when the item does not fit: the statement
 * rolls back, so nothing of the item stays taken.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
create or replace function junction_reserve_item(p_order text, p_item text, p_site text, p_specs jsonb, p_expires timestamptz)
returns jsonb language plpgsql as $fn$
declare
  v_cancel text;
  v_spec jsonb;
  v_type text;
  v_scope text;
  v_key text;
  v_amount bigint;
  v_id text;
  v_taken int;
  v_candidates int;
  c record;
begin
  select cancellation_id into v_cancel from service_orders where id = p_order for update;
  if v_cancel is not null then
    return jsonb_build_object('cancellationId', v_cancel);
  end if;
  if not exists (select 1 from reservations where order_id = p_order and order_item_id = p_item and status in ('reserved', 'committed')) then
    for v_spec in select value from jsonb_array_elements(p_specs) loop
      v_key := v_spec->>'key';
      v_type := v_spec->>'resourceType';
      v_scope := coalesce(v_spec->>'scope', 'one');
      v_amount := (v_spec->>'amount')::bigint;
      v_taken := 0;
      if v_scope = 'one' then
        select id into v_id from resources
          where type = v_type and (site = p_site or site is null) and state = 'available' and capacity - allocated >= v_amount
          order by id limit 1 for update skip locked;
        if found then
          update resources set allocated = allocated + v_amount, updated_at = now() where id = v_id;
          insert into reservations (id, resource_id, order_id, order_item_id, key, amount, status, expires_at)
            values (gen_random_uuid()::text, v_id, p_order, p_item, v_key, v_amount, 'reserved', p_expires);
          v_taken := 1;
        end if;
      end if;
      if v_taken = 0 then
        v_candidates := 0;
        -- one: every row locked by others just now may still give room once they finish; wait in turn.
        for c in select id from resources
            where type = v_type and (site = p_site or site is null) and state = 'available'
              and (v_scope <> 'one' or capacity - allocated >= v_amount)
            order by id loop
          v_candidates := v_candidates + 1;
          update resources set allocated = allocated + v_amount, updated_at = now()
            where id = c.id and state = 'available' and capacity - allocated >= v_amount;
          if found then
            insert into reservations (id, resource_id, order_id, order_item_id, key, amount, status, expires_at)
              values (gen_random_uuid()::text, c.id, p_order, p_item, v_key, v_amount, 'reserved', p_expires);
            v_taken := v_taken + 1;
            exit when v_scope = 'one';
          elsif v_scope = 'all' then
            raise exception using errcode = 'JR001', message = format('%s lacks %s free %s units at %s', c.id, v_amount, v_type, p_site);
          end if;
        end loop;
        if v_candidates = 0 and v_scope <> 'one' then
          raise exception using errcode = 'JR001', message = format('no %s in service at %s', v_type, p_site);
        end if;
      end if;
      if v_taken = 0 then
        raise exception using errcode = 'JR001', message = format('insufficient capacity: no %s at %s has %s units free', v_type, p_site, v_amount);
      end if;
    end loop;
  end if;
  return jsonb_build_object('reservations', coalesce((
    select jsonb_agg(jsonb_build_object('key', r.key, 'resource_id', r.resource_id, 'amount', r.amount, 'attributes', s.attributes, 'state', s.state) order by r.key, r.resource_id)
    from reservations r join resources s on s.id = r.resource_id
    where r.order_id = p_order and r.order_item_id = p_item and r.status in ('reserved', 'committed')), '[]'::jsonb));
end
$fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists junction_reserve_item(text, text, text, jsonb, timestamptz)`.execute(db);
}
