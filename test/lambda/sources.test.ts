import express from 'express';
import pg from 'pg';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../app/config/schema.ts';
import { createApp } from '../../app/create-app.ts';
import { createLogger, startRuntime, type Runtime } from '../../handlers/bootstrap.ts';
import { createLambdaHandler, type LambdaHandler } from '../../handlers/lambda-handler.ts';
import { wrapHttp } from '../../handlers/serverless-adapter.ts';
import { createTestDatabase, PASSWORD, uniqueEmail, withAppName, type TestDatabase } from '../support/harness.ts';
import { buildEvent, CLIENT_IP, handlerEnv, LambdaClient, readResult, SOURCES } from './events.ts';

let db: TestDatabase;
let env: Record<string, string>;
const HANDLER_APP_NAME = 'cf-lambda-under-test';
let handler: LambdaHandler;
/** The same app served the ordinary way, to compare bytes with. */
let direct: { runtime: Runtime; app: express.Express };

beforeAll(async () => {
  db = await createTestDatabase();
  env = handlerEnv(db.url);
  // The handler's connections carry their own application_name, so they can be told from the direct app's.
  handler = createLambdaHandler({ ...env, DATABASE_URL: withAppName(db.url, HANDLER_APP_NAME) });
  await handler.warm();
  const runtime = await startRuntime(parseConfig({ ...env, TRUST_PROXY: '1' }), createLogger('silent'));
  direct = { runtime, app: createApp(runtime.deps) };
});
afterAll(async () => {
  await handler.close();
  await direct.runtime.close();
  await db.drop();
});

const VCARDS = Buffer.from(
  'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Nørgaard;Åse;;;\r\nFN:Åse Nørgaard\r\nEMAIL;TYPE=WORK:ase@example.dk\r\nTEL;TYPE=CELL:+45 12 34 56 78\r\nEND:VCARD\r\n' +
    'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Li Wei\r\nN:Li;Wei;;;\r\nTEL;VALUE=uri:tel:+86-10-5555-0100\r\nEND:VCARD\r\n',
  'utf8',
);

describe.each(SOURCES)('%s', (source) => {
  it("the contract's whole journey: signup, login, CRUD, search, import, export, logout", async () => {
    const c = new LambdaClient(handler, source);
    const email = uniqueEmail(source);

    const signup = await c.json('POST', '/v1/auth/signup', { email, password: PASSWORD, name: 'Lambda' });
    expect(signup.status).toBe(201);
    const sessionCookie = signup.setCookies.find((c) => c.startsWith('cf.sid='));
    expect(sessionCookie).toMatch(/^cf\.sid=.*; HttpOnly; SameSite=Lax/);
    // The device cookie (login-limiter.ts) comes too, except through an ALB
    // without multi-value headers, which carries one Set-Cookie: the session's.
    const others = signup.setCookies.filter((c) => c !== sessionCookie);
    if (source === 'alb') expect(others).toEqual([]);
    else
      expect(others).toEqual([
        expect.stringMatching(/^cf\.dev=[\w-]+\.[\w-]+; Max-Age=\d+; Path=\/v1\/auth; Expires=.*; HttpOnly; SameSite=Lax$/),
      ]);
    expect((await c.json('POST', '/v1/auth/logout')).status).toBe(204);
    expect((await c.json('GET', '/v1/auth/me')).status).toBe(401);
    const login = await c.json('POST', '/v1/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.json().user.email).toBe(email.toLowerCase());

    const created = await c.json('POST', '/v1/contacts', { firstName: 'Zoë', lastName: 'Ørsted', tags: ['lambda'] });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"v1"');
    const url = created.headers.location!;
    expect(url).toMatch(/^\/v1\/contacts\/[0-9a-f-]{36}$/);
    expect((await c.json('GET', url)).json().firstName).toBe('Zoë');
    const patched = await c.json('PATCH', url, { company: 'Ångström' }, { 'if-match': '"v1"' });
    expect(patched.status).toBe(200);
    expect((await c.json('PATCH', url, { company: 'Stale' }, { 'if-match': '"v1"' })).status).toBe(412);

    const imported = await c.send({
      method: 'POST',
      path: '/v1/contacts/import',
      headers: { 'content-type': 'text/vcard' },
      body: VCARDS,
      base64: true,
    });
    expect(imported.status).toBe(200);
    expect(imported.json()).toMatchObject({ imported: 2, merged: 0, unchanged: 0, skipped: [] });

    const search = await c.send({ method: 'GET', path: '/v1/contacts', query: { q: 'ase norgaard', sort: 'name' } });
    expect(search.json().items.map((x: { lastName: string }) => x.lastName)).toEqual(['Nørgaard']);
    const all = await c.send({ method: 'GET', path: '/v1/contacts', query: { limit: '2' } });
    expect(all.json().total).toBe(3);
    expect(all.json().nextCursor).toEqual(expect.any(String));

    for (const format of ['vcard', 'csv']) {
      const viaLambda = await c.send({ method: 'GET', path: '/v1/contacts/export', query: { format } });
      expect(viaLambda.status).toBe(200);
      const viaServer = await supertest(direct.app)
        .get(`/v1/contacts/export?format=${format}`)
        .set('Cookie', c.sessionCookie!)
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(viaServer.status).toBe(200);
      expect(viaLambda.body.equals(viaServer.body as Buffer)).toBe(true);
      expect(viaLambda.headers['content-type']).toBe(format === 'csv' ? 'text/csv; charset=utf-8' : 'text/vcard; charset=utf-8');
    }

    expect((await c.json('DELETE', url)).status).toBe(204);
    expect((await c.json('GET', url)).status).toBe(404);
    const logout = await c.json('POST', '/v1/auth/logout');
    expect(logout.status).toBe(204);
    expect(logout.setCookies[0]).toMatch(/^cf\.sid=;/);
    expect((await c.json('GET', '/v1/contacts')).status).toBe(401);
  });

  it('errors are problem documents: unknown route 404, malformed JSON 400, oversized body 413', async () => {
    const c = new LambdaClient(handler, source);
    await c.json('POST', '/v1/auth/signup', { email: uniqueEmail(), password: PASSWORD, name: 'E' });
    const missing = await c.json('GET', '/v1/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.json().code).toBe('not_found');
    const bad = await c.send({
      method: 'POST',
      path: '/v1/contacts',
      headers: { 'content-type': 'application/json' },
      body: '{"firstName":',
    });
    expect(bad.status).toBe(400);
    expect(bad.json().code).toBe('malformed_json');
    const big = await c.json('POST', '/v1/contacts', { firstName: 'x', notes: 'n'.repeat(1_100_000) });
    expect(big.status).toBe(413);
    expect(big.json().code).toBe('payload_too_large');
  });

  it('several Set-Cookie headers survive the way the source carries them', async () => {
    const app = express().get('/two', (_req, res) => {
      res.cookie('a', '1', { httpOnly: true }).cookie('b', '2', { secure: true }).json({ ok: true });
    });
    const out = readResult(source, await wrapHttp(app)(buildEvent(source, { method: 'GET', path: '/two' }), {}));
    expect(out.status).toBe(200);
    if (source === 'alb') {
      // An ALB without multi-value headers can carry one Set-Cookie: the last one
      // is kept (the app never sets more than one per response).
      expect(out.setCookies).toEqual(['b=2; Path=/; Secure']);
    } else {
      expect(out.setCookies).toEqual(['a=1; Path=/; HttpOnly', 'b=2; Path=/; Secure']);
    }
  });
});

describe('paths', () => {
  it('strips a named HTTP API stage from rawPath', async () => {
    const c = new LambdaClient(handler, 'httpApiV2', { stage: 'prod' });
    const res = await c.json('POST', '/v1/auth/signup', { email: uniqueEmail(), password: PASSWORD, name: 'Staged' });
    expect(res.status).toBe(201);
    expect((await c.json('GET', '/v1/auth/me')).status).toBe(200);
  });

  it('strips BASE_PATH (a custom domain mapping) only as a prefix', async () => {
    const mapped = createLambdaHandler({ ...env, BASE_PATH: '/api' });
    try {
      for (const source of ['restApiV1', 'httpApiV2', 'albMultiValue'] as const) {
        const c = new LambdaClient(mapped, source);
        expect((await c.json('GET', '/api/health')).json()).toEqual({ status: 'ok', checks: { database: 'ok', sessions: 'ok' } });
        expect((await c.json('POST', '/api/v1/auth/signup', { email: uniqueEmail(), password: PASSWORD, name: 'Mapped' })).status).toBe(
          201,
        );
        expect((await c.json('GET', '/api/v1/auth/me')).status).toBe(200);
        // "/api" elsewhere in a path is not a base path.
        expect((await c.json('GET', '/v1/contacts/export/api')).status).toBe(404);
      }
    } finally {
      await mapped.close();
    }
  });
});

describe('client IP and protocol come from the event', () => {
  it('secure cookies in production when the event says https', async () => {
    const prod = createLambdaHandler({ ...env, NODE_ENV: 'production', CORS_ORIGIN: 'https://contactfolio.com', PGSSLMODE: 'disable' });
    try {
      for (const source of SOURCES) {
        const c = new LambdaClient(prod, source);
        const res = await c.json('POST', '/v1/auth/signup', { email: uniqueEmail(), password: PASSWORD, name: 'Secure' });
        expect(res.status, source).toBe(201);
        expect(res.setCookies[0], source).toMatch(/; Secure/);
      }
    } finally {
      await prod.close();
    }
  });

  it.each(SOURCES)('%s: the login limiter counts the client IP AWS saw, not a forged X-Forwarded-For', async (source) => {
    // The attacker forges a different X-Forwarded-For on every attempt.
    const attacker = (i: number) =>
      new LambdaClient(handler, source, {
        sourceIp: `203.0.113.${SOURCES.indexOf(source) + 10}`,
        headers: { 'x-forwarded-for': `192.0.2.${i}` },
      });
    for (let i = 0; i < 50; i++)
      expect((await attacker(i).json('POST', '/v1/auth/login', { email: uniqueEmail('spray'), password: 'x' })).status).toBe(401);
    const email = uniqueEmail('victim');
    await new LambdaClient(handler, source, { sourceIp: '198.51.100.200' }).json('POST', '/v1/auth/signup', {
      email,
      password: PASSWORD,
      name: 'V',
    });
    expect((await attacker(99).json('POST', '/v1/auth/login', { email, password: PASSWORD })).status).toBe(429);
    // Another caller is unaffected.
    expect(
      (await new LambdaClient(handler, source, { sourceIp: CLIENT_IP }).json('POST', '/v1/auth/login', { email, password: PASSWORD }))
        .status,
    ).toBe(200);
  });
});

describe('one execution environment', () => {
  it('serves 300 sequential invocations on one database connection and one Redis connection', async () => {
    const c = new LambdaClient(handler, 'httpApiV2');
    await c.json('POST', '/v1/auth/signup', { email: uniqueEmail(), password: PASSWORD, name: 'Many' });
    await c.json('POST', '/v1/contacts', { firstName: 'Many' });
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    // The handler's own, by application_name: the direct app's idle pool may close a connection meanwhile.
    const handlerConnections = async () =>
      Number(
        (
          await admin.query('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1', [
            HANDLER_APP_NAME,
          ])
        ).rows[0].n,
      );
    try {
      expect(await handlerConnections()).toBe(1);
      for (let i = 0; i < 300; i++) {
        const res = await c.send({ method: 'GET', path: '/v1/contacts', ...(i % 3 ? {} : { query: { q: 'many' } }) });
        expect(res.status).toBe(200);
      }
      expect(await handlerConnections()).toBe(1);
    } finally {
      await admin.end();
    }
  });
});
