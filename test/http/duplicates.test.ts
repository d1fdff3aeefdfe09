import pg from 'pg';
import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../support/harness.ts';

/*
 * Duplicates: found on import (merged, skipped or created as asked), listed
 * by GET /v1/contacts/duplicates, merged by POST /v1/contacts/{id}/merge
 * atomically, with ETags checked and the caps held, under concurrency.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ MAX_CONTACTS_PER_USER: '200' });
});
afterAll(() => t.close());

async function freshUser(): Promise<supertest.Agent> {
  const agent = t.client();
  await signUp(agent);
  return agent;
}
type Contact = Record<string, unknown> & { id: string; emails: { value: string }[]; phones: { value: string }[]; notes: string | null };
async function everything(agent: supertest.Agent): Promise<Contact[]> {
  return (await agent.get('/v1/contacts?limit=100&sort=createdAt')).body.items;
}
async function create(agent: supertest.Agent, body: Record<string, unknown>): Promise<{ contact: Contact; etag: string }> {
  const res = await agent.post('/v1/contacts').send(body);
  expect(res.status).toBe(201);
  return { contact: res.body, etag: res.headers.etag! };
}

const csv = [
  'First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Notes',
  'Ana,Lima,* Work,ana@lima.example,Mobile,+34 612 345 678,Met in Lisbon',
  'Bob,Stone,,,Home,555 0100 ::: 555 0101,',
  'Ana,Lima,,,,,Likes tea',
  'Cy,,,,,,',
].join('\r\n');

describe('import finds contacts already there', () => {
  it('a second import of the same file adds nothing and says so', async () => {
    const agent = await freshUser();
    const first = await agent.post('/v1/contacts/import').type('text/csv').send(csv);
    // The second "Ana Lima" has the same name and no email or phone that says otherwise: merged into the first.
    expect(first.body).toMatchObject({ imported: 3, merged: 1, unchanged: 0, skipped: [] });
    expect(first.body.changes).toEqual([
      expect.objectContaining({ index: 2, line: 4, name: 'Ana Lima', outcome: 'merged', notes: ["merged into 'Ana Lima' (same name)"] }),
    ]);
    const before = await everything(agent);
    expect(before.map((c) => c.firstName)).toEqual(['Ana', 'Bob', 'Cy']);
    expect(before[0]).toMatchObject({ emails: [{ value: 'ana@lima.example' }], notes: 'Met in Lisbon\n\nLikes tea' });

    const second = await agent.post('/v1/contacts/import').type('text/csv').send(csv);
    expect(second.body).toMatchObject({ imported: 0, merged: 0, unchanged: 4, skipped: [] });
    expect(second.body.changes.map((c: { outcome: string; contactId: string }) => [c.outcome, c.contactId])).toEqual([
      ['unchanged', before[0]!.id],
      ['unchanged', before[1]!.id],
      ['unchanged', before[0]!.id],
      ['unchanged', before[2]!.id],
    ]);
    expect(await everything(agent)).toEqual(before);
  });

  it('our own vCard export comes back onto the same contacts (by UID), even after they changed', async () => {
    const agent = await freshUser();
    const { contact } = await create(agent, { firstName: 'Dee', emails: [{ value: 'dee@example.org' }] });
    const exported = (await agent.get('/v1/contacts/export?format=vcard&version=4.0')).text;
    await agent.patch(`/v1/contacts/${contact.id}`).send({ firstName: 'Deirdre', emails: [{ value: 'deirdre@example.org' }] });
    const res = await agent.post('/v1/contacts/import').type('text/vcard').send(exported);
    expect(res.body).toMatchObject({
      imported: 0,
      merged: 1,
      changes: [{ contactId: contact.id, outcome: 'merged', notes: ["merged into 'Deirdre' (exported from it)"] }],
    });
    const [back] = await everything(agent);
    expect(back).toMatchObject({ firstName: 'Deirdre', notes: 'First name (merged): Dee' });
    // The merge is a change like any other: a new version, so a stale If-Match fails.
    expect((await agent.get(`/v1/contacts/${contact.id}`)).headers.etag).toBe('"v3"');
    expect(String(back!.updatedAt) > String(contact.updatedAt)).toBe(true);
    expect(back!.emails.map((e) => e.value)).toEqual(['deirdre@example.org', 'dee@example.org']);
  });

  it('duplicates=skip reports each match by name; duplicates=create imports them anyway', async () => {
    const agent = await freshUser();
    await agent.post('/v1/contacts/import').type('text/csv').send(csv);
    const skip = await agent.post('/v1/contacts/import?duplicates=skip').type('text/csv').send(csv);
    expect(skip.body).toMatchObject({ imported: 0, merged: 0, unchanged: 0 });
    expect(skip.body.skipped).toEqual([
      { index: 0, line: 2, name: 'Ana Lima', reason: "already in your contacts as 'Ana Lima' (same email)" },
      { index: 1, line: 3, name: 'Bob Stone', reason: "already in your contacts as 'Bob Stone' (same phone number)" },
      { index: 2, line: 4, name: 'Ana Lima', reason: "already in your contacts as 'Ana Lima' (same name)" },
      { index: 3, line: 5, name: 'Cy', reason: "already in your contacts as 'Cy' (same name)" },
    ]);
    // Within one file too: the second Ana is the first one of this file, not one "already in your contacts".
    const fresh = await freshUser();
    expect((await fresh.post('/v1/contacts/import?duplicates=skip').type('text/csv').send(csv)).body.skipped).toEqual([
      { index: 2, line: 4, name: 'Ana Lima', reason: "the same person as 'Ana Lima' earlier in this file (same name)" },
    ]);
    const create = await agent.post('/v1/contacts/import?duplicates=create').type('text/csv').send(csv);
    expect(create.body).toMatchObject({ imported: 4, merged: 0, unchanged: 0 });
    expect(await everything(agent)).toHaveLength(7);
    expect((await agent.post('/v1/contacts/import?duplicates=maybe').type('text/csv').send(csv)).status).toBe(400);
  });

  it('a merge that would pass a cap keeps the rest in the notes, or skips the record when even they are full', async () => {
    const agent = await freshUser();
    const emails = Array.from({ length: 20 }, (_, i) => ({ value: `e${i}@x.example` }));
    await create(agent, { firstName: 'Full', emails });
    const row = ['First Name,E-mail 1 - Value,E-mail 2 - Value,Phone 1 - Value', 'Full,e0@x.example,new@x.example,555 0177'].join('\n');
    const res = await agent.post('/v1/contacts/import').type('text/csv').send(row);
    expect(res.body).toMatchObject({
      imported: 0,
      merged: 1,
      skipped: [],
      changes: [
        {
          name: 'Full',
          notes: ["merged into 'Full' (same email)", 'it has 21 email addresses: the first 20 are kept as such, the other 1 in the notes'],
        },
      ],
    });
    const [full] = await everything(agent);
    expect(full).toMatchObject({ phones: [{ value: '555 0177' }], notes: 'Email address (other): new@x.example' });
    expect(full!.emails).toHaveLength(20);

    // Notes with no room left: the record is skipped, and says why.
    await agent.patch(`/v1/contacts/${full!.id}`).send({ notes: 'n'.repeat(10_000) });
    const again = await agent.post('/v1/contacts/import').type('text/csv').send(row.replace('new@', 'newer@'));
    expect(again.body.skipped).toEqual([
      { index: 0, line: 2, name: 'Full', reason: "matches 'Full', but merging would go over a limit (emails: at most 20 emails)" },
    ]);
  });

  it('an import racing a PATCH, a merge or a DELETE of the contacts it merges into loses neither side', async () => {
    const rows = (extra: (i: number) => string) =>
      [
        'First Name,Last Name,E-mail 1 - Value,Phone 1 - Value',
        ...Array.from({ length: 150 }, (_, i) => `P${i},Seed,p${i}@race.example,${extra(i)}`),
      ].join('\n');
    for (const delay of [0, 30, 80, 150]) {
      const agent = await freshUser();
      expect(
        (
          await agent
            .post('/v1/contacts/import')
            .type('text/csv')
            .send(rows(() => ''))
        ).body.imported,
      ).toBe(150);
      const byEmail = async (email: string) => (await agent.get('/v1/contacts').query({ q: email })).body.items as Contact[];
      const [target] = await byEmail('p149@race.example');
      const [doomed] = await byEmail('p148@race.example');
      const extra = (await create(agent, { firstName: 'Extra', emails: [{ value: 'extra@race.example' }] })).contact;
      // Every row adds a phone, so the import merges into all 150 contacts.
      // .then() sends it now: a supertest request starts only when awaited.
      const importing = agent
        .post('/v1/contacts/import')
        .type('text/csv')
        .send(rows((i) => `+34 600 000 ${String(i).padStart(3, '0')}`))
        .then((r) => r);
      await new Promise((r) => setTimeout(r, delay));
      const [patched, merged, deleted] = await Promise.all([
        agent.patch(`/v1/contacts/${target!.id}`).send({ jobTitle: 'Set by PATCH' }),
        agent.post(`/v1/contacts/${target!.id}/merge`).send({ others: [{ id: extra.id }] }),
        agent.delete(`/v1/contacts/${doomed!.id}`),
      ]);
      const imported = await importing;
      expect([imported.status, patched.status, merged.status, deleted.status], `delay ${delay}`).toEqual([200, 200, 200, 204]);
      const [after] = await byEmail('p149@race.example');
      expect(after, `delay ${delay}`).toMatchObject({ jobTitle: 'Set by PATCH', phones: [{ value: '+34 600 000 149' }] });
      expect(after!.emails.map((e) => e.value).sort(), `delay ${delay}`).toEqual(['extra@race.example', 'p149@race.example']);
      // The deleted contact is gone, or came back as new from the file: never half of each.
      const back = await byEmail('p148@race.example');
      expect(back.length, `delay ${delay}`).toBeLessThanOrEqual(1);
    }
  });

  it('an import waits for a change in flight to a contact it merges into, and keeps that change', async () => {
    const agent = await freshUser();
    const file = (phone: boolean) =>
      [
        'First Name,E-mail 1 - Value,Phone 1 - Value',
        ...['Ann', 'Ben', 'Cat'].map((n, i) => `${n},${n.toLowerCase()}@held.example,${phone ? `555 010${i}` : ''}`),
      ].join('\n');
    await agent.post('/v1/contacts/import').type('text/csv').send(file(false));
    const [ben] = (await agent.get('/v1/contacts').query({ q: 'ben@held.example' })).body.items as Contact[];
    // A transaction of its own holds Ben's row, as a PATCH in flight would.
    const db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    try {
      await db.query('BEGIN');
      await db.query('SELECT 1 FROM contacts WHERE id = $1 FOR UPDATE', [ben!.id]);
      // .then() sends it now: a supertest request starts only when awaited.
      const importing = agent
        .post('/v1/contacts/import')
        .type('text/csv')
        .send(file(true))
        .then((r) => r);
      await new Promise((r) => setTimeout(r, 300));
      await db.query(`UPDATE contacts SET job_title = 'Set meanwhile', version = version + 1 WHERE id = $1`, [ben!.id]);
      await db.query('COMMIT');
      expect((await importing).body).toMatchObject({ merged: 3 });
    } finally {
      await db.end();
    }
    const after = (await agent.get(`/v1/contacts/${ben!.id}`)).body;
    // Read after the change committed, so merged onto it: the change and the import's phone are both there.
    expect(after).toMatchObject({ jobTitle: 'Set meanwhile', phones: [{ value: '555 0101' }] });
  });

  it('150 contacts of one name (more than a lookup compares): each row of a re-import finds its own contact', async () => {
    const agent = await freshUser();
    const csv = ['First Name,Last Name,Notes', ...Array.from({ length: 150 }, (_, i) => `John,Smith,note ${i}`)].join('\n');
    expect((await agent.post('/v1/contacts/import?duplicates=create').type('text/csv').send(csv)).body.imported).toBe(150);
    const before = await everything(agent);
    expect((await agent.post('/v1/contacts/import').type('text/csv').send(csv)).body).toMatchObject({
      imported: 0,
      merged: 0,
      unchanged: 150,
    });
    expect(await everything(agent)).toEqual(before);
    // The duplicates view shows them 50 at a time.
    const groups = (await agent.get('/v1/contacts/duplicates')).body.groups as { contacts: Contact[] }[];
    expect(groups.map((g) => g.contacts.length)).toEqual([50]);
  });

  it('two imports of one file at once create each person once', async () => {
    const agent = await freshUser();
    const results = await Promise.all([1, 2, 3].map(() => agent.post('/v1/contacts/import').type('text/csv').send(csv)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.map((r) => r.body.imported).sort()).toEqual([0, 0, 3]);
    expect(await everything(agent)).toHaveLength(3);
  });
});

describe('GET /v1/contacts/duplicates', () => {
  it('lists groups of likely duplicates with the reason, and nothing for a tidy book', async () => {
    const agent = await freshUser();
    expect((await agent.get('/v1/contacts/duplicates')).body).toEqual({ groups: [] });
    const a = (await create(agent, { firstName: 'Ana', lastName: 'Lima', emails: [{ value: 'ana@lima.example' }] })).contact;
    const b = (await create(agent, { firstName: 'Ana L.', emails: [{ value: 'ANA@lima.example' }] })).contact;
    const c = (await create(agent, { company: 'Acme', phones: [{ value: '+1 415 555 0100' }] })).contact;
    const d = (await create(agent, { company: 'Acme Inc', phones: [{ value: '(415) 555-0100' }] })).contact;
    await create(agent, { firstName: 'Solo' });
    const res = await agent.get('/v1/contacts/duplicates');
    expect(res.status).toBe(200);
    expect(res.body.groups.map((g: { reason: string; contacts: Contact[] }) => [g.reason, g.contacts.map((x) => x.id).sort()])).toEqual(
      expect.arrayContaining([
        ['email', [a.id, b.id].sort()],
        ['phone', [c.id, d.id].sort()],
      ]),
    );
    expect(res.body.groups).toHaveLength(2);
    // Each contact's ETag beside it, so a merge can be of exactly what was shown.
    await agent.patch(`/v1/contacts/${b.id}`).send({ notes: 'changed' });
    const emailGroup = (await agent.get('/v1/contacts/duplicates')).body.groups.find((g: { reason: string }) => g.reason === 'email');
    expect(Object.fromEntries(emailGroup.contacts.map((c: Contact, i: number) => [c.id, emailGroup.etags[i]]))).toEqual({
      [a.id]: '"v1"',
      [b.id]: '"v2"',
    });
    expect((await t.client().get('/v1/contacts/duplicates')).status).toBe(401);
  });
});

describe('POST /v1/contacts/{id}/merge', () => {
  it('merges others into one and deletes them, in one step', async () => {
    const agent = await freshUser();
    const a = await create(agent, { firstName: 'Ana', emails: [{ value: 'a@x.example' }], notes: 'short', tags: ['one'] });
    const b = await create(agent, {
      firstName: 'Anna',
      lastName: 'Lima',
      emails: [{ value: 'b@x.example' }],
      notes: 'short and longer',
      tags: ['two'],
      favorite: true,
    });
    const c = await create(agent, { firstName: 'Ana', phones: [{ value: '555 0100' }], addresses: [{ city: 'Lisbon' }] });
    const res = await agent
      .post(`/v1/contacts/${a.contact.id}/merge`)
      .set('If-Match', a.etag)
      .send({ others: [{ id: b.contact.id, etag: b.etag }, { id: c.contact.id }] });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"v2"');
    expect(res.body).toMatchObject({
      id: a.contact.id,
      firstName: 'Ana',
      lastName: 'Lima',
      emails: [{ value: 'a@x.example' }, { value: 'b@x.example' }],
      phones: [{ value: '555 0100' }],
      addresses: [{ city: 'Lisbon' }],
      // The longer notes hold the shorter: kept; the other first name is not lost.
      notes: 'short and longer\nFirst name (merged): Anna',
      tags: ['one', 'two'],
      favorite: true,
    });
    expect((await everything(agent)).map((x) => x.id)).toEqual([a.contact.id]);
    expect((await agent.get(`/v1/contacts/${b.contact.id}`)).status).toBe(404);
  });

  it('refuses a stale ETag, a missing or foreign contact, itself, and a result over the caps, changing nothing', async () => {
    const agent = await freshUser();
    const stranger = await freshUser();
    const theirs = (await create(stranger, { firstName: 'Theirs' })).contact;
    const a = await create(agent, { firstName: 'A', emails: Array.from({ length: 15 }, (_, i) => ({ value: `a${i}@x.example` })) });
    const b = await create(agent, { firstName: 'B', emails: Array.from({ length: 10 }, (_, i) => ({ value: `b${i}@x.example` })) });
    const c = await create(agent, { firstName: 'C' });
    await agent.patch(`/v1/contacts/${c.contact.id}`).send({ notes: 'changed' });
    const before = await everything(agent);

    const merge = (id: string, body: unknown, ifMatch?: string) => {
      const req = agent.post(`/v1/contacts/${id}/merge`);
      if (ifMatch) req.set('If-Match', ifMatch);
      return req.send(body as object);
    };
    const stale = await merge(a.contact.id, { others: [{ id: c.contact.id, etag: c.etag }] });
    expect([stale.status, stale.body.code]).toEqual([412, 'precondition_failed']);
    expect((await merge(a.contact.id, { others: [{ id: c.contact.id }] }, '"v9"')).status).toBe(412);
    expect((await merge(a.contact.id, { others: [{ id: theirs.id }] })).status).toBe(404);
    expect((await merge(a.contact.id, { others: [{ id: a.contact.id }] })).status).toBe(400);
    expect((await merge(a.contact.id, { others: [{ id: c.contact.id }, { id: c.contact.id }] })).status).toBe(400);
    expect((await merge(a.contact.id, { others: [] })).status).toBe(400);
    expect((await merge('not-a-uuid', { others: [{ id: c.contact.id }] })).status).toBe(404);
    const over = await merge(a.contact.id, { others: [{ id: b.contact.id }] });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'others', message: 'emails: at most 20 emails' }] });
    expect(await everything(agent)).toEqual(before);
    expect((await stranger.get(`/v1/contacts/${theirs.id}`)).status).toBe(200);
  });

  it('concurrent merges over the same contacts: each contact ends in exactly one, no deadlock, nothing lost', async () => {
    const agent = await freshUser();
    const made: Contact[] = [];
    for (let i = 0; i < 12; i++) made.push((await create(agent, { firstName: `P${i}`, emails: [{ value: `p${i}@x.example` }] })).contact);
    // Overlapping pairs and triples, all at once, in both directions.
    const plans = Array.from({ length: 24 }, (_, k) => {
      const target = made[k % 12]!;
      const others = [made[(k * 5 + 1) % 12]!, made[(k * 7 + 3) % 12]!].filter((o) => o.id !== target.id);
      return { target, others: [...new Map(others.map((o) => [o.id, o])).values()] };
    });
    const results = await Promise.all(
      plans.map((p) => agent.post(`/v1/contacts/${p.target.id}/merge`).send({ others: p.others.map((o) => ({ id: o.id })) })),
    );
    expect(results.every((r) => r.status === 200 || r.status === 404)).toBe(true);
    expect(results.some((r) => r.status === 200)).toBe(true);
    const after = await everything(agent);
    const emails = after.flatMap((c) => c.emails.map((e) => e.value)).sort();
    expect(emails).toEqual(made.map((_, i) => `p${i}@x.example`).sort());
  });
});
