/*
 * The built server (its own build of dist/server.mjs) with a heap limit, on
 * the machine's PostgreSQL (a scratch database) and Redis, as the hostile
 * benchmarks run it (bench/import-abuse.ts, bench/dav-abuse.ts).
 */
import { randomBytes } from 'node:crypto';
import { buildServer } from '../test/abuse/import-harness.ts';
import { startNode } from '../test/support/process.ts';
import { createScratchDatabase } from './scratch-database.mjs';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/11';

export async function startBuiltServer(heapMiB: number) {
  const build = buildServer();
  const db = await createScratchDatabase();
  const server = await startNode([`--max-old-space-size=${heapMiB}`, build.entry], {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    REDIS_URL,
    SESSION_SECRET: randomBytes(24).toString('hex'),
    LOG_LEVEL: 'info',
    MAX_USERS: '1000',
    TRUST_PROXY: '1',
  });
  return {
    url: server.url,
    pid: server.child.pid!,
    alive: () => server.child.exitCode === null,
    /** /health latencies (ms) with nothing else running: the baseline the shapes are read against. */
    async idleHealth(times = 200): Promise<number[]> {
      const idle: number[] = [];
      for (let i = 0; i < times; i++) {
        const s = performance.now();
        await (await fetch(`${server.url}/health`)).arrayBuffer();
        idle.push(performance.now() - s);
      }
      return idle;
    },
    async close() {
      await server.stop();
      await db.drop();
      build.remove();
    },
  };
}
