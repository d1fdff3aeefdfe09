import supertest from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../app/create-app.ts';
import { DependencyUnavailable } from '../../app/http/problem.ts';
import { USER_SESSIONS_PREFIX } from '../../app/sessions/registry.ts';
import { SESSION_PREFIX } from '../../app/sessions/store.ts';
import { PASSWORD, sessionIdFromCookie, signUp, startTestApp, uniqueEmail, type TestApp } from '../support/harness.ts';

// The account page's routes: the name, the password, signing out everywhere.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const NEW_PASSWORD = 'a brand new passphrase';
const cookieOf = (res: { headers: Record<string, unknown> }) =>
  ((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('cf.sid='));

it('PATCH /v1/auth/me changes the name, validated like sign-up', async () => {
  const agent = t.client();
  await signUp(agent);
  const res = await agent.patch('/v1/auth/me').send({ name: '  Grace Hopper ' });
  expect(res.status).toBe(200);
  expect(res.body.user.name).toBe('Grace Hopper');
  expect((await agent.get('/v1/auth/me')).body.user.name).toBe('Grace Hopper');
  const bad = await agent.patch('/v1/auth/me').send({ name: '', email: 'x@example.org' });
  expect(bad.status).toBe(400);
  expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'name' })]));
  expect((await agent.patch('/v1/auth/me').send({ name: 'x'.repeat(101) })).status).toBe(400);
  expect((await t.client().patch('/v1/auth/me').send({ name: 'Nobody' })).status).toBe(401);
});

it('POST /v1/auth/password checks the current password, ends every other session and keeps this one under a new id', async () => {
  const email = uniqueEmail('password');
  const laptop = t.client();
  const phone = t.client();
  const user = await signUp(laptop, email);
  const login = await phone.post('/v1/auth/login').send({ email, password: PASSWORD });
  expect(login.status).toBe(200);
  const phoneSid = sessionIdFromCookie(cookieOf(login)!);

  const wrong = await laptop.post('/v1/auth/password').send({ currentPassword: 'not it at all', newPassword: NEW_PASSWORD });
  expect(wrong.status).toBe(403);
  expect(wrong.body).toMatchObject({
    code: 'wrong_password',
    errors: [{ path: 'currentPassword', message: 'is not your current password' }],
  });
  expect((await phone.get('/v1/contacts')).status).toBe(200);

  const short = await laptop.post('/v1/auth/password').send({ currentPassword: PASSWORD, newPassword: 'short' });
  expect(short.status).toBe(400);
  expect(short.body.errors).toEqual([expect.objectContaining({ path: 'newPassword', message: 'must be at least 8 characters' })]);

  const changed = await laptop.post('/v1/auth/password').send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
  expect(changed.status).toBe(200);
  expect(changed.body.user.email).toBe(email);
  // A new session id for this browser, which stays signed in.
  const laptopSid = sessionIdFromCookie(cookieOf(changed)!);
  expect((await laptop.get('/v1/contacts')).status).toBe(200);
  // The other device is signed out, in Redis too.
  expect((await phone.get('/v1/contacts')).status).toBe(401);
  expect(await t.redis.exists(`${SESSION_PREFIX}${phoneSid}`)).toBe(0);
  expect(await t.redis.sMembers(`${USER_SESSIONS_PREFIX}${user.id}`)).toEqual([laptopSid]);
  // Only the new password signs in.
  expect((await t.client().post('/v1/auth/login').send({ email, password: PASSWORD })).status).toBe(401);
  expect((await t.client().post('/v1/auth/login').send({ email, password: NEW_PASSWORD })).status).toBe(200);
});

it('guessing the current password through a session is limited like sign-in', async () => {
  const agent = t.client();
  await signUp(agent);
  let last = 0;
  for (let i = 0; i < 12 && last !== 429; i++) {
    last = (await agent.post('/v1/auth/password').send({ currentPassword: `guess number ${i}`, newPassword: NEW_PASSWORD })).status;
  }
  expect(last).toBe(429);
  // Even the right password waits now.
  const right = await agent.post('/v1/auth/password').send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
  expect(right.status).toBe(429);
  expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
});

it('POST /v1/auth/logout-all signs out every session, this one included', async () => {
  const email = uniqueEmail('everywhere');
  const laptop = t.client();
  const phone = t.client();
  const user = await signUp(laptop, email);
  expect((await phone.post('/v1/auth/login').send({ email, password: PASSWORD })).status).toBe(200);
  const res = await laptop.post('/v1/auth/logout-all');
  expect(res.status).toBe(204);
  expect((await laptop.get('/v1/auth/me')).status).toBe(401);
  expect((await phone.get('/v1/auth/me')).status).toBe(401);
  expect(await t.redis.exists(`${USER_SESSIONS_PREFIX}${user.id}`)).toBe(0);
  // The account itself is still there.
  expect((await t.client().post('/v1/auth/login').send({ email, password: PASSWORD })).status).toBe(200);
  expect((await t.client().post('/v1/auth/logout-all')).status).toBe(401);
});

it('when the session store cannot end the other sessions, the password is not changed (503, then the old one still works)', async () => {
  const email = uniqueEmail('store-down');
  const deps = t.runtime.deps;
  // The same app and stores, but a session registry that fails to end sessions (Redis gone mid-request).
  const app = createApp({ ...deps, sessions: { ...deps.sessions, endAll: () => Promise.reject(new DependencyUnavailable('sessions')) } });
  const agent = supertest.agent(app).set('X-Forwarded-For', '10.77.0.1');
  expect((await agent.post('/v1/auth/signup').send({ email, password: PASSWORD, name: 'S' })).status).toBe(201);
  const res = await agent.post('/v1/auth/password').send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
  expect([res.status, res.body.code]).toEqual([503, 'sessions_unavailable']);
  expect((await t.client().post('/v1/auth/login').send({ email, password: PASSWORD })).status).toBe(200);
  expect((await t.client().post('/v1/auth/login').send({ email, password: NEW_PASSWORD })).status).toBe(401);
});
