import { PrismaPg } from '@prisma/adapter-pg';
import { readReplicas } from '@prisma/extension-read-replicas';
import pg from 'pg';
import type { DatabaseConfig } from '../config/schema.ts';
import { sslOptions } from './ssl.ts';
import { PrismaClient } from './generated/client.ts';

export type { PrismaClient };

export interface DatabaseHandle {
  /** Writer client, extended to send reads to the replica when one is configured. */
  prisma: PrismaClient;
  /** The pool plain reads may use directly: the replica's when one is configured, else the writer's. */
  readPool: pg.Pool;
  /** Cheap liveness probe of the writer, used by /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

function poolConfig(url: string, db: Pick<DatabaseConfig, 'sslMode' | 'poolMax'>): pg.PoolConfig {
  return {
    connectionString: url,
    max: db.poolMax,
    // Fail fast while the database is unreachable, so callers get a 503
    // instead of a request that hangs until the ALB gives up.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    query_timeout: 15_000,
    ssl: sslOptions(db.sslMode),
  };
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
  const writerPool = new pg.Pool(poolConfig(db.url, db));
  // Queued ahead of anything the new client runs.
  if (db.sharedSession) writerPool.on('connect', (client) => void client.query('DEALLOCATE ALL').catch(() => undefined));
  // An idle client losing its connection emits 'error' on the pool; without
  // a listener that would crash the process during a database outage.
  writerPool.on('error', (err) => onPoolError?.(err));
  const writer = new PrismaClient({ adapter: new PrismaPg(writerPool) });

  let readerPool: pg.Pool | undefined;
  let reader: PrismaClient | undefined;
  let prisma: PrismaClient = writer;
  if (db.readerUrl) {
    readerPool = new pg.Pool(poolConfig(db.readerUrl, db));
    readerPool.on('error', (err) => onPoolError?.(err));
    reader = new PrismaClient({ adapter: new PrismaPg(readerPool) });
    // The extended client has the same model API; transactions and writes
    // stay on the writer, plain reads go to the replica.
    prisma = writer.$extends(readReplicas({ replicas: [reader] })) as unknown as PrismaClient;
  }

  return {
    prisma,
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
      await writer.$disconnect();
      await reader?.$disconnect();
      await writerPool.end();
      await readerPool?.end();
    },
  };
}
