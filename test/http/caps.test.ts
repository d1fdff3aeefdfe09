import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, signUp, startTestApp, uniqueEmail, type TestApp } from '../support/harness.ts';

describe('MAX_CONTACTS_PER_USER under concurrency', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ MAX_CONTACTS_PER_USER: '50' });
  });
  afterAll(() => t.close());

  it('100 simultaneous creates by one user leave exactly 50 contacts', async () => {
    const agent = t.client();
    await signUp(agent);
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => agent.post('/v1/contacts').send({ firstName: `Person ${i}` })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === 403)).toHaveLength(50);
    expect(results.find((r) => r.status === 403)!.body.code).toBe('contact_limit_reached');
    expect((await agent.get('/v1/contacts?limit=100')).body.total).toBe(50);
    expect((await agent.get('/v1/limits')).body).toMatchObject({ maxContactsPerUser: 50, contacts: 50 });
    // Deleting one makes room for exactly one more.
    const one = (await agent.get('/v1/contacts?limit=1')).body.items[0];
    await agent.delete(`/v1/contacts/${one.id}`);
    expect((await agent.post('/v1/contacts').send({ firstName: 'Again' })).status).toBe(201);
    expect((await agent.post('/v1/contacts').send({ firstName: 'Too many' })).status).toBe(403);
  });

  it('creates racing imports never pass the limit', async () => {
    const agent = t.client();
    await signUp(agent);
    const cards = (tag: string) =>
      Array.from({ length: 20 }, (_, i) => `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${tag} ${i}\r\nEND:VCARD\r\n`).join('');
    const results = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => agent.post('/v1/contacts').send({ firstName: `Single ${i}` })),
      agent.post('/v1/contacts/import').type('text/vcard').send(cards('Merged')),
      agent.post('/v1/contacts/import?duplicates=create').type('text/vcard').send(cards('Created')),
    ]);
    const singles = results.slice(0, 30).filter((r) => r.status === 201).length;
    const imported = results.slice(30).reduce((n, r) => n + (r.body as { imported: number }).imported, 0);
    expect(results.every((r) => [200, 201, 403].includes(r.status))).toBe(true);
    expect(singles + imported).toBe(50);
    expect((await agent.get('/v1/limits')).body.contacts).toBe(50);
  });

  it('an import that would pass the limit imports up to it and reports the rest as skipped', async () => {
    const agent = t.client();
    await signUp(agent);
    for (let i = 0; i < 45; i++) await agent.post('/v1/contacts').send({ firstName: `Existing ${i}` });
    const cards = Array.from(
      { length: 8 },
      (_, i) => `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Imported ${i}\r\nN:${i};Imported;;;\r\nEND:VCARD\r\n`,
    ).join('');
    const res = await agent.post('/v1/contacts/import').type('text/vcard').send(cards);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      imported: 5,
      skipped: [5, 6, 7].map((index) => ({ index, name: `Imported ${index}`, reason: 'contact_limit_reached' })),
    });
    expect((await agent.get('/v1/limits')).body.contacts).toBe(50);
  });
});

describe('MAX_USERS under concurrency', () => {
  let t: TestApp;
  const winners: string[] = [];
  beforeAll(async () => {
    t = await startTestApp({ MAX_USERS: '50' });
  });
  afterAll(() => t.close());

  it('100 simultaneous signups leave exactly 50 users', async () => {
    const emails = Array.from({ length: 100 }, (_, i) => uniqueEmail(`rush${i}`));
    const results = await Promise.all(
      emails.map((email, i) =>
        t
          .client()
          .post('/v1/auth/signup')
          .send({ email, password: PASSWORD, name: `Rush ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(50);
    const refused = results.filter((r) => r.status === 403);
    expect(refused).toHaveLength(50);
    expect(refused.every((r) => r.body.code === 'user_limit_reached')).toBe(true);
    expect(await t.runtime.deps.users.count()).toBe(50);
    // A refused signup starts no session.
    expect(refused.every((r) => r.headers['set-cookie'] === undefined)).toBe(true);
    winners.push(...emails.filter((_, i) => results[i]!.status === 201));
  });

  it('limits reports the full deployment, and one more signup is still refused', async () => {
    const agent = t.client();
    expect((await agent.post('/v1/auth/login').send({ email: winners[0], password: PASSWORD })).status).toBe(200);
    expect((await agent.get('/v1/limits')).body).toEqual({ maxUsers: 50, users: 50, maxContactsPerUser: 50, contacts: 0 });
    const extra = await t.client().post('/v1/auth/signup').send({ email: uniqueEmail(), password: PASSWORD, name: 'Late' });
    expect(extra.status).toBe(403);
    expect(extra.body.code).toBe('user_limit_reached');
  });
});
