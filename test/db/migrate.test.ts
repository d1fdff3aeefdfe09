import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../app/db/migrate.ts';
import { MIGRATIONS_DIR } from '../../handlers/bootstrap.ts';
import { createTestDatabase, type TestDatabase } from '../support/harness.ts';

const MIGRATIONS = [
  '20261125000000_init',
  '20261204000000_richer_contacts',
  '20261205000000_search_notes_tag_case',
  '20261206000000_contact_cap_trigger',
  '20261207000000_carddav',
  '20261208000000_tombstone_cap',
];
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
      createHash('sha256')
        .update(readBytes(path.join(dir, name, 'migration.sql')))
        .digest('hex');
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
    expect(await query("SELECT count(*)::int AS n FROM _prisma_migrations WHERE migration_name = '20991231000000_bad'")).toEqual([
      { n: 0 },
    ]);
    (await import('node:fs')).rmSync(bad, { recursive: true });
  });

  it('a file that only changed its line endings is the same file, as in prisma migrate dev', async () => {
    const file = path.join(dir, '20261204000000_richer_contacts', 'migration.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));
    expect((await applyMigrations(db.url, dir)).modified).toEqual([]);
  });

  it('flags an applied migration whose file changed', async () => {
    appendFileSync(path.join(dir, '20261125000000_init', 'migration.sql'), '\n-- edited later\n');
    expect((await applyMigrations(db.url, dir)).modified).toEqual(['20261125000000_init']);
  });

  it('refuses a file that manages its own transaction or needs to run outside one, before running anything', async () => {
    const fs = await import('node:fs');
    for (const [name, sql, word] of [
      ['20991231000001_commit', 'CREATE TABLE "early" (id int);\nCOMMIT;\nSELECT no_such_function();\n', 'COMMIT'],
      ['20991231000002_concurrently', 'CREATE INDEX CONCURRENTLY "c_idx" ON "contacts" ("notes");\n', 'CONCURRENTLY'],
    ] as const) {
      const bad = path.join(dir, name);
      fs.mkdirSync(bad);
      writeFileSync(path.join(bad, 'migration.sql'), sql);
      await expect(applyMigrations(db.url, dir)).rejects.toThrow(`Migration "${name}" uses ${word}`);
      fs.rmSync(bad, { recursive: true });
    }
    expect(await query("SELECT to_regclass('public.early') AS t")).toEqual([{ t: null }]);
  });

  it('waits 10 s at most for another migrator, as Prisma does, and says so', async () => {
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(72707369)');
      const started = Date.now();
      await expect(applyMigrations(db.url, dir, undefined, { lockWaitMs: 300 })).rejects.toThrow(
        /Another migration holds the lock \(pg_advisory_lock 72707369\); waited 0.3 s/,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await holder.end();
    }
  });

  it('refuses ?schema=, which node-postgres would ignore', async () => {
    await expect(applyMigrations(`${db.url}?schema=other`, dir)).rejects.toThrow(/\?schema=/);
  });
});

describe('transactionProblem', () => {
  it("finds transaction control and CONCURRENTLY, not a function body's BEGIN ... END or words in strings and comments", async () => {
    const { transactionProblem } = await import('../../app/db/migrate.ts');
    expect(transactionProblem('BEGIN;\nCREATE TABLE t (id int);')).toBe('BEGIN');
    expect(transactionProblem('CREATE TABLE t (id int); commit;')).toBe('COMMIT');
    expect(transactionProblem('CREATE INDEX CONCURRENTLY i ON t (x);')).toBe('CONCURRENTLY');
    expect(
      transactionProblem(
        "DO $$ BEGIN RAISE NOTICE 'x'; END $$;\nCREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;",
      ),
    ).toBeUndefined();
    expect(transactionProblem("-- COMMIT later\nCOMMENT ON TABLE t IS 'BEGIN; COMMIT';")).toBeUndefined();
  });
});
