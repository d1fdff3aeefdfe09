import { afterAll, beforeAll, expect, it } from 'vitest';
import { signUp, type TestApp } from '../support/harness.ts';
import { eventually, startProxiedApp, type ProxiedApp } from '../support/proxied-app.ts';

/*
 * A dependency that accepts connections and then says nothing (SIGSTOP, a
 * black-holed route) must cost a request seconds, not minutes: every Redis
 * command and every database statement has a deadline (2 s and 5 s), and the
 * app recovers by itself when the dependency speaks again.
 */

let app: ProxiedApp;
let t: TestApp;

beforeAll(async () => {
  app = await startProxiedApp();
  t = app.t;
});
afterAll(() => app.close());

async function timed<T>(fn: () => PromiseLike<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  const ms = performance.now() - started;
  return { value, ms };
}

it('a hung Redis: 503 sessions_unavailable within seconds for reads, writes and logins, then recovery', async () => {
  const agent = t.client();
  await signUp(agent);
  expect((await agent.get('/v1/contacts')).status).toBe(200);

  app.redisProxy.hang();
  const list = await timed(() => agent.get('/v1/contacts'));
  expect(list.value.status).toBe(503);
  expect(list.value.body.code).toBe('sessions_unavailable');
  expect(list.ms).toBeLessThan(4_000);
  // Several at once: none waits for another's deadline.
  const many = await timed(() => Promise.all(Array.from({ length: 5 }, () => agent.post('/v1/contacts').send({ firstName: 'During' }))));
  expect(many.value.map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
  expect(many.ms).toBeLessThan(4_000);
  const login = await timed(() => t.client().post('/v1/auth/login').send({ email: 'someone@example.test', password: 'whatever1' }));
  expect(login.value.status).toBe(503);
  expect(login.ms).toBeLessThan(4_000);
  const health = await timed(() => t.client().get('/health'));
  expect(health.value.status).toBe(503);
  expect(health.value.body.checks).toEqual({ database: 'ok', sessions: 'unavailable' });
  // The load balancer's check asks only whether this task can serve: it stays healthy.
  const live = await timed(() => t.client().get('/health/live'));
  expect(live.value.status).toBe(200);
  expect(live.value.body).toEqual({ status: 'ok' });
  expect(live.value.headers['set-cookie']).toBeUndefined();
  expect(live.ms).toBeLessThan(500);

  app.redisProxy.resume();
  const after = await eventually(
    () => agent.get('/v1/contacts'),
    (r) => r.status === 200,
  );
  expect(after.status).toBe(200);
  expect(after.body.items).toEqual([]); // the refused creates left nothing behind
  expect((await t.client().get('/health')).status).toBe(200);
});

it('a hung PostgreSQL: 503 database_unavailable within seconds for list, create, PATCH and delete, then recovery', async () => {
  const agent = t.client();
  await signUp(agent);
  const created = await agent.post('/v1/contacts').send({ firstName: 'Before' });
  expect(created.status).toBe(201);
  const id = created.body.id as string;

  app.pgProxy.hang();
  for (const send of [
    () => agent.get('/v1/contacts'),
    () => agent.get(`/v1/contacts/${id}`),
    () => agent.post('/v1/contacts').send({ firstName: 'During' }),
    () => agent.patch(`/v1/contacts/${id}`).set('If-Match', created.headers.etag!).send({ firstName: 'Changed' }),
    () => agent.delete(`/v1/contacts/${id}`),
  ]) {
    const r = await timed(send);
    expect(r.value.status, JSON.stringify(r.value.body)).toBe(503);
    expect(r.value.body.code).toBe('database_unavailable');
    expect(r.ms).toBeLessThan(12_000);
  }
  expect((await t.client().get('/health')).body.checks).toEqual({ database: 'unavailable', sessions: 'ok' });
  expect((await t.client().get('/health/live')).status).toBe(200);

  app.pgProxy.resume();
  const after = await eventually(
    () => agent.get('/v1/contacts'),
    (r) => r.status === 200,
    20_000,
  );
  expect(after.status).toBe(200);
  // Nothing that was refused was written; the contact from before is intact.
  expect(after.body.items.map((c: { firstName: string }) => c.firstName)).toEqual(['Before']);
  // Every pooled connection is usable again: a burst of writes all succeed.
  const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => agent.post('/v1/contacts').send({ firstName: `After ${i}` })));
  expect(burst.map((r) => r.status)).toEqual(Array(12).fill(201));
  expect((await t.client().get('/health')).status).toBe(200);
}, 90_000);
