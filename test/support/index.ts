export { createTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from './database.js';
export { createTestBus, deleteNamespace, testNamespace, TEST_NATS_URL, type TestBus } from './bus.js';
export { testConfig } from './config.js';
export { memoryLogger, silentLogger } from './logger.js';
export { closedPort, portAnswers, startTcpProxy, type TcpProxy } from './tcp-proxy.js';
export { randomSuffix } from './ids.js';
export { until } from './until.js';
export { ROLE_KEYS } from './keys.js';
