import { REDIS_URL } from './env.ts';
import { createTestDatabase, startTestApp, type TestApp, type TestDatabase } from './harness.ts';
import { TcpProxy } from './tcp-proxy.ts';

/** The test app with its PostgreSQL and Redis reached through proxies a test can cut or hang. */
export interface ProxiedApp {
  t: TestApp;
  pgProxy: TcpProxy;
  redisProxy: TcpProxy;
  close(): Promise<void>;
}

export async function startProxiedApp(env: Record<string, string> = {}): Promise<ProxiedApp> {
  const pgProxy = new TcpProxy({ host: '127.0.0.1', port: 5432 });
  const redisProxy = new TcpProxy({ host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) });
  const db: TestDatabase = await createTestDatabase();
  await pgProxy.start();
  await redisProxy.start();
  const dbUrl = new URL(db.url);
  dbUrl.port = String(pgProxy.port);
  const redisUrl = new URL(REDIS_URL);
  redisUrl.port = String(redisProxy.port);
  const t = await startTestApp({ DATABASE_URL: dbUrl.toString(), REDIS_URL: redisUrl.toString(), ...env });
  return {
    t,
    pgProxy,
    redisProxy,
    async close() {
      pgProxy.resume();
      redisProxy.resume();
      await t.close();
      await db.drop();
      await pgProxy.cut();
      await redisProxy.cut();
    },
  };
}

/** Calls `fn` every 200 ms until `ok` holds or `ms` pass; returns the last value. */
export async function eventually<T>(fn: () => PromiseLike<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}
