import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { USER_SESSIONS_PREFIX } from '../../app/sessions/registry.ts';
import { SESSION_PREFIX } from '../../app/sessions/store.ts';
import { PASSWORD, sessionIdFromCookie, signUp, startTestApp, uniqueEmail, type TestApp } from '../support/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('signup', () => {
  it('creates the user, returns it without secrets and sets an HttpOnly SameSite=Lax session cookie', async () => {
    const email = uniqueEmail('Signup');
    const res = await t.client().post('/v1/auth/signup').send({ email, password: PASSWORD, name: '  Ada Lovelace ' });
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({
      id: expect.any(String),
      email: email.toLowerCase(),
      name: 'Ada Lovelace',
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password|scrypt/i);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('cf.sid='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // not production
    const sid = sessionIdFromCookie(res.headers['set-cookie']);
    expect(await t.redis.exists(`${SESSION_PREFIX}${sid}`)).toBe(1);
  });

  it('stores a scrypt hash, never the password', async () => {
    const email = uniqueEmail();
    await signUp(t.client(), email);
    const stored = await t.runtime.deps.users.findByEmail(email);
    expect(stored?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored?.passwordHash).not.toContain(PASSWORD);
  });

  it('rejects invalid fields with a problem listing each field', async () => {
    const res = await t.client().post('/v1/auth/signup').send({ email: 'not-an-email', password: 'short', name: '' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: 'validation_failed', title: 'Bad Request' });
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'name', 'password']);
  });

  it('rejects unknown fields', async () => {
    const res = await t.client().post('/v1/auth/signup').send({ email: uniqueEmail(), password: PASSWORD, name: 'X', admin: true });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'admin', message: 'unknown field' }]);
  });

  it('answers 409 email_taken for an existing email in any letter case', async () => {
    const email = uniqueEmail('taken');
    await signUp(t.client(), email);
    const res = await t.client().post('/v1/auth/signup').send({ email: email.toUpperCase(), password: PASSWORD, name: 'Again' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('email_taken');
  });
});

describe('login', () => {
  it('signs in and issues a new session id', async () => {
    const email = uniqueEmail();
    const agent = t.client();
    const signup = await agent.post('/v1/auth/signup').send({ email, password: PASSWORD, name: 'L' });
    const before = sessionIdFromCookie(signup.headers['set-cookie']);
    const res = await agent.post('/v1/auth/login').send({ email: email.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(email);
    const after = sessionIdFromCookie(res.headers['set-cookie']);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    // The pre-login session is gone, so a stolen pre-login id is worthless.
    expect(await t.redis.exists(`${SESSION_PREFIX}${before}`)).toBe(0);
    expect((await agent.get('/v1/auth/me')).body.user.email).toBe(email);
  });

  it('answers 401 invalid_credentials for a wrong password and for an unknown email alike', async () => {
    const email = uniqueEmail();
    await signUp(t.client(), email);
    const wrong = await t.client().post('/v1/auth/login').send({ email, password: 'wrong password' });
    const unknown = await t
      .client()
      .post('/v1/auth/login')
      .send({ email: uniqueEmail('nobody'), password: PASSWORD });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_credentials');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('after 10 failed logins for one account from one address, that address gets 429 too_many_attempts with Retry-After; the owner elsewhere still signs in', async () => {
    const email = uniqueEmail('locked');
    await signUp(t.client(), email);
    const attacker = t.client();
    for (let i = 0; i < 10; i++) {
      const res = await attacker.post('/v1/auth/login').send({ email, password: `wrong ${i}` });
      expect(res.status).toBe(401);
    }
    const blocked = await attacker.post('/v1/auth/login').send({ email, password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('too_many_attempts');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(900);
    // A stranger's guesses do not lock the owner out (OWASP): another address signs in.
    expect((await t.client().post('/v1/auth/login').send({ email, password: PASSWORD })).status).toBe(200);
  });

  it('limits one client IP trying many accounts', async () => {
    const agent = t.client();
    for (let i = 0; i < 50; i++) {
      const res = await agent.post('/v1/auth/login').send({ email: uniqueEmail('spray'), password: 'guess' });
      expect(res.status).toBe(401);
    }
    const email = uniqueEmail('victim');
    await signUp(t.client(), email);
    expect((await agent.post('/v1/auth/login').send({ email, password: PASSWORD })).status).toBe(429);
    // Another client is unaffected.
    expect((await t.client().post('/v1/auth/login').send({ email, password: PASSWORD })).status).toBe(200);
  });

  it('a successful login resets the account counter', async () => {
    const email = uniqueEmail();
    await signUp(t.client(), email);
    for (let i = 0; i < 9; i++) await t.client().post('/v1/auth/login').send({ email, password: 'nope' });
    expect((await t.client().post('/v1/auth/login').send({ email, password: PASSWORD })).status).toBe(200);
    for (let i = 0; i < 9; i++) await t.client().post('/v1/auth/login').send({ email, password: 'nope' });
    expect((await t.client().post('/v1/auth/login').send({ email, password: PASSWORD })).status).toBe(200);
  });
});

describe('logout and me', () => {
  it('logout answers 204, deletes the session from Redis and the old cookie stops working', async () => {
    const agent = t.client();
    const signup = await agent.post('/v1/auth/signup').send({ email: uniqueEmail(), password: PASSWORD, name: 'Out' });
    const rawCookie = (signup.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
    const sid = sessionIdFromCookie(signup.headers['set-cookie']);
    expect(await t.redis.exists(`${SESSION_PREFIX}${sid}`)).toBe(1);

    const out = await agent.post('/v1/auth/logout');
    expect(out.status).toBe(204);
    expect(await t.redis.exists(`${SESSION_PREFIX}${sid}`)).toBe(0);
    // Replaying the captured cookie (as a thief would) no longer authenticates.
    const replay = await t.client().get('/v1/auth/me').set('Cookie', rawCookie);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('unauthenticated');
  });

  it('logout without a session is still 204', async () => {
    expect((await t.client().post('/v1/auth/logout')).status).toBe(204);
  });

  it('DELETE /v1/auth/me removes the account, its contacts and the session', async () => {
    const agent = t.client();
    const email = uniqueEmail('leaver');
    const signup = await agent.post('/v1/auth/signup').send({ email, password: PASSWORD, name: 'Leaver' });
    const sid = sessionIdFromCookie(signup.headers['set-cookie']);
    await agent.post('/v1/contacts').send({ firstName: 'Left behind' });
    const usersBefore = await t.runtime.deps.users.count();
    const res = await agent.delete('/v1/auth/me');
    expect(res.status).toBe(204);
    expect(await t.runtime.deps.users.count()).toBe(usersBefore - 1);
    expect(await t.runtime.deps.users.findByEmail(email)).toBeNull();
    expect(await t.redis.exists(`${SESSION_PREFIX}${sid}`)).toBe(0);
    expect((await agent.get('/v1/auth/me')).status).toBe(401);
    expect((await t.client().post('/v1/auth/login').send({ email, password: PASSWORD })).status).toBe(401);
    // The address is free again.
    expect((await t.client().post('/v1/auth/signup').send({ email, password: PASSWORD, name: 'Back' })).status).toBe(201);
  });

  it('DELETE /v1/auth/me ends every session of the account, not only the one that asked', async () => {
    const email = uniqueEmail('everywhere');
    const phone = t.client();
    const laptop = t.client();
    const user = await signUp(phone, email);
    expect((await laptop.post('/v1/auth/login').send({ email, password: PASSWORD })).status).toBe(200);
    expect((await laptop.get('/v1/contacts')).status).toBe(200);
    expect((await phone.delete('/v1/auth/me')).status).toBe(204);
    // The other session is gone: a 401, not an empty list or a foreign-key 500.
    const list = await laptop.get('/v1/contacts');
    expect(list.status).toBe(401);
    expect(list.body.code).toBe('unauthenticated');
    expect((await laptop.post('/v1/contacts').send({ firstName: 'Orphan' })).status).toBe(401);
    expect((await laptop.post('/v1/contacts/import').set('Content-Type', 'text/csv').send('First Name\nOrphan\n')).status).toBe(401);
    // Nothing is left of the account in Redis.
    expect(await t.redis.exists(`${USER_SESSIONS_PREFIX}${user.id}`)).toBe(0);
  });

  it('a session whose account vanished under it gets 401 unauthenticated for creates and imports, not a 500', async () => {
    const agent = t.client();
    const user = await signUp(agent);
    // Deleted behind the app's back (an operator, or a delete racing this request).
    const pg = new Client({ connectionString: t.database.url });
    await pg.connect();
    try {
      await pg.query('DELETE FROM "users" WHERE "id" = $1', [user.id]);
    } finally {
      await pg.end();
    }
    const create = await agent.post('/v1/contacts').send({ firstName: 'Orphan' });
    expect(create.status).toBe(401);
    expect(create.body.code).toBe('unauthenticated');
    const imported = await agent.post('/v1/contacts/import').set('Content-Type', 'text/csv').send('First Name\nOrphan\n');
    expect(imported.status).toBe(401);
  });

  it('DELETE /v1/auth/me needs a session', async () => {
    expect((await t.client().delete('/v1/auth/me')).status).toBe(401);
  });

  it('me answers 401 unauthenticated without a session', async () => {
    const res = await t.client().get('/v1/auth/me');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'unauthenticated', status: 401 });
  });
});
