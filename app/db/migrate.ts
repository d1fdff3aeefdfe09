import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { refreshSearchKeys } from '../contacts/refresh-search-keys.ts';

/*
 * Applies prisma/migrations/<name>/migration.sql the way `prisma migrate
 * deploy` does: in name order, once each, recorded in Prisma's own
 * `_prisma_migrations` table with Prisma's checksum (sha256 of the file) and
 * under Prisma's advisory lock. It exists because the Prisma CLI needs a
 * schema-engine binary that cannot be downloaded on every machine we run on
 * (CI, the embedded default, Lambda); a database migrated here is one that
 * `prisma migrate deploy` later sees as up to date, and vice versa.
 *
 * Where it differs from Prisma's engine (prisma/prisma-engines), on purpose:
 * - Each file runs in a transaction with its own record, so a failing file
 *   leaves nothing behind and the next run simply tries again. Prisma sends
 *   the file as one simple query and, on failure, leaves an unfinished row
 *   that blocks every later deploy until `prisma migrate resolve` (P3009).
 *   Our embedded database migrates itself at every start; a half-applied
 *   file there would stop the app. So a file may not manage transactions
 *   itself (BEGIN/COMMIT) or use CONCURRENTLY, which needs to run outside one:
 *   such a file is refused before anything runs.
 * - An applied file that changed since is reported in `modified` (Prisma's
 *   `migrate deploy` matches by name only; `migrate dev` compares checksums,
 *   ignoring line endings, as this does).
 * - The advisory lock is waited for at most 10 s, as Prisma does.
 * - `?schema=` in the URL, which Prisma reads as the search path, is refused:
 *   node-postgres ignores it and would migrate another schema. Use
 *   `?options=-c%20search_path%3Dname`, which both honour.
 */

const PRISMA_MIGRATE_LOCK = 72707369;
const LOCK_WAIT_MS = 10_000;

/** sha256 of the file; also of it with LF or CRLF line endings, which count as the same file. */
function checksums(sql: string): string[] {
  const sha = (t: string) => createHash('sha256').update(t).digest('hex');
  return [sha(sql), sha(sql.replace(/\r\n/g, '\n')), sha(sql.replace(/\r?\n/g, '\r\n'))];
}

/** What in a file would break the one-transaction rule: a statement of its own transaction control, or CONCURRENTLY. */
export function transactionProblem(sql: string): string | undefined {
  // Comments, strings and dollar-quoted bodies (a function's BEGIN ... END) are not statements.
  const code = sql
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, '')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/--[^\n]*/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '');
  const found = /(^|;)\s*(BEGIN|COMMIT|ROLLBACK|START\s+TRANSACTION|END)\b|\bCONCURRENTLY\b/i.exec(code);
  return found
    ? found[0]
        .replace(/^[;\s]+/, '')
        .trim()
        .toUpperCase()
    : undefined;
}

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
  /** Applied earlier, but the file has changed since (a warning, as in Prisma). */
  modified: string[];
  /** Contacts whose derived search columns were recomputed (refresh-search-keys.ts). */
  refreshedSearchKeys: number;
}

export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export async function applyMigrations(
  connectionString: string,
  dir: string,
  ssl?: pg.ClientConfig['ssl'],
  { lockWaitMs = LOCK_WAIT_MS }: { lockWaitMs?: number } = {},
): Promise<MigrationResult> {
  const migrations = await readMigrations(dir);
  for (const m of migrations) {
    const problem = transactionProblem(m.sql);
    if (problem) throw new Error(`Migration "${m.name}" uses ${problem}; each migration runs in one transaction (see app/db/migrate.ts).`);
  }
  if (URL.canParse(connectionString) && new URL(connectionString).searchParams.has('schema')) {
    throw new Error('DATABASE_URL has ?schema=, which node-postgres ignores; use ?options=-c%20search_path%3D<schema> instead.');
  }
  // Generous deadlines (a one-off task, and another migrator may hold the
  // lock), but deadlines: a silent server fails the task instead of hanging it.
  const client = new pg.Client({ connectionString, ssl, connectionTimeoutMillis: 10_000, query_timeout: 120_000 });
  await client.connect();
  const result: MigrationResult = { applied: [], alreadyApplied: [], modified: [], refreshedSearchKeys: 0 };
  try {
    await client.query(`SET lock_timeout = ${Math.floor(lockWaitMs)}`);
    try {
      await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    } catch (err) {
      if ((err as { code?: string }).code !== '55P03') throw err;
      throw new Error(`Another migration holds the lock (pg_advisory_lock ${PRISMA_MIGRATE_LOCK}); waited ${lockWaitMs / 1000} s.`, {
        cause: err,
      });
    }
    await client.query('SET lock_timeout = 0');
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const failed = rows.find((r) => r.finished_at === null);
    if (failed) {
      throw new Error(
        `Migration "${failed.migration_name}" failed earlier and is not marked rolled back; resolve it (prisma migrate resolve) before migrating again.`,
      );
    }
    const done = new Map(rows.map((r) => [r.migration_name, r.checksum]));
    for (const m of migrations) {
      const previous = done.get(m.name);
      if (previous !== undefined) {
        result.alreadyApplied.push(m.name);
        if (!checksums(m.sql).includes(previous)) result.modified.push(m.name);
        continue;
      }
      // PostgreSQL DDL is transactional: a failing migration leaves nothing behind.
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
           VALUES ($1, $2, now(), $3, 1, now())`,
          [randomUUID(), m.checksum, m.name],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`Migration "${m.name}" failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      result.applied.push(m.name);
    }
    // Still under the lock, so two migrators do not both rewrite the rows.
    result.refreshedSearchKeys = await refreshSearchKeys(client);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => undefined);
    await client.end();
  }
  return result;
}
