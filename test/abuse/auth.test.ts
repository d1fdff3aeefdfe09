import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashLoad } from '../../app/auth/passwords.ts';
import { PASSWORD, signUp, startTestApp, uniqueEmail, type TestApp } from '../support/harness.ts';

/*
 * What an attacker can do to sign-in and sign-up, against the app on real
 * PostgreSQL and Redis: parallel guessing, spreading guesses over many
 * addresses, locking a person out, flooding sign-ups. Loopback only; every
 * loop is bounded.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ MAX_USERS: '1000' });
});
afterAll(() => t.close());

const statuses = (rs: { status: number }[]) =>
  rs.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});

describe('login', () => {
  it('100 parallel logins for one account from one address: at most 10 password checks, the right password among them refused too', async () => {
    const email = uniqueEmail('parallel');
    await signUp(t.client(), email);
    const attacker = t.client(); // one address
    const before = hashLoad().started;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => attacker.post('/v1/auth/login').send({ email, password: i === 76 ? PASSWORD : `guess ${i}` })),
    );
    const counted = statuses(results);
    expect(
      Object.keys(counted)
        .map(Number)
        .every((s) => s === 401 || s === 429 || s === 200),
    ).toBe(true);
    // Each 401 or 200 is one password check; the limit is 10 per account and address.
    expect((counted[401] ?? 0) + (counted[200] ?? 0)).toBeLessThanOrEqual(10);
    expect(counted[429]).toBeGreaterThanOrEqual(90);
    expect(hashLoad().started - before).toBeLessThanOrEqual(10);
    expect(results[76]!.status).not.toBe(200);
    // One address cannot use up the account-wide allowance: the owner, elsewhere, still signs in.
    expect((await t.client().post('/v1/auth/login').send({ email, password: PASSWORD })).status).toBe(200);
  });

  it("200 parallel guesses from 200 addresses: at most 50 password checks; then unknown browsers are refused, and the owner's known browser still signs in", async () => {
    const email = uniqueEmail('spread');
    const owner = t.client();
    await signUp(owner, email); // this browser now holds a device cookie for the account
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        t
          .client()
          .post('/v1/auth/login')
          .send({ email, password: `guess ${i}` }),
      ),
    );
    const counted = statuses(results);
    expect(counted[401] ?? 0).toBeLessThanOrEqual(50);
    expect(counted[429]).toBeGreaterThanOrEqual(150);
    expect(counted[200]).toBeUndefined();

    // The account-wide limit holds for a browser the account never used...
    const stranger = await t.client().post('/v1/auth/login').send({ email, password: PASSWORD });
    expect(stranger.status).toBe(429);
    // ...but the owner's browser, known by its device cookie, is not locked out.
    const known = await owner.post('/v1/auth/login').send({ email, password: PASSWORD });
    expect(known.status).toBe(200);
  });

  it('a device cookie only counts for the account it was issued for, and a forged one is ignored', async () => {
    const a = uniqueEmail('device-a');
    const b = uniqueEmail('device-b');
    const browser = t.client();
    await signUp(browser, a);
    await signUp(t.client(), b);
    // Lock b for unknown browsers.
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        t
          .client()
          .post('/v1/auth/login')
          .send({ email: b, password: `guess ${i}` }),
      ),
    );
    // The browser's cookie is for a, not b: b stays locked there.
    expect((await browser.post('/v1/auth/login').send({ email: b, password: PASSWORD })).status).toBe(429);
    const forged = `cf.dev=${'A'.repeat(22)}.${'B'.repeat(43)}`;
    expect((await t.client().post('/v1/auth/login').set('Cookie', forged).send({ email: b, password: PASSWORD })).status).toBe(429);
  });
});

describe('signup', () => {
  it('is limited per address: the 11th sign-up within the hour gets 429', async () => {
    const agent = t.client();
    for (let i = 0; i < 10; i++) {
      expect((await agent.post('/v1/auth/signup').send({ email: uniqueEmail('burst'), password: PASSWORD, name: 'Burst' })).status).toBe(
        201,
      );
    }
    const refused = await agent.post('/v1/auth/signup').send({ email: uniqueEmail('burst'), password: PASSWORD, name: 'Burst' });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('too_many_attempts');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another address may still sign up.
    expect(
      (
        await t
          .client()
          .post('/v1/auth/signup')
          .send({ email: uniqueEmail('other'), password: PASSWORD, name: 'Other' })
      ).status,
    ).toBe(201);
  });

  it('a full deployment refuses before hashing the password', async () => {
    const full = await startTestApp({ MAX_USERS: '1' });
    try {
      await signUp(full.client());
      const before = hashLoad().started;
      const results = await Promise.all(
        Array.from({ length: 30 }, () =>
          full
            .client()
            .post('/v1/auth/signup')
            .send({ email: uniqueEmail('late'), password: PASSWORD, name: 'Late' }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(30).fill(403));
      expect(hashLoad().started - before).toBe(0);
    } finally {
      await full.close();
    }
  });

  it("a flood of 150 sign-ups does not make a signed-in person's requests fail", async () => {
    const person = t.client();
    await signUp(person);
    await person.post('/v1/contacts').send({ firstName: 'Still here' });
    const flood = Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        t
          .client()
          .post('/v1/auth/signup')
          .send({ email: uniqueEmail(`flood${i}`), password: PASSWORD, name: 'Flood' }),
      ),
    );
    // While the hashes run: lists, a create, the account.
    const during = await Promise.all([
      ...Array.from({ length: 10 }, () => person.get('/v1/contacts')),
      person.post('/v1/contacts').send({ firstName: 'During the flood' }),
      person.get('/v1/auth/me'),
    ]);
    const floodResults = await flood;
    expect(during.map((r) => r.status)).toEqual([...Array(10).fill(200), 201, 200]);
    // Every sign-up got an answer: created, or refused as busy with Retry-After; never a 500.
    for (const r of floodResults) {
      expect([201, 503]).toContain(r.status);
      if (r.status === 503) expect(r.headers['retry-after']).toBeDefined();
    }
    expect(hashLoad().active).toBe(0);
  }, 120_000);
});
