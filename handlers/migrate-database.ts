import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDatabaseConfig } from '../app/config/schema.ts';
import { applyMigrations, type MigrationResult } from '../app/db/migrate.ts';
import { sslOptions } from '../app/db/ssl.ts';
import { loadEnv } from './config.ts';

/*
 * Migrating the configured database, for the migrate task, the deploy-time
 * function and the Lambda `migrate` action. Apart from bootstrap.ts so the
 * migration function bundles without the app.
 */

/**
 * The migrations folder: `migrations/` beside the Lambda bundle (its zip
 * ships them there), else prisma/migrations one level up (handlers/*.ts and
 * dist/*.mjs alike).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_DIR =
  [path.join(here, 'migrations'), path.resolve(here, '../prisma/migrations')].find((d) => existsSync(d)) ??
  path.resolve(here, '../prisma/migrations');

/**
 * Applies prisma/migrations to the configured database: the migrate task,
 * the deploy-time function and the Lambda `migrate` action. The embedded
 * database migrates itself at start, so this needs a real server.
 */
export async function migrateConfiguredDatabase(env: NodeJS.ProcessEnv): Promise<MigrationResult> {
  const database = parseDatabaseConfig(await loadEnv(env));
  return applyMigrations(database.url, MIGRATIONS_DIR, sslOptions(database.sslMode, database.sslRootCert));
}
