import pg from 'pg';
import type { DatabaseConfig } from '../config/schema.ts';
import { loadOnce } from '../load-once.ts';
import { DB_DEADLINES } from './deadlines.ts';
import { sslOptions } from './ssl.ts';
import type { PrismaClient } from './generated/client.ts';

export type { PrismaClient };

/**
 * The Prisma client, loaded and built on first call. Loading its runtime
 * and WebAssembly query compiler took about 40 ms of a 400 ms Lambda cold
 * start, and the everyday first request (the list, search) reads through
 * `readPool` without it.
 */
export type PrismaProvider = () => Promise<PrismaClient>;

export interface DatabaseHandle {
  /** Writer client, extended to send reads to the replica when one is configured. */
  prisma: PrismaProvider;
  /** The pool plain reads may use directly: the replica's when one is configured, else the writer's. */
  readPool: pg.Pool;
  /** Cheap liveness probe of the writer, used by /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

function poolConfig(url: string, db: Pick<DatabaseConfig, 'sslMode' | 'sslRootCert' | 'poolMax'>): pg.PoolConfig {
  return {
    connectionString: url,
    max: db.poolMax,
    // Fail fast while the database is unreachable or silent, so callers get
    // a 503 instead of a request that hangs until the ALB gives up.
    connectionTimeoutMillis: DB_DEADLINES.connectMs,
    idleTimeoutMillis: 30_000,
    // The driver's deadline covers a server that says nothing; PostgreSQL's
    // own cancels a statement that runs too long and frees its locks.
    query_timeout: DB_DEADLINES.statementMs,
    statement_timeout: DB_DEADLINES.statementMs,
    ssl: sslOptions(db.sslMode, db.sslRootCert),
  };
}

/**
 * pg's query_timeout answers the caller but leaves the statement pending on
 * its connection, and Prisma's adapter releases a transaction's connection
 * without an error, so a connection stuck behind a dead statement went back
 * to the pool and hung the next request. End it instead: the pool drops a
 * client that is ending. `_getActiveQuery` is pg 8's own (internal) accessor;
 * a pg without it keeps the old behaviour, and test/http/hung-dependencies
 * fails if the stuck connection comes back.
 */
function dropStuckClients(pool: pg.Pool): void {
  pool.on('release', (err, client) => {
    const pending = (client as unknown as { _getActiveQuery?: () => unknown })._getActiveQuery?.();
    if (!err && pending) void client.end().catch(() => undefined);
  });
}

export interface DatabaseTarget extends DatabaseConfig {
  url: string;
  /**
   * The server keeps one session for every connection (the embedded PGlite).
   * Each new connection then starts with DEALLOCATE ALL: the list query's
   * named statements, prepared by an earlier connection, would collide.
   */
  sharedSession?: boolean;
}

export function createDatabase(db: DatabaseTarget, onPoolError?: (err: Error) => void): DatabaseHandle {
  const writerPool = new pg.Pool({
    ...poolConfig(db.url, db),
    // Awaited before the pool hands the connection out (a fire-and-forget
    // query here made pg warn that the client was queried concurrently).
    onConnect: db.sharedSession ? async (client) => void (await client.query('DEALLOCATE ALL')) : undefined,
  });
  dropStuckClients(writerPool);
  // An idle client losing its connection emits 'error' on the pool; without
  // a listener that would crash the process during a database outage.
  writerPool.on('error', (err) => onPoolError?.(err));
  let readerPool: pg.Pool | undefined;
  if (db.readerUrl) {
    readerPool = new pg.Pool(poolConfig(db.readerUrl, db));
    dropStuckClients(readerPool);
    readerPool.on('error', (err) => onPoolError?.(err));
  }

  const clients = loadOnce(async (): Promise<{ prisma: PrismaClient; writer: PrismaClient; reader?: PrismaClient }> => {
    const [{ PrismaClient }, { PrismaPg }] = await Promise.all([import('./generated/client.ts'), import('@prisma/adapter-pg')]);
    const writer = new PrismaClient({ adapter: new PrismaPg(writerPool) });
    if (!readerPool) return { prisma: writer, writer };
    const { readReplicas } = await import('@prisma/extension-read-replicas');
    const reader = new PrismaClient({ adapter: new PrismaPg(readerPool) });
    // The extended client has the same model API; transactions and writes
    // stay on the writer, plain reads go to the replica.
    return { prisma: writer.$extends(readReplicas({ replicas: [reader] })) as unknown as PrismaClient, writer, reader };
  });

  return {
    async prisma() {
      return (await clients()).prisma;
    },
    readPool: readerPool ?? writerPool,
    async ping() {
      const client = await writerPool.connect();
      try {
        await client.query('SELECT 1');
      } finally {
        client.release();
      }
    },
    async close() {
      const loaded = await clients.started()?.catch(() => undefined);
      await loaded?.writer.$disconnect();
      await loaded?.reader?.$disconnect();
      await writerPool.end();
      await readerPool?.end();
    },
  };
}
