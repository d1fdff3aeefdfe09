import { ConfigError } from '../app/config/schema.ts';
import { sslOptions } from '../app/db/ssl.ts';
import { applyMigrations } from '../app/db/migrate.ts';
import { loadConfig, MIGRATIONS_DIR } from './config.ts';

/*
 * One-off task (npm run migrate, the ECS pre-deploy task): applies
 * prisma/migrations to DATABASE_URL / PG*. The embedded database migrates
 * itself at start, so this needs a real server.
 */
async function main(): Promise<void> {
  const config = await loadConfig(process.env);
  if (!config.database.url) throw new ConfigError(['DATABASE_URL or PGHOST: required to migrate']);
  const result = await applyMigrations(config.database.url, MIGRATIONS_DIR, sslOptions(config.database.sslMode));
  for (const name of result.applied) process.stdout.write(`applied ${name}\n`);
  for (const name of result.modified) process.stdout.write(`warning: ${name} changed after it was applied\n`);
  process.stdout.write(`${result.applied.length} applied, ${result.alreadyApplied.length} already applied\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`migrate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
