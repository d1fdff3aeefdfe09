import { afterAll, beforeAll, expect, it } from 'vitest';
import { REDIS_URL } from '../support/env.ts';
import { createTestDatabase, PASSWORD, TEST_SESSION_SECRET, uniqueEmail, type TestDatabase } from '../support/harness.ts';
import { startNode, type Started } from '../support/process.ts';

/* `npm run dev:lambda` as a user runs it: plain HTTP in, HTTP API v2 events to the real handler. */
let db: TestDatabase;
let dev: Started;
let url: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dev = await startNode(['--import', 'tsx', 'handlers/lambda-local.ts'], {
    PORT: '0',
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL,
    SESSION_SECRET: TEST_SESSION_SECRET,
    LOG_LEVEL: 'silent',
  });
  url = dev.url;
});
afterAll(async () => {
  await dev.stop();
  await db.drop();
});

it('serves an unchanged HTTP client: cookies, JSON, vCard import and export', async () => {
  const signup = await fetch(`${url}/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: uniqueEmail('offline'), password: PASSWORD, name: 'Offline' }),
  });
  expect(signup.status).toBe(201);
  const cookie = signup.headers
    .getSetCookie()
    .find((c) => c.startsWith('cf.sid='))!
    .split(';')[0]!;
  const vcard = 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Ødegård;Ingrid;;;\r\nFN:Ingrid Ødegård\r\nEND:VCARD\r\n';
  const imported = await fetch(`${url}/v1/contacts/import`, {
    method: 'POST',
    headers: { 'content-type': 'text/vcard', cookie },
    body: vcard,
  });
  expect(await imported.json()).toMatchObject({ imported: 1, merged: 0, unchanged: 0, skipped: [] });
  const exported = await fetch(`${url}/v1/contacts/export?format=vcard`, { headers: { cookie } });
  expect(exported.headers.get('content-type')).toBe('text/vcard; charset=utf-8');
  expect(await exported.text()).toContain('N:Ødegård;Ingrid;;;\r\nFN:Ingrid Ødegård\r\n');
  const missing = await fetch(`${url}/v1/contacts/not-a-uuid`, { headers: { cookie } });
  expect(missing.status).toBe(404);
  expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const logout = await fetch(`${url}/v1/auth/logout`, { method: 'POST', headers: { cookie } });
  expect(logout.status).toBe(204);
  expect(logout.headers.getSetCookie()[0]).toMatch(/^cf\.sid=;/);
  expect((await fetch(`${url}/v1/auth/me`, { headers: { cookie } })).status).toBe(401);
});
