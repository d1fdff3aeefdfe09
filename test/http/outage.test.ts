import { afterAll, beforeAll, expect, it } from 'vitest';
import { REDIS_URL } from '../support/env.ts';
import { createTestDatabase, signUp, startTestApp, type TestApp, type TestDatabase } from '../support/harness.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

let t: TestApp;
let db: TestDatabase;
const pgProxy = new TcpProxy({ host: '127.0.0.1', port: 5432 });
const redisProxy = new TcpProxy({ host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) });

beforeAll(async () => {
  db = await createTestDatabase();
  await pgProxy.start();
  await redisProxy.start();
  const dbUrl = new URL(db.url);
  dbUrl.port = String(pgProxy.port);
  const redisUrl = new URL(REDIS_URL);
  redisUrl.port = String(redisProxy.port);
  t = await startTestApp({ DATABASE_URL: dbUrl.toString(), REDIS_URL: redisUrl.toString() });
});
afterAll(async () => {
  await t.close();
  await db.drop();
});

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('a database outage gives 503 database_unavailable, /health names it, and the app recovers by itself', async () => {
  const agent = t.client();
  await signUp(agent);
  expect((await agent.post('/v1/contacts').send({ firstName: 'Before' })).status).toBe(201);

  await pgProxy.cut();
  const during = await agent.get('/v1/contacts');
  expect(during.status).toBe(503);
  expect(during.body.code).toBe('database_unavailable');
  expect(during.headers['retry-after']).toBe('5');
  const write = await agent.post('/v1/contacts').send({ firstName: 'During' });
  expect(write.status).toBe(503);
  const health = await t.client().get('/health');
  expect(health.status).toBe(503);
  expect(health.body).toEqual({ status: 'unavailable', checks: { database: 'unavailable', sessions: 'ok' } });

  await pgProxy.restore();
  const after = await eventually(() => agent.get('/v1/contacts'), (r) => r.status === 200);
  expect(after.status).toBe(200);
  // Nothing half-written: the contact from before is there, the refused one is not.
  expect(after.body.items.map((c: { firstName: string }) => c.firstName)).toEqual(['Before']);
  expect((await t.client().get('/health')).status).toBe(200);
});

it('a Redis outage gives 503 sessions_unavailable, /health names it, and the app recovers by itself', async () => {
  const agent = t.client();
  await signUp(agent);

  await redisProxy.cut();
  const during = await agent.get('/v1/contacts');
  expect(during.status).toBe(503);
  expect(during.body.code).toBe('sessions_unavailable');
  const login = await t.client().post('/v1/auth/login').send({ email: 'someone@example.test', password: 'whatever1' });
  expect(login.status).toBe(503);
  const health = await t.client().get('/health');
  expect(health.status).toBe(503);
  expect(health.body.checks).toEqual({ database: 'ok', sessions: 'unavailable' });

  await redisProxy.restore();
  const after = await eventually(() => agent.get('/v1/contacts'), (r) => r.status === 200);
  expect(after.status).toBe(200); // the session survived: it lives in Redis, not in the connection
  expect((await t.client().get('/health')).status).toBe(200);
});
