/**
 * Every migration, in order. Names sort lexically (kysely's Migrator applies them by name), so
 * new ones take the next number: `0002_<what>`. Register a new file here; nothing is discovered
 * from the file system, so the list is the same under tsx, vitest and a bundler.
 */
import type { Migration } from 'kysely';
import * as m0001 from './0001_processed_messages.js';
import * as m0006 from './0006_order_to_activation.js';
import * as m0006b from './0006b_cancel_service_orders.js';
import * as m0006c from './0006c_hub_notifications.js';
import * as m0008 from './0008_access_and_policy_lifecycle.js';
import * as m0009 from './0009_assurance.js';
import * as m0010dl from './0010_dead_letters.js';
import * as m0011 from './0011_waiting_orders.js';
import * as m0012 from './0012_reserve_item_function.js';
import * as m0013 from './0013_reserve_items_procedure.js';

export const migrations: Record<string, Migration> = {
  '0001_processed_messages': m0001,
  '0006_order_to_activation': m0006,
  '0006b_cancel_service_orders': m0006b,
  '0006c_hub_notifications': m0006c,
  '0008_access_and_policy_lifecycle': m0008,
  '0009_assurance': m0009,
  '0010_dead_letters': m0010dl,
  '0011_waiting_orders': m0011,
  '0012_reserve_item_function': m0012,
  '0013_reserve_items_procedure': m0013,
};
