import { afterAll, beforeAll, expect, it } from 'vitest';
import { signUp, type TestApp } from '../support/harness.ts';
import { eventually, startProxiedApp, type ProxiedApp } from '../support/proxied-app.ts';

let app: ProxiedApp;
let t: TestApp;

beforeAll(async () => {
  app = await startProxiedApp();
  t = app.t;
});
afterAll(() => app.close());

it('a database outage gives 503 database_unavailable, /health names it, and the app recovers by itself', async () => {
  const agent = t.client();
  await signUp(agent);
  expect((await agent.post('/v1/contacts').send({ firstName: 'Before' })).status).toBe(201);

  await app.pgProxy.cut();
  const during = await agent.get('/v1/contacts');
  expect(during.status).toBe(503);
  expect(during.body.code).toBe('database_unavailable');
  expect(during.headers['retry-after']).toBe('5');
  const write = await agent.post('/v1/contacts').send({ firstName: 'During' });
  expect(write.status).toBe(503);
  // The newer reads and writes too: tags, duplicates, an import.
  for (const res of [
    await agent.get('/v1/tags'),
    await agent.get('/v1/contacts/duplicates'),
    await agent.post('/v1/contacts/import').type('text/csv').send('First Name\nDuring\n'),
  ]) {
    expect([res.status, res.body.code]).toEqual([503, 'database_unavailable']);
  }
  const health = await t.client().get('/health');
  expect(health.status).toBe(503);
  expect(health.body).toEqual({ status: 'unavailable', checks: { database: 'unavailable', sessions: 'ok' } });

  await app.pgProxy.restore();
  const after = await eventually(
    () => agent.get('/v1/contacts'),
    (r) => r.status === 200,
  );
  expect(after.status).toBe(200);
  // Nothing half-written: the contact from before is there, the refused one is not.
  expect(after.body.items.map((c: { firstName: string }) => c.firstName)).toEqual(['Before']);
  expect((await t.client().get('/health')).status).toBe(200);
});

it('a Redis outage gives 503 sessions_unavailable, /health names it, and the app recovers by itself', async () => {
  const agent = t.client();
  await signUp(agent);

  await app.redisProxy.cut();
  const during = await agent.get('/v1/contacts');
  expect(during.status).toBe(503);
  expect(during.body.code).toBe('sessions_unavailable');
  const login = await t.client().post('/v1/auth/login').send({ email: 'someone@example.test', password: 'whatever1' });
  expect(login.status).toBe(503);
  const health = await t.client().get('/health');
  expect(health.status).toBe(503);
  expect(health.body.checks).toEqual({ database: 'ok', sessions: 'unavailable' });

  await app.redisProxy.restore();
  const after = await eventually(
    () => agent.get('/v1/contacts'),
    (r) => r.status === 200,
  );
  expect(after.status).toBe(200); // the session survived: it lives in Redis, not in the connection
  expect((await t.client().get('/health')).status).toBe(200);
});
