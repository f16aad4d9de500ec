/**
 * Structured logging with pino. Components take a `Logger` argument and bind their context
 * (request id, correlation id, consumer name) on child loggers, so every line of one request or
 * one message carries the same ids.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** Where lines go; defaults to stdout. Tests pass a memory stream to assert on log lines. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'junction' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
