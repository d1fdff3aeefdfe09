import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../support/harness.ts';

let t: TestApp;
let agent: supertest.Agent;
beforeAll(async () => {
  t = await startTestApp();
  agent = t.client();
  await signUp(agent);
});
afterAll(() => t.close());

const full = {
  prefix: 'Dr.',
  firstName: 'Zoë',
  middleName: 'Ingrid',
  lastName: 'Ørsted',
  suffix: 'PhD',
  nickname: 'Zo',
  company: 'Ångström Labs',
  jobTitle: 'Physicist',
  emails: [
    { value: 'zoe@example.org', label: 'work' },
    { value: 'z@home.example', customLabel: 'Boat' },
  ],
  urls: [{ value: 'https://zoe.example/', label: 'home' }],
  related: [{ value: 'Ana Ørsted', label: 'sister' }],
  phones: [{ value: '+1 (555) 010-0199', label: 'mobile' }],
  addresses: [{ street: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US', label: 'work' }],
  birthday: '1990-02-28',
  notes: "Robert'); DROP TABLE contacts;--",
  tags: ['Friends', 'friends', 'Work'],
  favorite: true,
};

describe('create and read', () => {
  it('creates a contact: 201, Location, ETag, normalized body', async () => {
    const res = await agent.post('/v1/contacts').send(full);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v1/contacts/${res.body.id}`);
    expect(res.headers.etag).toBe('"v1"');
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      prefix: 'Dr.',
      firstName: 'Zoë',
      middleName: 'Ingrid',
      lastName: 'Ørsted',
      suffix: 'PhD',
      nickname: 'Zo',
      company: 'Ångström Labs',
      jobTitle: 'Physicist',
      emails: [
        { value: 'zoe@example.org', label: 'work', customLabel: null },
        { value: 'z@home.example', label: 'other', customLabel: 'Boat' },
      ],
      phones: [{ value: '+1 (555) 010-0199', label: 'mobile', customLabel: null }],
      addresses: [
        { street: '1 Main St', city: 'Springfield', region: null, postalCode: '12345', country: 'US', label: 'work', customLabel: null },
      ],
      urls: [{ value: 'https://zoe.example/', label: 'home', customLabel: null }],
      related: [{ value: 'Ana Ørsted', label: 'sister', customLabel: null }],
      birthday: '1990-02-28',
      notes: "Robert'); DROP TABLE contacts;--",
      tags: ['Friends', 'Work'],
      favorite: true,
      createdAt: expect.any(String),
      updatedAt: res.body.createdAt,
    });
    const got = await agent.get(res.headers.location!);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
    expect(got.headers.etag).toBe('"v1"');
    const cached = await agent.get(res.headers.location!).set('If-None-Match', '"v1"');
    expect(cached.status).toBe(304);
  });

  it('the list writes every contact exactly as GET does (PostgreSQL serializes list items)', async () => {
    const other = t.client();
    await signUp(other);
    const awkward = {
      ...full,
      firstName: 'Quote " Backslash \\ Tab \t',
      notes: 'Line one\nline two\r\n\u0001 control, emoji 🦊, </script>, \u2028 separator, 日本語',
      tags: [],
    };
    const bare = { company: 'Only a company' };
    const created = [];
    for (const body of [full, awkward, bare]) {
      const res = await other.post('/v1/contacts').send(body);
      expect(res.status).toBe(201);
      created.push(res.body);
    }
    const list = await other.get('/v1/contacts?sort=createdAt');
    expect(list.status).toBe(200);
    expect(list.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(list.body).toEqual({ items: created, nextCursor: null, total: 3 });
    for (const c of created)
      expect((await other.get(`/v1/contacts/${c.id}`)).body).toEqual(list.body.items.find((i: { id: string }) => i.id === c.id));
  });

  it('needs a name, company, email or phone', async () => {
    const res = await agent.post('/v1/contacts').send({ notes: 'nobody', tags: ['x'] });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors[0].message).toMatch(/at least one of firstName, lastName, company, an email or a phone/);
    expect((await agent.post('/v1/contacts').send({ phones: [{ value: '555 0100' }] })).status).toBe(201);
  });

  it('reports each bad field by path', async () => {
    const res = await agent.post('/v1/contacts').send({
      firstName: 'A',
      emails: [{ value: 'ok@example.org' }, { value: 'nope' }],
      phones: [{ value: 'call me' }],
      birthday: '2023-02-30',
      addresses: [{ label: 'home' }],
      tags: ['a,b'],
      favorite: 'yes',
      nick: 'x',
      urls: [{ value: 'has space.example' }],
      related: [{ value: 'Ana', label: 'cousin' }],
    });
    expect(res.status).toBe(400);
    const paths = [...new Set(res.body.errors.map((e: { path: string }) => e.path))].sort();
    expect(paths).toEqual([
      'addresses.0',
      'birthday',
      'emails.1.value',
      'favorite',
      'nick',
      'phones.0.value',
      'related.0.label',
      'tags.0',
      'urls.0.value',
    ]);
  });

  it('keeps a birthday without a year (--MM-DD), February 29 included, and refuses impossible ones', async () => {
    for (const birthday of ['--08-23', '--02-29', '1604-08-23']) {
      const res = await agent.post('/v1/contacts').send({ firstName: 'Year', birthday });
      expect(res.status).toBe(201);
      expect(res.body.birthday).toBe(birthday);
      expect((await agent.get(`/v1/contacts/${res.body.id}`)).body.birthday).toBe(birthday);
    }
    for (const birthday of ['--02-30', '--13-01', '--00-10', '---08-23', '08-23', '--8-23']) {
      const res = await agent.post('/v1/contacts').send({ firstName: 'Year', birthday });
      expect(res.status, birthday).toBe(400);
      expect(res.body.errors[0].path).toBe('birthday');
    }
  });

  it('a malformed or unknown id is a 404 not_found', async () => {
    for (const id of ['not-a-uuid', '00000000-0000-0000-0000-000000000000', "1' OR '1'='1"]) {
      for (const res of [
        await agent.get(`/v1/contacts/${encodeURIComponent(id)}`),
        await agent.patch(`/v1/contacts/${encodeURIComponent(id)}`).send({ firstName: 'x' }),
        await agent.delete(`/v1/contacts/${encodeURIComponent(id)}`),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
    }
  });

  it('needs a session for every contacts route and for limits', async () => {
    const anon = t.client();
    for (const res of [
      await anon.get('/v1/contacts'),
      await anon.post('/v1/contacts').send({ firstName: 'x' }),
      await anon.get('/v1/contacts/00000000-0000-0000-0000-000000000000'),
      await anon.get('/v1/contacts/export'),
      await anon.post('/v1/contacts/import').type('text/vcard').send('BEGIN:VCARD\r\nEND:VCARD'),
      await anon.get('/v1/limits'),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthenticated');
    }
  });
});

describe('update and delete', () => {
  it('PATCH changes only the given fields, replaces arrays and bumps the ETag', async () => {
    const created = (await agent.post('/v1/contacts').send(full)).body;
    const res = await agent
      .patch(`/v1/contacts/${created.id}`)
      .send({ jobTitle: null, phones: [{ value: '020 7946 0000', label: 'work' }] });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"v2"');
    expect(res.body).toMatchObject({
      firstName: 'Zoë',
      jobTitle: null,
      phones: [{ value: '020 7946 0000', label: 'work' }],
      emails: created.emails,
    });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    expect(res.body.createdAt).toBe(created.createdAt);
  });

  it('If-Match with the current ETag succeeds and a stale one is 412 precondition_failed, leaving data unchanged', async () => {
    const created = await agent.post('/v1/contacts').send({ firstName: 'Etag' });
    const url = created.headers.location!;
    const ok = await agent.patch(url).set('If-Match', created.headers.etag!).send({ lastName: 'One' });
    expect(ok.status).toBe(200);
    const stale = await agent.patch(url).set('If-Match', created.headers.etag!).send({ lastName: 'Two' });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('precondition_failed');
    expect((await agent.get(url)).body.lastName).toBe('One');
    expect((await agent.patch(url).set('If-Match', '*').send({ lastName: 'Three' })).status).toBe(200);
  });

  it('concurrent PATCHes with the same If-Match: exactly one wins', async () => {
    const created = await agent.post('/v1/contacts').send({ firstName: 'Race' });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        agent
          .patch(created.headers.location!)
          .set('If-Match', '"v1"')
          .send({ notes: `writer ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(7);
  });

  it('concurrent PATCHes without If-Match, each of another field, all stay: none overwrites another', async () => {
    // The PATCH is optimistic (store.ts): a write that finds the version moved reads again.
    const created = await agent.post('/v1/contacts').send({ firstName: 'Many' });
    const fields = {
      prefix: 'Dr',
      middleName: 'M',
      lastName: 'Writers',
      suffix: 'Jr',
      nickname: 'Nick',
      company: 'Co',
      jobTitle: 'Job',
      notes: 'N',
    };
    const results = await Promise.all(Object.entries(fields).map(([k, v]) => agent.patch(created.headers.location!).send({ [k]: v })));
    expect(results.map((r) => r.status)).toEqual(Object.keys(fields).map(() => 200));
    const after = await agent.get(created.headers.location!);
    expect(after.body).toMatchObject({ firstName: 'Many', ...fields });
    expect(after.headers.etag).toBe(`"v${1 + Object.keys(fields).length}"`);
  });

  it('a PATCH racing a DELETE of the same contact is a 200 or a 404, never a 500', async () => {
    const created = await agent.post('/v1/contacts').send({ firstName: 'Doomed' });
    const [patched, deleted] = await Promise.all([
      agent.patch(created.headers.location!).send({ notes: 'late' }),
      agent.delete(created.headers.location!),
    ]);
    expect([200, 404]).toContain(patched.status);
    expect(deleted.status).toBe(204);
    expect((await agent.get(created.headers.location!)).status).toBe(404);
  });

  it('a PATCH that would leave no identity is a 400 and changes nothing', async () => {
    const created = await agent.post('/v1/contacts').send({ firstName: 'Only' });
    const res = await agent.patch(created.headers.location!).send({ firstName: null });
    expect(res.status).toBe(400);
    expect((await agent.get(created.headers.location!)).body.firstName).toBe('Only');
  });

  it('DELETE answers 204, then 404', async () => {
    const created = await agent.post('/v1/contacts').send({ firstName: 'Gone' });
    expect((await agent.delete(created.headers.location!)).status).toBe(204);
    expect((await agent.get(created.headers.location!)).status).toBe(404);
    expect((await agent.delete(created.headers.location!)).status).toBe(404);
  });
});

describe('list, search, sort and paging', () => {
  let lister: supertest.Agent;
  beforeAll(async () => {
    lister = t.client();
    await signUp(lister);
    const people = [
      { firstName: 'Ana', lastName: 'Ábalos', tags: ['family'], favorite: true },
      { firstName: 'bob', lastName: 'Brown', company: 'Café Noir', phones: [{ value: '+44 20 7946 0958' }] },
      { firstName: 'Chloé', lastName: 'brown', emails: [{ value: 'chloe@CAFE.example' }], tags: ['Family', 'work'] },
      { company: 'Zenith GmbH', emails: [{ value: 'info@zenith.example' }] },
      { firstName: 'Dmitri', lastName: 'Šostakovič', tags: ['music'], favorite: true },
      { firstName: '50%', lastName: 'Off_Sale' },
    ];
    for (const p of people) expect((await lister.post('/v1/contacts').send(p)).status).toBe(201);
  });

  const names = (res: supertest.Response) =>
    res.body.items.map((c: { firstName: string | null; company: string | null }) => c.firstName ?? c.company);

  it('sorts by last name then first name by default, ignoring case and accents', async () => {
    const res = await lister.get('/v1/contacts');
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(['Ana', 'bob', 'Chloé', '50%', 'Dmitri', 'Zenith GmbH']);
    expect(res.body.total).toBe(6);
    expect(res.body.nextCursor).toBeNull();
  });

  it('sort=favorites: favorites first, each part by name, and a cursor from another sort is refused', async () => {
    const res = await lister.get('/v1/contacts?sort=favorites');
    expect(names(res)).toEqual(['Ana', 'Dmitri', 'bob', 'Chloé', '50%', 'Zenith GmbH']);
    const page = await lister.get('/v1/contacts?sort=favorites&limit=1');
    expect((await lister.get('/v1/contacts').query({ sort: 'name', cursor: page.body.nextCursor })).body.code).toBe('invalid_cursor');
    // A hand-made cursor whose key is not "0" or "1" then a name is refused, not a 500.
    const forged = Buffer.from(JSON.stringify({ s: 'favorites', k: 'x', i: '00000000-0000-4000-8000-000000000000' })).toString('base64url');
    expect((await lister.get('/v1/contacts').query({ sort: 'favorites', cursor: forged })).status).toBe(400);
  });

  it('sorts by creation and by last update', async () => {
    expect(names(await lister.get('/v1/contacts?sort=createdAt'))).toEqual(['Ana', 'bob', 'Chloé', 'Zenith GmbH', 'Dmitri', '50%']);
    const first = (await lister.get('/v1/contacts?sort=createdAt&limit=1')).body.items[0];
    await lister.patch(`/v1/contacts/${first.id}`).send({ notes: 'touched' });
    expect(names(await lister.get('/v1/contacts?sort=-updatedAt'))[0]).toBe('Ana');
  });

  it('searches names, company, emails, phones and tags, ignoring case and accents', async () => {
    const q = async (query: string) => names(await lister.get('/v1/contacts').query({ q: query }));
    expect(await q('ABALOS')).toEqual(['Ana']);
    expect(await q('sostakovic')).toEqual(['Dmitri']);
    expect(await q('cafe')).toEqual(['bob', 'Chloé']); // company and email
    expect(await q('zenith.example')).toEqual(['Zenith GmbH']);
    expect(await q('7946-0958')).toEqual(['bob']); // phone by digits
    expect(await q('music')).toEqual(['Dmitri']); // tag
    expect(await q('brown chloe')).toEqual(['Chloé']); // every term must match
    expect(await q('%')).toEqual(['50%']); // LIKE wildcards are literal
    expect(await q('o_f')).toEqual([]); // would match "off" if _ were a wildcard
    expect(await q('nobody-here')).toEqual([]);
  });

  it('searches the richer name: nickname, middle name, prefix and suffix, and related people', async () => {
    const other = t.client();
    await signUp(other);
    await other
      .post('/v1/contacts')
      .send({ prefix: 'Sra.', firstName: 'Inés', middleName: 'Pilar', lastName: 'Ruiz', suffix: 'MBA', nickname: 'Nené' });
    await other.post('/v1/contacts').send({ firstName: 'Tom', related: [{ value: 'Inés Ruiz', label: 'sister' }] });
    const q = async (query: string) => names(await other.get('/v1/contacts').query({ q: query }));
    expect(await q('nene')).toEqual(['Inés']);
    expect(await q('pilar')).toEqual(['Inés']);
    expect(await q('mba')).toEqual(['Inés']);
    expect(await q('ruiz')).toEqual(['Inés', 'Tom']);
  });

  it('filters by tag and favorite, with total counting the filter', async () => {
    const tagged = await lister.get('/v1/contacts?tag=FAMILY');
    expect(names(tagged)).toEqual(['Ana', 'Chloé']);
    expect(tagged.body.total).toBe(2);
    expect(names(await lister.get('/v1/contacts?favorite=true'))).toEqual(['Ana', 'Dmitri']);
    expect((await lister.get('/v1/contacts?favorite=false')).body.total).toBe(4);
  });

  it('pages with an opaque cursor through every contact exactly once, in every sort', async () => {
    for (const sort of ['name', 'favorites', '-updatedAt', 'createdAt']) {
      const all = names(await lister.get(`/v1/contacts?sort=${sort}`));
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: supertest.Response = await lister.get('/v1/contacts').query({ sort, limit: 4, ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        expect(res.body.total).toBe(6);
        seen.push(...names(res));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all);
    }
  });

  it('combines search, tag, favorite and a cursor, each page counting the same filtered total', async () => {
    const combos = [
      { q: 'o' },
      { q: 'o', tag: 'family' },
      { q: 'o', favorite: 'false' },
      { tag: 'family', favorite: 'true' },
      { q: 'an ana', tag: 'family', favorite: 'true' },
    ];
    for (const filter of combos) {
      for (const sort of ['name', 'favorites', '-updatedAt', 'createdAt']) {
        const all = await lister.get('/v1/contacts').query({ ...filter, sort });
        expect(all.status).toBe(200);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const res: supertest.Response = await lister
            .get('/v1/contacts')
            .query({ ...filter, sort, limit: 1, ...(cursor ? { cursor } : {}) });
          expect(res.body.total, JSON.stringify(filter)).toBe(all.body.total);
          seen.push(...names(res));
          cursor = res.body.nextCursor;
        } while (cursor);
        expect(seen, JSON.stringify(filter)).toEqual(names(all));
      }
    }
    expect(names(await lister.get('/v1/contacts').query({ q: 'an ana', tag: 'family', favorite: 'true' }))).toEqual(['Ana']);
  });

  it('rejects a bad query with 400', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'sort=age', 'favorite=maybe', 'page=2', 'cursor=garbage', 'q=a&q=b']) {
      const res = await lister.get(`/v1/contacts?${query}`);
      expect(res.status, query).toBe(400);
      expect(['invalid_query', 'invalid_cursor']).toContain(res.body.code);
    }
    const cursor = (await lister.get('/v1/contacts?limit=1')).body.nextCursor;
    const wrongSort = await lister.get('/v1/contacts').query({ cursor, sort: 'createdAt' });
    expect(wrongSort.status).toBe(400);
    expect(wrongSort.body.code).toBe('invalid_cursor');
  });

  it('reports limits and usage', async () => {
    const res = await lister.get('/v1/limits');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ maxUsers: 50, users: expect.any(Number), maxContactsPerUser: 50, contacts: 6 });
    expect(res.body.users).toBeGreaterThanOrEqual(2);
  });
});
