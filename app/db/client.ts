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
  /** The writer alone, for reads that must see the latest commit (a read before a conditional write). */
  primary: PrismaProvider;
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

/**
 * pg-pool's `pool.query` ends its connection after any error, an SQL one
 * included (it releases the client with the error). Prisma's adapter runs
 * every statement outside a transaction that way, so each create refused at
 * the cap cost a new connection (a TLS handshake on RDS), and on the embedded
 * database, which takes one connection at a time, the next query failed.
 * After an SQL error (the server answered, and is ready for the next
 * statement) the connection is kept; after any other error (a timeout, a
 * broken socket) it is ended, as before.
 */
function keepConnectionsAfterSqlErrors(pool: pg.Pool): void {
  const query = async (config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    const onError = (err: Error) => (broken = err);
    client.once('error', onError);
    try {
      return await client.query(config, values);
    } catch (err) {
      if (!(err instanceof pg.DatabaseError)) broken = err as Error;
      throw err;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  };
  pool.query = query as typeof pool.query;
}

export interface DatabaseTarget extends DatabaseConfig {
  url: string;
  /**
   * The server keeps one session for every connection (the embedded PGlite).
   * Each new connection then starts with DEALLOCATE ALL: the list query's
   * named statements, prepared by an earlier connection, would collide.
   */
  sharedSession?: boolean;
  /**
   * MAX_CONTACTS_PER_USER. Every connection sets it as a session setting, and
   * the insert trigger enforces it (migration 20261206000000_contact_cap_trigger).
   * Unset: no cap.
   */
  maxContactsPerUser?: number;
}

/** The session setting the contacts insert trigger reads the cap from. */
export const CONTACT_CAP_SETTING = 'contactfolio.max_contacts_per_user';

export function createDatabase(db: DatabaseTarget, onPoolError?: (err: Error) => void): DatabaseHandle {
  const writerPool = new pg.Pool({
    ...poolConfig(db.url, db),
    // Awaited before the pool hands the connection out (a fire-and-forget
    // query here made pg warn that the client was queried concurrently).
    onConnect: async (client) => {
      if (db.sharedSession) await client.query('DEALLOCATE ALL');
      if (db.maxContactsPerUser !== undefined) {
        await client.query('SELECT set_config($1, $2, false)', [CONTACT_CAP_SETTING, String(db.maxContactsPerUser)]);
      }
    },
  });
  dropStuckClients(writerPool);
  keepConnectionsAfterSqlErrors(writerPool);
  // An idle client losing its connection emits 'error' on the pool; without
  // a listener that would crash the process during a database outage.
  writerPool.on('error', (err) => onPoolError?.(err));
  let readerPool: pg.Pool | undefined;
  if (db.readerUrl) {
    readerPool = new pg.Pool(poolConfig(db.readerUrl, db));
    dropStuckClients(readerPool);
    keepConnectionsAfterSqlErrors(readerPool);
    readerPool.on('error', (err) => onPoolError?.(err));
  }

  const clients = loadOnce(async (): Promise<{ prisma: PrismaClient; writer: PrismaClient; reader?: PrismaClient }> => {
    const [{ PrismaClient }, { PrismaPg }] = await Promise.all([import('./generated/client.ts'), import('@prisma/adapter-pg')]);
    // errorFormat 'minimal': any other format captures a stack trace on every
    // call, for a call site in error messages that never reach a response.
    const writer = new PrismaClient({ adapter: new PrismaPg(writerPool), errorFormat: 'minimal' });
    if (!readerPool) return { prisma: writer, writer };
    const { readReplicas } = await import('@prisma/extension-read-replicas');
    const reader = new PrismaClient({ adapter: new PrismaPg(readerPool), errorFormat: 'minimal' });
    // The extended client has the same model API; transactions and writes
    // stay on the writer, plain reads go to the replica.
    return { prisma: writer.$extends(readReplicas({ replicas: [reader] })) as unknown as PrismaClient, writer, reader };
  });

  return {
    async prisma() {
      return (await clients()).prisma;
    },
    async primary() {
      return (await clients()).writer;
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
