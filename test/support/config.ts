/** A Config for tests: loopback, an ephemeral port (0: the OS picks), silent, plus the test's overrides. */
import { loadConfig, type Config } from '../../platform/config.js';

export function testConfig(env: Record<string, string> = {}): Config {
  return { ...loadConfig({ HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env }), port: 0 };
}
