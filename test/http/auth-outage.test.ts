import session from 'express-session';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMemorySessionRegistry } from '../../app/sessions/registry.ts';
import { PASSWORD, uniqueEmail, type TestApp } from '../support/harness.ts';
import { eventually, startProxiedApp, type ProxiedApp } from '../support/proxied-app.ts';

/*
 * Sign-up is all or nothing from the user's side: when the session cannot be
 * stored, no account is left behind (a retry would get 409 email_taken) and
 * no place under MAX_USERS is used up.
 */

let app: ProxiedApp;
let t: TestApp;

beforeAll(async () => {
  app = await startProxiedApp({ MAX_USERS: '1' });
  t = app.t;
});
afterAll(() => app.close());

it('a sign-up during a Redis outage is a 503 that leaves no account: the retry after it gets 201, not 409, and the one place is still free', async () => {
  const email = uniqueEmail('outage');
  const agent = t.client();
  await app.redisProxy.cut();
  const during = await agent.post('/v1/auth/signup').send({ email, password: PASSWORD, name: 'Patient' });
  expect(during.status).toBe(503);
  expect(during.body.code).toBe('sessions_unavailable');
  expect(await t.runtime.deps.users.findByEmail(email)).toBeNull();
  expect(await t.runtime.deps.users.count()).toBe(0);

  await app.redisProxy.restore();
  const retry = await eventually(
    () => agent.post('/v1/auth/signup').send({ email, password: PASSWORD, name: 'Patient' }),
    (r) => r.status !== 503,
  );
  expect(retry.status).toBe(201);
  expect((await agent.get('/v1/auth/me')).body.user.email).toBe(email);
}, 30_000);

it('the user store creates nothing when the session cannot be stored inside the transaction', async () => {
  const users = t.runtime.deps.users;
  const email = uniqueEmail('rollback');
  const before = await users.count();
  const failure = new Error('session store refused');
  await expect(
    users.createWithinLimit({ email, name: 'Rolled back', passwordHash: 'scrypt$1$1$1$AA==$AA==' }, 10, async () => {
      throw failure;
    }),
  ).rejects.toBe(failure);
  expect(await users.findByEmail(email)).toBeNull();
  expect(await users.count()).toBe(before);
});

it('the development registry ends every session of a user in the in-memory store', async () => {
  const store = new session.MemoryStore();
  const registry = createMemorySessionRegistry(store);
  const cookie = { originalMaxAge: 60_000 } as session.Cookie;
  for (const id of ['a', 'b', 'c']) {
    await new Promise<void>((resolve) => store.set(id, { cookie, userId: id === 'c' ? 'other' : 'me' }, () => resolve()));
    await registry.add(id === 'c' ? 'other' : 'me', id);
  }
  await registry.endAll('me');
  const get = (id: string) => new Promise((resolve) => store.get(id, (_err, s) => resolve(s ?? null)));
  expect(await get('a')).toBeNull();
  expect(await get('b')).toBeNull();
  expect(await get('c')).not.toBeNull();
});
