import { migrateConfiguredDatabase } from './migrate-database.ts';

/* One-off task (npm run migrate): applies prisma/migrations to DATABASE_URL / PG*. */
async function main(): Promise<void> {
  const result = await migrateConfiguredDatabase(process.env);
  for (const name of result.applied) process.stdout.write(`applied ${name}\n`);
  for (const name of result.modified) process.stdout.write(`warning: ${name} changed after it was applied\n`);
  process.stdout.write(
    `${result.applied.length} applied, ${result.alreadyApplied.length} already applied, ${result.refreshedSearchKeys} contacts reindexed for search\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`migrate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
