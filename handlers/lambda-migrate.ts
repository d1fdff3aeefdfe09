import { sslOptions } from '../app/db/ssl.ts';
import { applyMigrations, type MigrationResult } from '../app/db/migrate.ts';
import { loadConfig, MIGRATIONS_DIR } from './config.ts';

/*
 * The deploy-time migration function: the CDK Trigger invokes it before the
 * ECS service (and the Lambda variant) takes new traffic. Any event works;
 * a failure fails the deployment.
 */
export async function handler(): Promise<MigrationResult> {
  const config = await loadConfig(process.env);
  if (!config.database.url) throw new Error('DATABASE_URL or PGHOST: required to migrate');
  return applyMigrations(config.database.url, MIGRATIONS_DIR, sslOptions(config.database.sslMode));
}
