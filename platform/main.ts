/**
 * `npm start`: reads the environment, starts the roles in JUNCTION_ROLES (default: gateway and
 * orchestrator in one process), and shuts down gracefully on SIGTERM/SIGINT.
 * Exit codes: 0 clean stop, 1 failed start or forced stop, 2 bad configuration.
 */
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startJunction } from './runtime.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });

  let junction;
  try {
    junction = await startJunction(config, logger, {}, {
      seed: process.env.JUNCTION_SEED?.trim() || undefined,
      adaptersFile: process.env.JUNCTION_ADAPTERS?.trim() || undefined,
    });
  } catch (err) {
    logger.fatal({ err }, `start failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    junction.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
