import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../app/db/migrate.ts';
import { MIGRATIONS_DIR } from '../../handlers/bootstrap.ts';
import { createTestDatabase, type TestDatabase } from '../support/harness.ts';

const MIGRATIONS = ['20261125000000_init', '20261204000000_richer_contacts', '20261205000000_search_notes_tag_case'];
const readBytes = (file: string) => readFileSync(file);

describe('applyMigrations (the offline stand-in for prisma migrate deploy)', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'cf-migrations-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  });
  afterAll(() => db.drop());

  const query = async <T extends pg.QueryResultRow>(sql: string) => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query<T>(sql)).rows;
    } finally {
      await c.end();
    }
  };

  it("applies each migration once and records it in Prisma's table with Prisma's checksum", async () => {
    const first = await applyMigrations(db.url, dir);
    expect(first.applied).toEqual(MIGRATIONS);
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    const checksum = (name: string) =>
      createHash('sha256').update((readBytes(path.join(dir, name, 'migration.sql')))).digest('hex');
    expect(rows).toEqual(
      MIGRATIONS.map((name) => ({ migration_name: name, checksum: checksum(name), finished_at: expect.any(Date), applied_steps_count: 1 })),
    );
    expect(await query("SELECT to_regclass('public.contacts') AS t")).toEqual([{ t: 'contacts' }]);

    const again = await applyMigrations(db.url, dir);
    expect(again).toEqual({ applied: [], alreadyApplied: MIGRATIONS, modified: [], refreshedSearchKeys: 0 });
  });

  it('rolls back a failing migration completely and reports it', async () => {
    const bad = path.join(dir, '20991231000000_bad');
    (await import('node:fs')).mkdirSync(bad);
    writeFileSync(path.join(bad, 'migration.sql'), 'CREATE TABLE "half_done" (id int);\nSELECT no_such_function();\n');
    await expect(applyMigrations(db.url, dir)).rejects.toThrow(/Migration "20991231000000_bad" failed/);
    expect(await query("SELECT to_regclass('public.half_done') AS t")).toEqual([{ t: null }]);
    expect(await query("SELECT count(*)::int AS n FROM _prisma_migrations WHERE migration_name = '20991231000000_bad'")).toEqual([{ n: 0 }]);
    (await import('node:fs')).rmSync(bad, { recursive: true });
  });

  it('flags an applied migration whose file changed', async () => {
    appendFileSync(path.join(dir, '20261125000000_init', 'migration.sql'), '\n-- edited later\n');
    expect((await applyMigrations(db.url, dir)).modified).toEqual(['20261125000000_init']);
  });
});
