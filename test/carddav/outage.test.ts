import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startProxiedApp, type ProxiedApp } from '../support/proxied-app.ts';
import { card, dav, davUser, parseMultistatus, type DavUser } from './support.ts';

/*
 * A phone syncing while PostgreSQL is down or hung gets a 503 with
 * Retry-After within the deadlines (a client retries later), never a hang
 * or a 500, and nothing half-written; the app recovers by itself. Redis
 * holds only the counts of wrong passwords, so without it a phone with the
 * right one syncs on.
 */

let app: ProxiedApp;
let user: DavUser;
let book: string;

beforeAll(async () => {
  app = await startProxiedApp();
  user = await davUser(app.t);
  book = `/dav/addressbooks/${user.id}/contacts/`;
  expect(
    (await dav(app.t, user, 'PUT', `${book}before.vcf`, { body: card('before', 'FN:Before'), headers: { 'content-type': 'text/vcard' } }))
      .status,
  ).toBe(201);
});
afterAll(() => app?.close());

const sync =
  '<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>';
const requests = () => [
  () => dav(app.t, user, 'PROPFIND', book, { headers: { depth: '1' } }),
  () => dav(app.t, user, 'REPORT', book, { body: sync }),
  () => dav(app.t, user, 'GET', `${book}before.vcf`),
  () => dav(app.t, user, 'PUT', `${book}during.vcf`, { body: card('during', 'FN:During'), headers: { 'content-type': 'text/vcard' } }),
  () => dav(app.t, user, 'DELETE', `${book}before.vcf`),
];

async function expectUnavailable(code: string) {
  for (const send of requests()) {
    const started = performance.now();
    const res = await send();
    expect(res.status, res.text).toBe(503);
    expect(JSON.parse(res.text).code).toBe(code);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(12_000);
  }
}

async function expectRecovered() {
  const res = await eventually(
    () => dav(app.t, user, 'PROPFIND', book, { headers: { depth: '1' } }),
    (r) => r.status === 207,
    20_000,
  );
  // Nothing refused was written, nothing refused was deleted.
  expect(parseMultistatus(res.text).responses.map((r) => r.href)).toEqual([book, `${book}before.vcf`]);
}

it('PostgreSQL down: 503 database_unavailable on every DAV method, then recovery', async () => {
  await app.pgProxy.cut();
  await expectUnavailable('database_unavailable');
  await app.pgProxy.restore();
  await expectRecovered();
}, 90_000);

it('PostgreSQL hung: 503 within the deadlines, then recovery', async () => {
  app.pgProxy.hang();
  await expectUnavailable('database_unavailable');
  app.pgProxy.resume();
  await expectRecovered();
}, 120_000);

it('Redis down: a right app password still syncs (it needs no counter); a wrong one, which must be counted, is 503', async () => {
  await app.redisProxy.cut();
  const started = performance.now();
  expect((await dav(app.t, user, 'PROPFIND', book, { headers: { depth: '1' } })).status).toBe(207);
  const wrong = { authorization: `Basic ${Buffer.from(`${user.email}:not-the-password`).toString('base64')}` };
  const refused = await dav(app.t, wrong, 'PROPFIND', book, { headers: { depth: '0' } });
  expect(refused.status, refused.text).toBe(503);
  expect(JSON.parse(refused.text).code).toBe('sessions_unavailable');
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(performance.now() - started).toBeLessThan(12_000);
  await app.redisProxy.restore();
  await eventually(
    () => dav(app.t, wrong, 'PROPFIND', book, { headers: { depth: '0' } }),
    (r) => r.status === 401,
    20_000,
  );
  await expectRecovered();
}, 90_000);
