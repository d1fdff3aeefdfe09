import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_APP_PASSWORDS, newAppPassword } from '../../app/carddav/app-passwords.ts';
import { DAV_AUTH_LIMITS } from '../../app/carddav/auth.ts';
import { MAX_MULTIGET_HREFS } from '../../app/carddav/routes.ts';
import { PASSWORD, signUp, startTestApp, uniqueEmail, type TestApp } from '../support/harness.ts';
import { card, dav, davUser, parseMultistatus, type DavUser } from './support.ts';

/*
 * The DAV paths under attack: who may sign in and how, what one user can
 * reach of another's, the contact cap, and hostile bodies, headers and names.
 */

let app: TestApp;
let alice: DavUser;
let bob: DavUser;
const bookOf = (u: { id: string }) => `/dav/addressbooks/${u.id}/contacts/`;
const vcard = { 'content-type': 'text/vcard; charset=utf-8' };
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

beforeAll(async () => {
  app = await startTestApp({ MAX_CONTACTS_PER_USER: '3' });
  alice = await davUser(app, 'Alice’s phone');
  bob = await davUser(app, 'Bob’s laptop');
  const put = await dav(app, alice, 'PUT', `${bookOf(alice)}a1.vcf`, { body: card('alice-1', 'FN:Alice Friend'), headers: vcard });
  expect(put.status).toBe(201);
});
afterAll(() => app?.close());

describe('signing in', () => {
  it('asks for Basic credentials, and takes neither the account password nor a wrong or revoked app password', async () => {
    const none = await dav(app, null, 'PROPFIND', '/dav/');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="contactfolio", charset="UTF-8"');

    expect((await dav(app, { authorization: basic(alice.email, PASSWORD).authorization }, 'PROPFIND', '/dav/')).status).toBe(401);
    expect((await dav(app, { authorization: basic(alice.email, newAppPassword()).authorization }, 'PROPFIND', '/dav/')).status).toBe(401);
    // Bob's app password with Alice's email: the pair must match.
    expect((await dav(app, { authorization: basic(alice.email, bob.password).authorization }, 'PROPFIND', '/dav/')).status).toBe(401);
    // Case and spacing of the email and password as people type them.
    const typed = basic(alice.email.toUpperCase(), alice.password.toUpperCase().replaceAll('-', ' '));
    expect((await dav(app, typed, 'PROPFIND', '/dav/', { headers: { depth: '0' } })).status).toBe(207);

    const list = await alice.agent.get('/v1/app-passwords').expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).not.toHaveProperty('password');
    expect(list.body.items[0].lastUsedAt).not.toBeNull();
    await alice.agent.delete(`/v1/app-passwords/${list.body.items[0].id}`).expect(204);
    expect((await dav(app, alice, 'PROPFIND', '/dav/')).status).toBe(401);
    await alice.agent.delete(`/v1/app-passwords/${list.body.items[0].id}`).expect(404);
    // A new one for the rest of the file.
    const again = await alice.agent.post('/v1/app-passwords').send({ name: 'Alice’s phone' }).expect(201);
    alice = { ...alice, password: again.body.password, authorization: basic(alice.email, again.body.password).authorization };
  });

  it('is never accepted by the JSON API, and the JSON API’s app-password routes need the session', async () => {
    const res = await fetch(`${app.baseUrl}/v1/contacts`, { headers: { authorization: alice.authorization } });
    expect(res.status).toBe(401);
    const mint = await fetch(`${app.baseUrl}/v1/app-passwords`, {
      method: 'POST',
      headers: { authorization: alice.authorization, 'content-type': 'application/json' },
      body: '{"name":"x"}',
    });
    expect(mint.status).toBe(401);
  });

  it(`refuses an address and account after ${DAV_AUTH_LIMITS.pair.points} wrong app passwords, but never the right one`, async () => {
    const victim = await davUser(app, 'victim');
    const from = (ip: string, password: string) =>
      dav(app, { authorization: basic(victim.email, password).authorization }, 'PROPFIND', '/dav/', {
        headers: { 'x-forwarded-for': ip, depth: '0' },
      });
    const statuses = [];
    for (let i = 0; i < DAV_AUTH_LIMITS.pair.points + 2; i++) statuses.push((await from('203.0.113.9', newAppPassword())).status);
    expect(statuses.slice(0, DAV_AUTH_LIMITS.pair.points).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(DAV_AUTH_LIMITS.pair.points)).toEqual([429, 429]);
    const locked = await from('203.0.113.9', newAppPassword());
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The owner's phone syncs, from there and from elsewhere: a right app password is never refused.
    expect((await from('203.0.113.9', victim.password)).status).toBe(207);
    expect((await from('198.51.100.20', victim.password)).status).toBe(207);
  });

  it(`caps app passwords at ${MAX_APP_PASSWORDS} per account, even when asked in parallel`, async () => {
    const agent = app.client();
    await signUp(agent, uniqueEmail('many'));
    const results = await Promise.all(
      Array.from({ length: MAX_APP_PASSWORDS + 5 }, (_, i) => agent.post('/v1/app-passwords').send({ name: `device ${i}` })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(MAX_APP_PASSWORDS);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.map((r) => r.body.code)).toEqual(Array(5).fill('app_password_limit_reached'));
    await agent.post('/v1/app-passwords').send({ name: '' }).expect(400);
  });
});

describe('one user’s address book is out of another’s reach', () => {
  it('on every path and method: 404, never the card nor whether it exists', async () => {
    const theirs = bookOf(alice);
    for (const [method, path, body] of [
      ['PROPFIND', `/dav/principals/${alice.id}/`, undefined],
      ['PROPFIND', `/dav/addressbooks/${alice.id}/`, undefined],
      ['PROPFIND', theirs, undefined],
      ['REPORT', theirs, '<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:prop><D:getetag/></D:prop></D:sync-collection>'],
      ['GET', `${theirs}a1.vcf`, undefined],
      ['GET', `${theirs}nothing.vcf`, undefined],
      ['DELETE', `${theirs}a1.vcf`, undefined],
      ['PROPPATCH', theirs, undefined],
    ] as const) {
      const res = await dav(app, bob, method, path, body ? { body } : {});
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.text).not.toContain('Alice');
    }
    const put = await dav(app, bob, 'PUT', `${theirs}b1.vcf`, { body: card('bob-1', 'FN:Planted'), headers: vcard });
    expect(put.status).toBe(404);
    // Alice's card is untouched and nothing was planted.
    const mine = parseMultistatus((await dav(app, alice, 'PROPFIND', theirs, { headers: { depth: '1' } })).text);
    expect(mine.responses.map((r) => r.href)).toEqual([theirs, `${theirs}a1.vcf`]);
  });

  it('a multiget in one’s own book naming the other’s hrefs gets 404s', async () => {
    const res = await dav(app, bob, 'REPORT', bookOf(bob), {
      body: `<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><C:address-data/></D:prop>
        <D:href>${bookOf(alice)}a1.vcf</D:href><D:href>${app.baseUrl}${bookOf(alice)}a1.vcf</D:href><D:href>${bookOf(bob)}../../${alice.id}/contacts/a1.vcf</D:href></C:addressbook-multiget>`,
    });
    const { responses } = parseMultistatus(res.text);
    expect(responses.map((r) => r.status)).toEqual([404, 404, 404]);
    expect(res.text).not.toContain('Alice');
  });
});

describe('the contact cap (MAX_CONTACTS_PER_USER=3) holds for PUT', () => {
  it('refuses the card past it with 507 quota-not-exceeded and a sentence, also for parallel PUTs', async () => {
    const carol = await davUser(app, 'carol');
    const puts = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        dav(app, carol, 'PUT', `${bookOf(carol)}c${i}.vcf`, { body: card(`carol-${i}`, `FN:Person ${i}`), headers: vcard }),
      ),
    );
    expect(puts.filter((r) => r.status === 201)).toHaveLength(3);
    const refused = puts.filter((r) => r.status !== 201);
    expect(refused.every((r) => r.status === 507)).toBe(true);
    expect(refused[0]!.text).toContain('<d:quota-not-exceeded/>');
    expect(refused[0]!.text).toContain('contact limit');
    expect((await carol.agent.get('/v1/limits')).body.contacts).toBe(3);
    // Updating a card at the cap is not a new contact.
    const first = puts.findIndex((r) => r.status === 201);
    const update = await dav(app, carol, 'PUT', `${bookOf(carol)}c${first}.vcf`, {
      body: card(`carol-${first}`, 'FN:Renamed'),
      headers: vcard,
    });
    expect(update.status).toBe(204);
  });
});

describe('preconditions', () => {
  it('If-None-Match: * does not overwrite, a stale If-Match is 412, and a second card with the same UID is 409 no-uid-conflict', async () => {
    const book = bookOf(bob);
    expect(
      (await dav(app, bob, 'PUT', `${book}x.vcf`, { body: card('bob-x', 'FN:X'), headers: { ...vcard, 'if-none-match': '*' } })).status,
    ).toBe(201);
    expect(
      (await dav(app, bob, 'PUT', `${book}x.vcf`, { body: card('bob-x', 'FN:Y'), headers: { ...vcard, 'if-none-match': '*' } })).status,
    ).toBe(412);
    const got = await dav(app, bob, 'GET', `${book}x.vcf`);
    expect(got.text).toContain('FN:X');
    const etag = got.headers.get('etag')!;
    expect(
      (await dav(app, bob, 'PUT', `${book}x.vcf`, { body: card('bob-x', 'FN:Z'), headers: { ...vcard, 'if-match': etag } })).status,
    ).toBe(204);
    expect(
      (await dav(app, bob, 'PUT', `${book}x.vcf`, { body: card('bob-x', 'FN:W'), headers: { ...vcard, 'if-match': etag } })).status,
    ).toBe(412);
    expect((await dav(app, bob, 'DELETE', `${book}x.vcf`, { headers: { 'if-match': etag } })).status).toBe(412);
    const conflict = await dav(app, bob, 'PUT', `${book}other.vcf`, { body: card('bob-x', 'FN:Copy'), headers: vcard });
    expect(conflict.status).toBe(409);
    expect(conflict.text).toContain(`<card:no-uid-conflict><d:href>${book}x.vcf</d:href></card:no-uid-conflict>`);
    expect((await dav(app, bob, 'GET', `${book}x.vcf`)).text).toContain('FN:Z');
  });
});

describe('hostile input', () => {
  const book = () => bookOf(bob);

  it('refuses XML with a DTD (entity expansion) and XML that is not well-formed, with 400', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&lol2;</D:displayname></D:prop></D:propfind>`;
    for (const body of [
      laughs,
      '<D:propfind xmlns:D="DAV:"><D:prop>',
      'not xml at all',
      '<a:propfind xmlns:a="DAV:"><b:prop/></a:propfind>',
    ]) {
      const res = await dav(app, bob, 'PROPFIND', book(), { body });
      expect(res.status, body.slice(0, 40)).toBe(400);
      expect(JSON.parse(res.text).code).toBe('invalid_xml');
    }
  });

  it('answers deep nesting, a bad Depth and a report it does not know clearly', async () => {
    const deep = `<D:propfind xmlns:D="DAV:"><D:prop>${'<x:a xmlns:x="urn:x">'.repeat(4_000)}${'</x:a>'.repeat(4_000)}</D:prop></D:propfind>`;
    const res = await dav(app, bob, 'PROPFIND', book(), { body: deep, headers: { depth: '0' } });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'invalid_xml', detail: expect.stringContaining('deep') });
    expect((await dav(app, bob, 'PROPFIND', book(), { headers: { depth: 'many' } })).status).toBe(400);
    const unknown = await dav(app, bob, 'REPORT', book(), { body: '<D:expand-property xmlns:D="DAV:"/>' });
    expect(unknown.status).toBe(400);
  });

  it('bounds bodies: a card or a report over 1 MiB is 413; a multiget of too many hrefs is refused', async () => {
    const big = card('bob-big', 'FN:Big', `NOTE:${'n'.repeat(1024 * 1024)}`);
    expect((await dav(app, bob, 'PUT', `${book()}big.vcf`, { body: big, headers: vcard })).status).toBe(413);
    const hrefs = Array.from({ length: MAX_MULTIGET_HREFS + 1 }, (_, i) => `<D:href>${book()}${i}.vcf</D:href>`).join('');
    const many = await dav(app, bob, 'REPORT', book(), {
      body: `<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop>${hrefs}</C:addressbook-multiget>`,
    });
    expect(many.status).toBe(400);
  });

  it('refuses cards that are not one vCard with a UID and a name or number (403 valid-address-data), storing nothing', async () => {
    const before = (await bob.agent.get('/v1/limits')).body.contacts as number;
    for (const body of [
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No UID\r\nEND:VCARD\r\n',
      `${card('two-1', 'FN:One')}${card('two-2', 'FN:Two')}`,
      card('no-name', 'NOTE:only a note'),
      'BEGIN:VCARD\r\nthis is not a vcard',
      `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n`,
    ]) {
      const res = await dav(app, bob, 'PUT', `${book()}bad.vcf`, { body, headers: vcard });
      expect(res.status, body.slice(0, 40)).toBe(403);
      expect(res.text).toContain('<card:valid-address-data/>');
    }
    expect((await dav(app, bob, 'PUT', `${book()}json.vcf`, { body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(
      415,
    );
    expect((await bob.agent.get('/v1/limits')).body.contacts).toBe(before);
  });

  it('treats names that are not one plain path segment as not found', async () => {
    // (".." and "%2e%2e" never arrive: URL parsers resolve them before sending.)
    for (const name of ['a%2Fb.vcf', 'a%5Cb.vcf', `${'x'.repeat(300)}.vcf`, 'nul%00.vcf', 'tab%09.vcf']) {
      const res = await dav(app, bob, 'PUT', `${book()}${name}`, { body: card(`n-${name.length}`, 'FN:Odd'), headers: vcard });
      expect(res.status, name).toBe(404);
    }
  });
});

describe('in production', () => {
  it('takes app passwords over HTTPS only (behind the ALB: X-Forwarded-Proto), refusing them over plain HTTP', async () => {
    const prod = await startTestApp({ NODE_ENV: 'production', CORS_ORIGIN: 'https://contactfolio.com', PGSSLMODE: 'disable' });
    try {
      const email = uniqueEmail('prod-dav');
      const outcome = await prod.runtime.deps.users.createWithinLimit({ email, name: 'Prod', passwordHash: 'not used' }, 50);
      if (!outcome.ok) throw new Error(outcome.reason);
      const password = newAppPassword();
      await prod.runtime.deps.appPasswords.create(outcome.user.id, 'phone', password);
      const auth = basic(email, password);
      const plain = await dav(prod, auth, 'PROPFIND', '/dav/', { headers: { depth: '0', 'x-forwarded-proto': 'http' } });
      expect(plain.status).toBe(403);
      expect(JSON.parse(plain.text).code).toBe('insecure_transport');
      const tls = await dav(prod, auth, 'PROPFIND', '/dav/', { headers: { depth: '0', 'x-forwarded-proto': 'https' } });
      expect(tls.status).toBe(207);
    } finally {
      await prod.close();
    }
  });
});
