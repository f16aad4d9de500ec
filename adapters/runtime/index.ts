/** The adapter runtime's public surface (what platform/orchestrator import). */
export { AdapterLoadError, loadAdapter, loadAdapters, type BuiltinFactories, type LoaderDeps } from './loader.js';
export { AdapterRegistry } from './registry.js';
export { GuardedAdapter, DEFAULT_CALL_POLICY, type CallOptions, type CallPolicy, type WriteOptions } from './guarded-adapter.js';
export { memoryIdempotencyStore, type IdempotencyRecord, type IdempotencyStore } from './idempotency.js';
export { adapterConfigSchema, adaptersFileSchema, readAdaptersFile, type AdapterConfig, type AdapterConfigInput } from './config.js';
export { systemClock } from './clock.js';
export { CircuitBreaker, type BreakerPolicy, type BreakerState } from './circuit-breaker.js';
export type { BackoffPolicy } from './backoff.js';
export { busEventPublisher, networkEventMessageId, type NetworkEventMessage } from './bus-events.js';
export { kvIdempotencyStore, openKvIdempotencyStore, IDEMPOTENCY_BUCKET } from './kv-idempotency.js';
