import pg from 'pg';
import { createClient } from 'redis';
import { PG_ADMIN_URL, REDIS_URL } from './env.ts';

/** A test database older than this was left by an interrupted run, not made by one still going. */
const LEFTOVER_AFTER_MS = 6 * 60 * 60 * 1000;

/**
 * Fails fast, naming what is missing, when PostgreSQL or Redis is not up.
 * Other runs may share both servers: nothing here flushes Redis or drops a
 * database that a run still going may own.
 */
export default async function setup(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'cf\\_test\\_%'");
    for (const { datname } of rows) {
      const created = /^cf_test_([0-9a-z]+)_[0-9a-f]+$/.exec(datname)?.[1];
      if (created && Date.now() - parseInt(created, 36) * 1000 > LEFTOVER_AFTER_MS) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    }
  } catch (err) {
    throw new Error(`Tests need PostgreSQL at ${PG_ADMIN_URL} (set TEST_DATABASE_URL): ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = createClient({ url: REDIS_URL, socket: { connectTimeout: 3_000, reconnectStrategy: false } });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Tests need Redis at ${REDIS_URL} (set TEST_REDIS_URL): ${(err as Error).message}`);
  } finally {
    if (redis.isOpen) await redis.close();
  }
}
