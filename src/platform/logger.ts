import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stderr, so that stdout stays free for `--json` output. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'patron' } }, pino.destination(2));
}
