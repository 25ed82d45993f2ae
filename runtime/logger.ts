import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';
export type LogLevel = LevelWithSilent;

export interface LoggerOptions {
  level?: LogLevel;
  /** `pretty` for a person at a terminal, `json` for the field (one object per line). Default: pretty on a TTY. */
  format?: 'json' | 'pretty';
  /** Where JSON lines go (default stdout). Tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
}

/**
 * The one root logger of a process. Components get `logger.child({ component })`
 * so every line names where it came from; pino serialises the bindings once.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const format = options.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format === 'pretty' && options.destination === undefined) {
    return pino({
      level,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', destination: 2 },
      },
    });
  }
  const base = { level, base: undefined };
  return options.destination === undefined ? pino(base, pino.destination(2)) : pino(base, options.destination);
}

/** A logger that drops everything, for tests and for embedders that bring their own. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
