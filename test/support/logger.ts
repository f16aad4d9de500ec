/** Loggers for tests: silent by default; `memoryLogger` keeps parsed lines to assert on. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../platform/logger.js';

export function silentLogger(): Logger {
  return createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
}

export function memoryLogger(level = 'debug'): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines: () => lines };
}
