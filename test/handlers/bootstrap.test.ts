import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { parseConfig } from '../../app/config/schema.ts';
import { createLogger, startRuntime, type Runtime } from '../../handlers/bootstrap.ts';
import { PG_ADMIN_URL, REDIS_URL } from '../support/env.ts';
import { createTestDatabase, TEST_SESSION_SECRET, withAppName, type TestDatabase } from '../support/harness.ts';

/*
 * Start-up opens the first connection of the pool lists and search read
 * from, so a cold start's first request does not pay for it. The reader URL
 * carries its own application_name to tell its connections apart.
 */
const READER_APP_NAME = 'cf-reader-warm-up';
let db: TestDatabase;
let runtime: Runtime | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await runtime?.close();
  await db.drop();
});

it('opens a connection to the reader during start-up, before any request and without the ORM', async () => {
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    DATABASE_READER_URL: withAppName(db.url, READER_APP_NAME),
    REDIS_URL,
    SESSION_SECRET: TEST_SESSION_SECRET,
    LOG_LEVEL: 'silent',
    MIGRATE_ON_BOOT: 'false',
  });
  runtime = await startRuntime(config, createLogger('silent'), { lazyOrm: true });

  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    const readerConnections = async () =>
      Number(
        (
          await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [
            new URL(db.url).pathname.slice(1),
            READER_APP_NAME,
          ])
        ).rows[0]!.n,
      );
    await vi.waitFor(async () => expect(await readerConnections()).toBe(1), { timeout: 5_000, interval: 50 });
  } finally {
    await admin.end();
  }
});
