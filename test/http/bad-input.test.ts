import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../support/harness.ts';

/*
 * Bad input is a 4xx problem, never a 500: first the cases a hostile review
 * found, then properties over the contract's inputs (query, cursor, ids,
 * headers, JSON bodies), each bounded in runs and time.
 */

let t: TestApp;
let agent: ReturnType<TestApp['client']>;
let contactId: string;

beforeAll(async () => {
  t = await startTestApp({
    NODE_ENV: 'production',
    CORS_ORIGIN: 'https://app.example.test',
    COOKIE_SECURE: 'false',
    PGSSLMODE: 'disable',
    MAX_CONTACTS_PER_USER: '1000',
  });
  agent = t.client();
  await signUp(agent);
  const created = await agent.post('/v1/contacts').send({ firstName: 'Ada', tags: ['friends'] });
  contactId = created.body.id;
});
afterAll(() => t.close());

const cursor = (o: unknown) => Buffer.from(JSON.stringify(o) ?? '').toString('base64url');
/** Percent-encodes every UTF-8 byte (a lone surrogate becomes U+FFFD, as in any real client). */
const pct = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
// Query text no encoder would write: broken escapes, overlong and surrogate UTF-8.
const rawQuery = fc.constantFrom('%', '%zz', '%ff', '%c3', '%c0%80', '%ed%a0%80', '%f4%90%80%80', '%00', '+', '&&', '==');
const ID = '00000000-0000-4000-8000-000000000000';

function expectProblem(res: { status: number; body: { code?: string }; headers: Record<string, string> }, status = 400) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.code).toEqual(expect.any(String));
}

describe('inputs a review found answering 500', () => {
  it('NUL in q, tag or a cursor key', async () => {
    expectProblem(await agent.get('/v1/contacts?q=a%00b'));
    expectProblem(await agent.get('/v1/contacts?tag=a%00b'));
    expectProblem(await agent.get(`/v1/contacts?cursor=${cursor({ s: 'name', k: 'a\u0000b', i: ID })}`));
  });

  it('date-sort cursors whose key Date.parse accepts and PostgreSQL does not', async () => {
    for (const k of ['1', 'foo 1', '+275760-09-13T00:00:00.000Z', '2026-02-30T00:00:00.000Z', '2026-01-01']) {
      for (const sort of ['createdAt', '-updatedAt']) {
        const res = await agent.get(`/v1/contacts?sort=${sort}&cursor=${cursor({ s: sort, k, i: ID })}`);
        expectProblem(res);
        expect(res.body.code).toBe('invalid_cursor');
      }
    }
    // A real cursor still works.
    for (let i = 0; i < 2; i++) await agent.post('/v1/contacts').send({ firstName: `Page ${i}` });
    const first = await agent.get('/v1/contacts?sort=createdAt&limit=1');
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect((await agent.get(`/v1/contacts?sort=createdAt&limit=1&cursor=${first.body.nextCursor}`)).status).toBe(200);
  });

  it('a lone surrogate in an address or a tag, on create and on PATCH', async () => {
    const lone = '\ud800';
    const bodies = [
      { firstName: 'X', addresses: [{ city: `A${lone}` }] },
      { firstName: 'X', tags: [`t${lone}`] },
      { firstName: `X${lone}` },
    ];
    for (const body of bodies) {
      // JSON.stringify escapes a lone surrogate as \ud800: valid JSON text.
      expectProblem(await agent.post('/v1/contacts').set('content-type', 'application/json').send(JSON.stringify(body)));
      expectProblem(await agent.patch(`/v1/contacts/${contactId}`).set('content-type', 'application/json').send(JSON.stringify(body)));
    }
    expect((await agent.get(`/v1/contacts/${contactId}`)).body.firstName).toBe('Ada');
  });

  it('a br body that does not decode is 400 invalid_content_encoding (Brotli errors are not zlib’s Z_ codes)', async () => {
    const garbage = Buffer.from('this is not brotli at all, only text pretending to be');
    for (const path of ['/v1/auth/login', '/v1/contacts']) {
      const res = await agent.post(path).set('content-type', 'application/json').set('content-encoding', 'br').send(garbage);
      expectProblem(res);
      expect(res.body.code).toBe('invalid_content_encoding');
    }
  });
});

// Strings with everything that has hurt before: NUL, lone surrogates, astral
// characters, control characters, long runs.
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({
    unit: fc.constantFrom(
      '\u0000',
      '\ud800',
      '\udfff',
      '😀',
      'é',
      '%',
      '\\',
      '"',
      "'",
      ',',
      ';',
      '\n',
      '*',
      '_',
      'a',
      '1',
      '-',
      ':',
      'T',
      'Z',
      '.',
    ),
    maxLength: 40,
  }),
  fc.constantFrom('', ' ', '0', '-1', '1e309', 'NaN', 'null', 'true', '[]', '{}', '%00', 'x'.repeat(5_000)),
);
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nasty,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nasty, fc.constantFrom('value', 'label', 'city', '__proto__', 'constructor')), tie('value'), { maxKeys: 4 }),
  ),
})).value;
const FIELDS = ['firstName', 'lastName', 'company', 'jobTitle', 'emails', 'phones', 'addresses', 'birthday', 'notes', 'tags', 'favorite'];
const anyShape = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), nasty), json, { maxKeys: 6 });
// Right shapes, mostly plausible values with one hostile one now and then:
// what gets past the schema's structure to the database.
const mostly = <T, U>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: hostile });
const plausible = fc.string({ unit: fc.constantFrom('a', 'Z', 'é', '😀', ' ', '-', '\ud800', '\udc00'), minLength: 1, maxLength: 20 });
const text = mostly(plausible, nasty);
const nearlyValid = fc.record(
  {
    firstName: text,
    company: text,
    emails: fc.array(
      fc.record({ value: mostly(fc.emailAddress(), nasty), label: mostly(fc.constantFrom('home', 'work', 'other'), nasty) }),
      { maxLength: 2 },
    ),
    phones: fc.array(
      fc.record({
        value: mostly(fc.stringMatching(/^\+?\d[\d ()-]{0,19}$/), nasty),
        label: mostly(fc.constantFrom('mobile', 'other'), nasty),
      }),
      { maxLength: 2 },
    ),
    addresses: fc.array(
      fc.record({ street: text, city: text, postalCode: text, label: fc.constantFrom('home', 'work') }, { requiredKeys: [] }),
      { maxLength: 2 },
    ),
    birthday: mostly(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      nasty,
    ),
    notes: text,
    tags: fc.array(text, { maxLength: 3 }),
    favorite: mostly(fc.boolean(), nasty),
  },
  { requiredKeys: ['firstName'] },
);
const contactLike = fc.oneof(anyShape, nearlyValid);

const RUNS = { numRuns: 150, interruptAfterTimeLimit: 20_000 } as const;
const no5xx = (res: { status: number; body: unknown }) => {
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
};

describe('properties: no input is a 5xx', () => {
  it('list queries', async () => {
    const param = fc.option(nasty, { nil: undefined });
    const anyCursor = fc.oneof(
      nasty,
      json.map(cursor),
      fc.record({ s: fc.constantFrom('name', 'createdAt', '-updatedAt'), k: nasty, i: fc.oneof(fc.uuid(), nasty) }).map(cursor),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          q: param,
          tag: param,
          favorite: param,
          sort: fc.option(fc.oneof(fc.constantFrom('name', 'createdAt', '-updatedAt'), nasty), { nil: undefined }),
          limit: param,
          cursor: fc.option(anyCursor, { nil: undefined }),
          extra: param,
        }),
        async (query) => {
          const qs = Object.entries(query)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => `${k}=${pct(String(v))}`)
            .join('&');
          no5xx(await agent.get(`/v1/contacts?${qs}`));
        },
      ),
      RUNS,
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('q', 'tag', 'favorite', 'sort', 'limit', 'cursor'), rawQuery, nasty, async (key, raw, text) => {
        no5xx(await agent.get(`/v1/contacts?${key}=${raw}${pct(text)}`));
      }),
      RUNS,
    );
  });

  it('contact ids in the path, and If-Match / If-None-Match headers', async () => {
    const header = fc.oneof(
      nasty.filter((s) => /^[\t\x20-\x7e]*$/.test(s)),
      fc.constantFrom('*', '"v1"', 'W/"v1"', '"v99999999999999999999"'),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uuid(), nasty), header, async (id, h) => {
        const path = `/v1/contacts/${pct(id)}`;
        no5xx(await agent.get(path).set('If-None-Match', h));
        no5xx(await agent.patch(`/v1/contacts/${contactId}`).set('If-Match', h).send({}));
        no5xx(await agent.delete(path.replace(contactId, ID)));
      }),
      RUNS,
    );
  });

  it('contact bodies on create and PATCH', async () => {
    await fc.assert(
      fc.asyncProperty(contactLike, async (body) => {
        const text = JSON.stringify(body);
        no5xx(await agent.post('/v1/contacts').set('content-type', 'application/json').send(text));
        no5xx(await agent.patch(`/v1/contacts/${contactId}`).set('content-type', 'application/json').send(text));
      }),
      RUNS,
    );
  });

  it('raw bodies and content types on every write route', async () => {
    const type = fc.constantFrom(
      'application/json',
      'application/merge-patch+json',
      'text/plain',
      'application/json; charset=latin1',
      'text/csv',
      'text/vcard',
      'multipart/form-data',
    );
    const body = fc.oneof(
      nasty,
      json.map((v) => JSON.stringify(v) ?? ''),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    );
    await fc.assert(
      fc.asyncProperty(type, body, async (contentType, raw) => {
        no5xx(await agent.post('/v1/contacts').set('content-type', contentType).send(raw));
        no5xx(await agent.patch(`/v1/contacts/${contactId}`).set('content-type', contentType).send(raw));
        no5xx(await t.client().post('/v1/auth/login').set('content-type', contentType).send(raw));
      }),
      RUNS,
    );
  });

  it('import files: vCard and CSV text, well-formed or not', async () => {
    const value = fc.oneof(
      nasty,
      fc.constantFrom('abc', '+99', '1604-08-23', '--0823', '20200230', 'Zoë;Ørsted;;;', '=C3=A9=', 'mailto:a@b.example'),
    );
    const property = fc
      .tuple(
        fc.constantFrom(
          'FN',
          'N',
          'EMAIL',
          'TEL',
          'ADR',
          'BDAY',
          'NOTE',
          'ORG',
          'CATEGORIES',
          'PHOTO',
          'item1.X-ABLabel',
          'item1.TEL',
          'AGENT',
          'URL',
          'X-CONTACTFOLIO-FAVORITE',
        ),
        fc.constantFrom(
          '',
          ';VALUE=date',
          ';VALUE=date-and-or-time',
          ';VALUE=uri',
          ';VALUE=utc-offset',
          ';TYPE=CELL,PREF',
          ';CELL;PREF',
          ';ENCODING=QUOTED-PRINTABLE',
          ';CHARSET=UTF-8',
          ';X-APPLE-OMIT-YEAR=1604',
        ),
        value,
      )
      .map(([k, p, v]) => `${k}${p}:${v}`);
    const card = fc
      .tuple(
        fc.constantFrom('2.1', '3.0', '4.0', 'x'),
        fc.array(fc.oneof({ weight: 8, arbitrary: property }, { weight: 1, arbitrary: nasty }), { maxLength: 6 }),
        fc.boolean(),
      )
      .map(([version, lines, closed]) => ['BEGIN:VCARD', `VERSION:${version}`, ...lines, ...(closed ? ['END:VCARD'] : [])]);
    const vcards = fc.array(card, { minLength: 1, maxLength: 3 }).map((cards) => cards.flat());
    const csvRow = fc
      .array(fc.oneof(value, fc.constantFrom('"', '""', "'=1", '2/30/2020', 'a ::: b')), { maxLength: 6 })
      .map((cells) => cells.join(','));
    const csv = fc
      .tuple(
        fc.subarray(['First Name', 'Last Name', 'E-mail 1 - Value', 'Phone 1 - Value', 'Birthday', 'Labels', 'Notes'], { minLength: 1 }),
        fc.array(csvRow, { maxLength: 6 }),
      )
      .map(([header, rows]) => [header.join(','), ...rows]);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          vcards.map((l) => ['text/vcard', l] as const),
          csv.map((l) => ['text/csv', l] as const),
        ),
        fc.constantFrom('\r\n', '\n'),
        async ([type, lines], eol) => {
          no5xx(await agent.post('/v1/contacts/import').set('content-type', type).send(lines.join(eol)));
        },
      ),
      { numRuns: 150, interruptAfterTimeLimit: 20_000 },
    );
  });

  it('signup and login bodies', async () => {
    const creds = fc.record({ email: fc.oneof(nasty, fc.emailAddress()), password: nasty, name: nasty }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(creds, async (body) => {
        no5xx(await t.client().post('/v1/auth/signup').send(body));
        no5xx(await t.client().post('/v1/auth/login').send(body));
      }),
      { numRuns: 40, interruptAfterTimeLimit: 20_000 },
    );
  });
});
