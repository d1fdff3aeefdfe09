import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { ConfigError, parseConfig, type Config } from '../app/config/schema.ts';
import { loadSecretsManagerSdk, readDeploymentSecrets, SECRETS_HTTP_TIMEOUTS } from '../app/config/secrets.ts';
import { applyMigrations, type MigrationResult } from '../app/db/migrate.ts';
import { sslOptions } from '../app/db/ssl.ts';

/*
 * Reading the environment, for every entry point. Kept apart from
 * bootstrap.ts so the migration function bundles without the app.
 */

/**
 * The migrations folder: `migrations/` beside the Lambda bundle (its zip
 * ships them there), else prisma/migrations one level up (handlers/*.ts and
 * dist/*.mjs alike).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_DIR = [path.join(here, 'migrations'), path.resolve(here, '../prisma/migrations')].find((d) =>
  existsSync(d),
) ?? path.resolve(here, '../prisma/migrations');

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
      paths: ['password', '*.password', 'passwordHash', '*.passwordHash', 'sessionSecret', '*.sessionSecret', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
    },
    pino.destination(opts.buffered ? { dest: 1, sync: false, minLength: 4096 } : { dest: 1, sync: true }),
  );
  if (opts.buffered) setInterval(() => logger.flush(), 1_000).unref();
  return logger;
}

/** process.env, with the Secrets Manager values filled in when SECRETS_ID is set (env wins). */
export async function loadConfig(env: NodeJS.ProcessEnv): Promise<Config> {
  if (!env.SECRETS_ID) return parseConfig(env);
  const { SecretsManagerClient } = await loadSecretsManagerSdk();
  const secrets = await readDeploymentSecrets(new SecretsManagerClient({ requestHandler: SECRETS_HTTP_TIMEOUTS }), env.SECRETS_ID);
  const merged: Record<string, string | undefined> = { ...secrets };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') merged[k] = v;
  return parseConfig(merged);
}

/**
 * Applies prisma/migrations to the configured database: the migrate task,
 * the deploy-time function and the Lambda `migrate` action. The embedded
 * database migrates itself at start, so this needs a real server.
 */
export async function migrateConfiguredDatabase(env: NodeJS.ProcessEnv): Promise<MigrationResult> {
  const config = await loadConfig(env);
  if (!config.database.url) throw new ConfigError(['DATABASE_URL or PGHOST: required to migrate']);
  return applyMigrations(config.database.url, MIGRATIONS_DIR, sslOptions(config.database.sslMode, config.database.sslRootCert));
}
