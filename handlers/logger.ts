import { pino, type Logger } from 'pino';
import type { Config } from '../app/config/schema.ts';

/**
 * JSON logs on stdout. `buffered` (the long-running server): writes are
 * batched, since a synchronous write per request line cost about 12% of the
 * CPU under load (measured with --cpu-prof); a timer flushes them every
 * second and the server flushes on shutdown. Lambda keeps synchronous writes:
 * an execution environment may be frozen right after it answers.
 */
export function createLogger(level: Config['logLevel'], opts: { buffered?: boolean } = {}): Logger {
  const logger = pino(
    {
      level,
      base: { service: 'contactfolio' },
      // Belt and braces: nothing logs these, and if something ever does, they are masked.
      redact: {
        paths: [
          'password',
          '*.password',
          'passwordHash',
          '*.passwordHash',
          'sessionSecret',
          '*.sessionSecret',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination(opts.buffered ? { dest: 1, sync: false, minLength: 4096 } : { dest: 1, sync: true }),
  );
  if (opts.buffered) setInterval(() => logger.flush(), 1_000).unref();
  return logger;
}
