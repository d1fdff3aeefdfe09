import express from 'express';
import supertest from 'supertest';
import { errorHandler } from '../../app/http/problem.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, signUp, startTestApp, uniqueEmail, type TestApp } from '../support/harness.ts';

let t: TestApp;
let agent: supertest.Agent;
beforeAll(async () => {
  t = await startTestApp({ CORS_ORIGIN: 'https://contactfolio.com' });
  agent = t.client();
  await signUp(agent);
});
afterAll(() => t.close());

const expectProblem = (res: supertest.Response, status: number, code: string) => {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
};

describe('errors are problem documents', () => {
  it('unknown routes are 404 not_found', async () => {
    expectProblem(await agent.get('/v1/nope'), 404, 'not_found');
    expectProblem(await agent.post('/v1/contacts/export'), 404, 'not_found');
  });

  it('malformed JSON is 400 malformed_json', async () => {
    expectProblem(await agent.post('/v1/contacts').type('application/json').send('{"firstName": "x",'), 400, 'malformed_json');
  });

  it('wrong content types are 415', async () => {
    expectProblem(await agent.post('/v1/contacts').type('text/plain').send('firstName=x'), 415, 'unsupported_media_type');
    expectProblem(await agent.post('/v1/auth/login').type('form').send('email=a@b.c&password=x'), 415, 'unsupported_media_type');
  });

  it('bodies over 1 MiB are 413 and nothing is stored', async () => {
    const res = await agent.post('/v1/contacts').send({ firstName: 'Big', notes: 'x'.repeat(1024 * 1024 + 10) });
    expectProblem(res, 413, 'payload_too_large');
    expect((await agent.get('/v1/contacts?q=big')).body.total).toBe(0);
  });

  it('imports accept up to 5 MiB and refuse more with 413', async () => {
    const big = `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Huge\r\nNOTE:${'y'.repeat(5 * 1024 * 1024)}\r\nEND:VCARD\r\n`;
    expectProblem(await agent.post('/v1/contacts/import').type('text/vcard').send(big), 413, 'payload_too_large');
  });

  it('deeply nested JSON is a 400, not a crash', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const res = await agent.post('/v1/contacts').type('application/json').send(deep);
    expect(res.status).toBe(400);
    const nested = `{"firstName":"x","notes":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    expectProblem(await agent.post('/v1/contacts').type('application/json').send(nested), 400, 'validation_failed');
    expect((await agent.get('/health')).status).toBe(200);
  });

  it('invalid UTF-8 is refused rather than stored mangled', async () => {
    // Counted here, so the test does not depend on what earlier tests left in this account.
    const before = (await agent.get('/v1/contacts')).body.total as number;
    const bytes = Buffer.concat([Buffer.from('{"firstName":"Bad'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    // serialize: send the raw bytes instead of superagent's JSON encoding of a Buffer.
    const raw = agent
      .post('/v1/contacts')
      .set('Content-Type', 'application/json')
      .serialize(((b: Buffer) => b) as unknown as (o: unknown) => string);
    expectProblem(await raw.send(bytes), 400, 'invalid_utf8');
    // An import that says it is UTF-8 (charset or BOM) and is not: refused, nothing stored.
    const vcard = Buffer.concat([
      Buffer.from('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:'),
      Buffer.from([0xfe, 0xfe]),
      Buffer.from('\r\nEND:VCARD\r\n'),
    ]);
    expectProblem(
      await agent.post('/v1/contacts/import').set('Content-Type', 'text/vcard; charset=utf-8').send(vcard),
      400,
      'invalid_utf8',
    );
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), vcard]);
    expectProblem(await agent.post('/v1/contacts/import').set('Content-Type', 'text/vcard').send(bom), 400, 'invalid_utf8');
    expect((await agent.get('/v1/contacts')).body.total).toBe(before);
  });

  it('an import file is read in the encoding its exporter wrote: BOM, declared charset, UTF-16, else Windows-1252', async () => {
    const other = t.client();
    await signUp(other);
    const csv = (name: string) => `First Name\r\n${name}\r\n`;
    const sends: [string, Buffer][] = [
      // Outlook's CSV export: Windows-1252, no charset ("Zoë" and the euro sign, 0x80).
      ['text/csv', Buffer.from([...Buffer.from('First Name,Notes\r\nZo'), 0xeb, ...Buffer.from(',5 '), 0x80, ...Buffer.from('\r\n')])],
      // Google's old CSV export: UTF-16LE with a BOM.
      ['text/csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv('Jürgen'), 'utf16le')])],
      ['text/csv', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(csv('Ørjan'), 'utf16le').swap16()])],
      ['text/csv', Buffer.from(csv('Łukasz'), 'utf16le')],
      // No BOM and a first character that is not Latin: its zero bytes still say UTF-16; an odd last byte is left out.
      ['text/csv', Buffer.concat([Buffer.from('氏名,First Name\r\nx,健\r\n', 'utf16le'), Buffer.from([0x41])])],
      ['text/csv; charset=iso-8859-2', Buffer.from([...Buffer.from('First Name\r\n'), 0xa3, ...Buffer.from('ucja\r\n')])],
      ['text/csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv('Chloé'))])],
    ];
    for (const [type, body] of sends) {
      const res = await other.post('/v1/contacts/import').set('Content-Type', type).send(body);
      expect(res.status, type).toBe(200);
      expect(res.body.imported).toBe(1);
    }
    const items = (await other.get('/v1/contacts?sort=createdAt')).body.items;
    expect(items.map((c: { firstName: string }) => c.firstName)).toEqual(['Zoë', 'Jürgen', 'Ørjan', 'Łukasz', '健', 'Łucja', 'Chloé']);
    expect(items[0].notes).toBe('5 €');
    expectProblem(
      await other.post('/v1/contacts/import').set('Content-Type', 'text/csv; charset=klingon').send(csv('x')),
      400,
      'unparseable_import',
    );
  });

  it('SQL-ish and script-ish strings are stored and searched verbatim', async () => {
    const nasty = {
      firstName: "'; DROP TABLE users; --",
      lastName: '<script>alert(1)</script>',
      company: 'a\\b%c_d',
      notes: '\u0000'.length ? 'null: \u2028 sep' : '',
    };
    const res = await agent.post('/v1/contacts').send(nasty);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject(nasty);
    expect((await agent.get('/v1/contacts').query({ q: 'drop table' })).body.total).toBe(1);
    expect((await agent.get('/v1/contacts').query({ q: 'a\\b%c' })).body.total).toBe(1);
    expect((await t.client().post('/v1/auth/login').send({ email: "' OR 1=1 --@x.io", password: "' OR '1'='1" })).status).toBe(400);
  });

  it('a NUL character (which PostgreSQL text cannot hold) is a field error, not a 500', async () => {
    const res = await agent.post('/v1/contacts').send({ firstName: 'Nul\u0000Byte', tags: ['a\u0000'], addresses: [{ city: 'x\u0000' }] });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['addresses.0.city', 'firstName', 'tags.0']);
    const signup = await t.client().post('/v1/auth/signup').send({ email: uniqueEmail(), password: 'pass\u0000word!', name: 'N\u0000' });
    expectProblem(signup, 400, 'validation_failed');
  });
});

describe('origins, CORS and headers', () => {
  it('refuses a state-changing request from a foreign Origin with 403 origin_not_allowed', async () => {
    const res = await agent.post('/v1/contacts').set('Origin', 'https://evil.example').send({ firstName: 'CSRF' });
    expectProblem(res, 403, 'origin_not_allowed');
    const logout = await agent.post('/v1/auth/logout').set('Origin', 'https://evil.example');
    expectProblem(logout, 403, 'origin_not_allowed');
    expect((await agent.get('/v1/auth/me')).status).toBe(200); // still signed in
  });

  it('allows the configured origin with credentials, and same-origin requests', async () => {
    const res = await agent.post('/v1/contacts').set('Origin', 'https://contactfolio.com').send({ firstName: 'Allowed' });
    expect(res.status).toBe(201);
    expect(res.headers['access-control-allow-origin']).toBe('https://contactfolio.com');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    const self = await agent.post('/v1/contacts').set('Origin', t.baseUrl).send({ firstName: 'Self' });
    expect(self.status).toBe(201);
    const preflight = await t
      .client()
      .options('/v1/contacts')
      .set('Origin', 'https://contactfolio.com')
      .set('Access-Control-Request-Method', 'PATCH');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('PATCH');
    const foreign = await t
      .client()
      .options('/v1/contacts')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('GET with a foreign Origin is answered but not shared with that origin', async () => {
    const res = await agent.get('/v1/contacts').set('Origin', 'https://evil.example');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('echoes a request id, or makes one, on every response including errors', async () => {
    const given = await agent.get('/v1/auth/me').set('X-Request-Id', 'trace-abc-123');
    expect(given.headers['x-request-id']).toBe('trace-abc-123');
    const made = await t.client().get('/v1/nope');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.body.requestId).toBe(made.headers['x-request-id']);
    const hostile = await t.client().get('/health').set('X-Request-Id', 'bad id\twith spaces');
    expect(hostile.headers['x-request-id']).not.toContain(' ');
  });

  it('sets security headers and hides the framework', async () => {
    const res = await agent.get('/v1/auth/me');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    // Plain HTTP on a laptop: no HSTS and no request upgrading (production has both).
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });
});

describe('caching of personal data', () => {
  it('API responses are no-store with no automatic ETag; a contact keeps its version ETag and still answers 304', async () => {
    const created = await agent.post('/v1/contacts').send({ firstName: 'Cache', lastName: 'Control' });
    expect(created.headers['cache-control']).toBe('no-store');
    for (const path of ['/v1/contacts', '/v1/contacts?q=cache', '/v1/auth/me', '/v1/limits']) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['cache-control'], path).toBe('no-store');
      expect(res.headers.etag, path).toBeUndefined();
    }
    expectProblem(await agent.get('/v1/contacts/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
    expect((await agent.get('/v1/nope')).headers['cache-control']).toBe('no-store');

    const one = await agent.get(created.headers.location!);
    expect(one.headers['cache-control']).toBe('no-store');
    expect(one.headers.etag).toBe('"v1"');
    expect((await agent.get(created.headers.location!).set('If-None-Match', '"v1"')).status).toBe(304);
  });
});

describe('health and OpenAPI', () => {
  it('/health reports both checks and never sets a cookie or creates a session', async () => {
    const before = await t.redis.keys('cf:sess:*');
    const res = await t.client().get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { database: 'ok', sessions: 'ok' } });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    // Other test files sign people up meanwhile: any new key must be theirs (a signed-in session).
    const beforeSet = new Set(before);
    for (const key of (await t.redis.keys('cf:sess:*')).filter((k) => !beforeSet.has(k))) {
      expect(JSON.parse((await t.redis.get(key)) ?? '{}').userId).toEqual(expect.any(String));
    }
  });

  it('GET /v1/openapi.json is an OpenAPI 3.1 document covering every route of the contract', async () => {
    const res = await t.client().get('/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const ops = Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(ops.sort()).toEqual(
      [
        'GET /health',
        'GET /health/live',
        'POST /v1/auth/signup',
        'POST /v1/auth/login',
        'POST /v1/auth/logout',
        'POST /v1/auth/logout-all',
        'POST /v1/auth/password',
        'GET /v1/auth/me',
        'DELETE /v1/auth/me',
        'GET /v1/limits',
        'GET /v1/contacts',
        'POST /v1/contacts',
        'GET /v1/contacts/{id}',
        'PATCH /v1/auth/me',
        'PATCH /v1/contacts/{id}',
        'DELETE /v1/contacts/{id}',
        'GET /v1/contacts/export',
        'POST /v1/contacts/import',
        'GET /v1/contacts/duplicates',
        'POST /v1/contacts/{id}/merge',
        'GET /v1/tags',
        'GET /v1/app-passwords',
        'POST /v1/app-passwords',
        'DELETE /v1/app-passwords/{id}',
      ].sort(),
    );
    // Generated from the validating schemas: the create body forbids unknown fields and knows the labels.
    const { ContactCreate, ContactPhone } = res.body.components.schemas;
    expect(ContactCreate.additionalProperties).toBe(false);
    expect(ContactPhone.properties.label.enum).toEqual(['mobile', 'home', 'work', 'other']);
    const params = res.body.paths['/v1/contacts'].get.parameters.map((p: { name: string }) => p.name).sort();
    expect(params).toEqual(['cursor', 'favorite', 'limit', 'q', 'sort', 'tag']);
    const { ContactRelated, Contact } = res.body.components.schemas;
    expect(ContactRelated.properties.label.enum).toContain('spouse');
    expect(Object.keys(Contact.properties)).toEqual(
      expect.arrayContaining(['prefix', 'middleName', 'suffix', 'nickname', 'urls', 'related']),
    );
    expect(res.body.paths['/v1/contacts/import'].post.parameters.map((p: { name: string }) => p.name)).toEqual(['duplicates']);
    expect(res.body.paths['/v1/contacts/export'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['format', 'version']);
  });
});

describe('production mode', () => {
  let prod: TestApp;
  beforeAll(async () => {
    // The local server has no TLS; Aurora would keep the production default (require).
    prod = await startTestApp({ NODE_ENV: 'production', CORS_ORIGIN: 'https://contactfolio.com', PGSSLMODE: 'disable' });
  });
  afterAll(() => prod.close());

  it('behind the ALB (X-Forwarded-Proto: https, one proxy) the session cookie is Secure, HttpOnly, SameSite=Lax', async () => {
    const res = await prod
      .client()
      .post('/v1/auth/signup')
      .set('X-Forwarded-Proto', 'https')
      .send({ email: uniqueEmail(), password: PASSWORD, name: 'Prod' });
    expect(res.status).toBe(201);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('cf.sid='))!;
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
  });

  it('sends HSTS and upgrade-insecure-requests', async () => {
    const res = await prod.client().get('/health');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });

  it('never sends a session cookie over plain HTTP', async () => {
    const res = await prod.client().post('/v1/auth/signup').send({ email: uniqueEmail(), password: PASSWORD, name: 'Plain' });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('errors carry no stack traces or internals', async () => {
    const res = await prod.client().post('/v1/auth/signup').type('application/json').send('{bad');
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe('The request body is not valid JSON.');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+|node_modules/);
  });

  it('an unexpected error is a bare 500 in production and detailed in development, and logged either way', async () => {
    const logged: { obj: { err?: Error }; msg: string }[] = [];
    const logger = { error: (obj: object, msg: string) => logged.push({ obj, msg }), warn: () => undefined };
    const boom = (exposeStack: boolean) =>
      express()
        .get('/boom', () => {
          throw new Error('secret internal detail');
        })
        .use(errorHandler({ exposeStack, logger }));
    const prodRes = await supertest(boom(false)).get('/boom');
    expect(prodRes.status).toBe(500);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.msg).toBe('unhandled error');
    expect(logged[0]!.obj.err?.message).toBe('secret internal detail');
    expect(prodRes.body).toMatchObject({ code: 'internal_error', detail: 'An unexpected error occurred.' });
    expect(prodRes.text).not.toContain('secret internal detail');
    expect((await supertest(boom(true)).get('/boom')).body.detail).toContain('secret internal detail');
  });
});
