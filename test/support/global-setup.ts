import pg from 'pg';
import { createClient } from 'redis';
import { PG_ADMIN_URL, REDIS_URL } from './env.ts';

/** Fails fast, naming what is missing, when PostgreSQL or Redis is not up. */
export default async function setup(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    // Leftovers of an interrupted earlier run.
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'cf_test_%'");
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } catch (err) {
    throw new Error(`Tests need PostgreSQL at ${PG_ADMIN_URL} (set TEST_DATABASE_URL): ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = createClient({ url: REDIS_URL, socket: { connectTimeout: 3_000, reconnectStrategy: false } });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.flushDb();
  } catch (err) {
    throw new Error(`Tests need Redis at ${REDIS_URL} (set TEST_REDIS_URL): ${(err as Error).message}`);
  } finally {
    if (redis.isOpen) await redis.close();
  }
}
