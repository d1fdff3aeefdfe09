import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { applyMigrations } from '../../app/db/migrate.ts';
import { MIGRATIONS_DIR } from '../../handlers/bootstrap.ts';
import { createTestDatabase, type TestDatabase } from '../support/harness.ts';

/**
 * For tests of a migration over data an earlier version stored: a database of
 * this file's own, and `migrateTo(names)` to bring it to an earlier schema.
 */
export function useEarlierSchema() {
  const ctx = {} as { db: TestDatabase; client: pg.Client };
  beforeAll(async () => {
    ctx.db = await createTestDatabase();
    ctx.client = new pg.Client({ connectionString: ctx.db.url });
    await ctx.client.connect();
  });
  afterAll(async () => {
    await ctx.client.end();
    await ctx.db.drop();
  });
  return Object.assign(ctx, {
    /** Applies only the migrations named, as the earlier version did. */
    async migrateTo(names: string[]) {
      const dir = mkdtempSync(path.join(tmpdir(), 'cf-migrations-'));
      for (const m of names) cpSync(path.join(MIGRATIONS_DIR, m), path.join(dir, m), { recursive: true });
      try {
        await applyMigrations(ctx.db.url, dir);
      } finally {
        rmSync(dir, { recursive: true });
      }
    },
  });
}
