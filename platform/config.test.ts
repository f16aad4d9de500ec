import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8080,
      logLevel: 'info',
      namespace: 'junction',
      apiKeys: [],
      processRoles: ['gateway', 'orchestrator'],
      databaseUrl: undefined,
      natsUrl: undefined,
    });
  });

  it('reads every variable', () => {
    const keys = [{ key: 'k'.repeat(20), principal: 'crm', roles: ['bss'], tenant: 'acme' }];
    const c = loadConfig({
      PORT: '9090',
      LOG_LEVEL: 'debug',
      JUNCTION_NAMESPACE: 'staging-2',
      JUNCTION_API_KEYS: JSON.stringify(keys),
      JUNCTION_ROLES: 'orchestrator',
      DATABASE_URL: 'postgres://u:p@db:5432/junction',
      NATS_URL: 'nats://nats:4222',
      JUNCTION_SHUTDOWN_TIMEOUT_MS: '5000',
      JUNCTION_POLICY_WORKERS: '0',
    });
    expect(c).toMatchObject({
      port: 9090,
      logLevel: 'debug',
      namespace: 'staging-2',
      apiKeys: keys,
      processRoles: ['orchestrator'],
      databaseUrl: 'postgres://u:p@db:5432/junction',
      natsUrl: 'nats://nats:4222',
      shutdownTimeoutMs: 5000,
      policyWorkers: 0,
    });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ' })).toMatchObject({ port: 8080, databaseUrl: undefined });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', 'expected an integer port 1-65535'],
    [{ PORT: '0' }, 'PORT', 'expected an integer port 1-65535'],
    [{ PORT: '65536' }, 'PORT', 'expected an integer port 1-65535'],
    [{ PORT: '80.5' }, 'PORT', 'expected an integer port 1-65535'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', 'expected one of'],
    [{ JUNCTION_NAMESPACE: 'a.b' }, 'JUNCTION_NAMESPACE', 'expected 1-32 characters'],
    [{ JUNCTION_NAMESPACE: 'has_underscore' }, 'JUNCTION_NAMESPACE', 'expected 1-32 characters'],
    [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL', 'expected a URL like postgres://'],
    [{ NATS_URL: 'not a url' }, 'NATS_URL', 'expected a URL like nats://'],
    [{ JUNCTION_ROLES: 'gateway,billing' }, 'JUNCTION_ROLES', 'expected a comma-separated list of gateway, orchestrator'],
    [{ JUNCTION_API_KEYS: '{not json' }, 'JUNCTION_API_KEYS', 'invalid JSON'],
    [{ JUNCTION_API_KEYS: '[{"key":"0123456789abcdef","principal":"p","roles":["root"]}]' }, 'JUNCTION_API_KEYS', '[0.roles.0]'],
    [{ JUNCTION_API_KEYS: '[{"key":"short","principal":"p","roles":["bss"]}]' }, 'JUNCTION_API_KEYS', 'at least 16 characters'],
    [{ JUNCTION_SHUTDOWN_TIMEOUT_MS: '-1' }, 'JUNCTION_SHUTDOWN_TIMEOUT_MS', 'positive integer'],
    [{ JUNCTION_POLICY_WORKERS: 'two' }, 'JUNCTION_POLICY_WORKERS', 'expected a whole number'],
  ])('rejects %j naming %s', (env, variable, expected) => {
    const err = errorOf(env);
    expect(err.variables).toEqual([variable]);
    expect(err.message).toContain(`${variable}: `);
    expect(err.message).toContain(expected);
    expect(err.message).not.toContain('\n');
  });

  it('rejects duplicate API keys', () => {
    const k = { key: 'x'.repeat(16), roles: ['bss'] };
    const err = errorOf({ JUNCTION_API_KEYS: JSON.stringify([{ ...k, principal: 'a' }, { ...k, principal: 'b' }]) });
    expect(err.message).toContain('duplicate key');
  });

  it('names every bad variable on one line', () => {
    const err = errorOf({ PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(err.variables).toEqual(['PORT', 'LOG_LEVEL']);
    expect(err.message.split('\n')).toHaveLength(1);
  });
});
