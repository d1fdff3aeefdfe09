import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAppPassword } from '../../app/carddav/app-passwords.ts';
import { DAV_AUTH_LIMITS } from '../../app/carddav/auth.ts';
import { MAX_CARD_PROPERTIES } from '../../app/carddav/cards.ts';
import { MAX_REQUESTED_PROPERTIES } from '../../app/carddav/multistatus.ts';
import { CARD_PAGE } from '../../app/carddav/store.ts';
import { PASSWORD, startTestApp, type TestApp } from '../support/harness.ts';
import { card, dav, davUser, parseMultistatus, type DavUser } from './support.ts';

/*
 * What a hostile review of the CardDAV server found, each pushed past its
 * limit: answers that grow without bound, lockouts of the owner, sign-ins
 * that outlive a password change, characters XML cannot carry, requests
 * that were 500s, a second card with one UID, reused and loosely compared
 * ETags, and the smaller protocol slips.
 */

const MAX_CONTACTS = 2 * CARD_PAGE + 10;
let app: TestApp;
let user: DavUser;
let book: string;
const vcard = { 'content-type': 'text/vcard; charset=utf-8' };
const basic = (email: string, password: string) => `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
const put = (u: DavUser, name: string, body: string, headers: Record<string, string> = {}) =>
  dav(app, u, 'PUT', `/dav/addressbooks/${u.id}/contacts/${name}`, { body, headers: { ...vcard, ...headers } });
// XML 1.0 section 2.2, Char.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

beforeAll(async () => {
  app = await startTestApp({ MAX_CONTACTS_PER_USER: String(MAX_CONTACTS) });
  user = await davUser(app);
  book = `/dav/addressbooks/${user.id}/contacts/`;
  expect((await put(user, 'first.vcf', card('first', 'FN:First Card', 'EMAIL:first@example.test'))).status).toBe(201);
});
afterAll(() => app?.close());

describe('answers stay bounded', () => {
  it(`a multiget answers each href once, and a request naming more than ${MAX_REQUESTED_PROPERTIES} properties is refused`, async () => {
    const props = (n: number) => Array.from({ length: n }, (_, i) => `<X:p${i} xmlns:X="urn:x"/>`).join('');
    const hrefs = Array(1000).fill(`<D:href>${book}first.vcf</D:href>`).join('');
    const multiget = (n: number) =>
      dav(app, user, 'REPORT', book, {
        body: `<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/>${props(n)}</D:prop>${hrefs}</C:addressbook-multiget>`,
      });
    const ok = await multiget(MAX_REQUESTED_PROPERTIES - 1);
    expect(ok.status).toBe(207);
    const { responses } = parseMultistatus(ok.text);
    expect(responses).toHaveLength(1);
    expect(responses[0]!.props.size).toBe(MAX_REQUESTED_PROPERTIES);
    const tooMany = await multiget(MAX_REQUESTED_PROPERTIES + 1);
    expect(tooMany.status).toBe(400);
    expect(JSON.parse(tooMany.text)).toMatchObject({ code: 'invalid_xml' });
    expect(JSON.parse(tooMany.text).detail).toContain(String(MAX_REQUESTED_PROPERTIES));
    // The same property named twice is one property.
    const twice = await dav(app, user, 'PROPFIND', `${book}first.vcf`, {
      headers: { depth: '0' },
      body: `<D:propfind xmlns:D="DAV:"><D:prop>${'<D:getetag/>'.repeat(MAX_REQUESTED_PROPERTIES + 50)}</D:prop></D:propfind>`,
    });
    expect(twice.status).toBe(207);
    expect(twice.text.match(/<d:getetag>/g)).toHaveLength(1);
  });

  it(`every card of a book larger than a page (${CARD_PAGE}) is listed once, in order, by PROPFIND, sync and query`, async () => {
    const big = await davUser(app, 'big');
    const bigBook = `/dav/addressbooks/${big.id}/contacts/`;
    const names = Array.from({ length: MAX_CONTACTS }, (_, i) => `c${String(i).padStart(3, '0')}.vcf`);
    for (let i = 0; i < names.length; i += 10) {
      await Promise.all(
        names
          .slice(i, i + 10)
          .map((n) => put(big, n, card(n, `FN:Card ${n}`)))
          .map(async (r) => expect((await r).status).toBe(201)),
      );
    }
    const propfind = parseMultistatus((await dav(app, big, 'PROPFIND', bigBook, { headers: { depth: '1' } })).text);
    expect(propfind.responses.map((r) => r.href)).toEqual([bigBook, ...names.map((n) => `${bigBook}${n}`)]);
    const sync = parseMultistatus(
      (
        await dav(app, big, 'REPORT', bigBook, {
          body: '<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>',
        })
      ).text,
    );
    expect(sync.responses.map((r) => r.href)).toEqual(names.map((n) => `${bigBook}${n}`));
    const query = await dav(app, big, 'REPORT', bigBook, {
      body: `<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop>
        <C:filter><C:prop-filter name="FN"><C:text-match match-type="contains">Card c</C:text-match></C:prop-filter></C:filter>
        <C:limit><C:nresults>${CARD_PAGE + 3}</C:nresults></C:limit></C:addressbook-query>`,
    });
    const queried = parseMultistatus(query.text).responses;
    expect(queried.slice(0, -1).map((r) => r.href)).toEqual(names.slice(0, CARD_PAGE + 3).map((n) => `${bigBook}${n}`));
    expect(queried.at(-1)).toMatchObject({ href: bigBook, status: 507 });
  }, 60_000);
});

describe('signing in cannot be turned against the owner', () => {
  it('wrong passwords from many addresses do not lock the owner’s devices out', async () => {
    const owner = await davUser(app, 'owner');
    const from = (ip: string, password: string) =>
      dav(app, { authorization: basic(owner.email, password) }, 'PROPFIND', '/dav/', { headers: { 'x-forwarded-for': ip, depth: '0' } });
    // Enough wrong passwords to fill the per-account window, from addresses that each stay under theirs.
    const perAddress = DAV_AUTH_LIMITS.pair.points - 1;
    const addresses = Math.ceil((DAV_AUTH_LIMITS.account.points + 5) / perAddress);
    const wrong: number[] = [];
    for (let a = 0; a < addresses; a++) {
      for (let i = 0; i < perAddress; i++) wrong.push((await from(`203.0.113.${a + 1}`, newAppPassword())).status);
    }
    expect(wrong.slice(0, DAV_AUTH_LIMITS.account.points).every((s) => s === 401)).toBe(true);
    // Past the account's window a wrong password is 429 ...
    expect(wrong.at(-1)).toBe(429);
    // ... but the right one still syncs, from a new address and from one the attacker used.
    expect((await from('198.51.100.7', owner.password)).status).toBe(207);
    expect((await from('203.0.113.1', owner.password)).status).toBe(207);
  }, 60_000);

  it(`parallel wrong passwords from one address get exactly ${DAV_AUTH_LIMITS.pair.points} tries`, async () => {
    const target = await davUser(app, 'target');
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        dav(app, { authorization: basic(target.email, newAppPassword()) }, 'PROPFIND', '/dav/', {
          headers: { 'x-forwarded-for': '192.0.2.44', depth: '0' },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(DAV_AUTH_LIMITS.pair.points);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - DAV_AUTH_LIMITS.pair.points);
  });

  it('a right password is not counted: a device syncs past the limit', async () => {
    const phone = await davUser(app, 'busy phone');
    for (let i = 0; i < DAV_AUTH_LIMITS.pair.points + 5; i++) {
      const res = await dav(app, phone, 'PROPFIND', '/dav/', { headers: { 'x-forwarded-for': '192.0.2.50', depth: '0' } });
      expect(res.status).toBe(207);
    }
  });

  it('changing the password and signing out everywhere revoke every app password', async () => {
    const changer = await davUser(app, 'changer');
    await changer.agent.post('/v1/app-passwords').send({ name: 'second' }).expect(201);
    expect((await dav(app, changer, 'PROPFIND', '/dav/', { headers: { depth: '0' } })).status).toBe(207);
    await changer.agent
      .post('/v1/auth/password')
      .send({ currentPassword: PASSWORD, newPassword: `${PASSWORD}-new` })
      .expect(200);
    expect((await dav(app, changer, 'PROPFIND', '/dav/', { headers: { depth: '0' } })).status).toBe(401);
    expect((await changer.agent.get('/v1/app-passwords').expect(200)).body.items).toEqual([]);

    const leaver = await davUser(app, 'leaver');
    expect((await dav(app, leaver, 'PROPFIND', '/dav/', { headers: { depth: '0' } })).status).toBe(207);
    await leaver.agent.post('/v1/auth/logout-all').expect(204);
    expect((await dav(app, leaver, 'PROPFIND', '/dav/', { headers: { depth: '0' } })).status).toBe(401);
  });
});

describe('text XML cannot carry', () => {
  it('a note with a Word line break and other controls syncs as well-formed XML', async () => {
    const writer = await davUser(app, 'word');
    const res = await writer.agent
      .post('/v1/contacts')
      .send({ firstName: 'Vertical', lastName: 'Tab', notes: 'line one\u000Bline two\u0001\uFFFE end' });
    expect(res.status).toBe(201);
    const sync = await dav(app, writer, 'REPORT', `/dav/addressbooks/${writer.id}/contacts/`, {
      body: '<D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><C:address-data/></D:prop></D:sync-collection>',
    });
    expect(sync.status).toBe(207);
    expect(sync.text).not.toMatch(NOT_XML_CHAR);
    const data = parseMultistatus(sync.text).responses[0]!.props.get('{urn:ietf:params:xml:ns:carddav}address-data')!.text;
    // U+000B and U+0001 are spaces in the card (control characters), U+FFFE is U+FFFD in the XML.
    expect(data).toContain('NOTE:line one line two \uFFFD end');
  });
});

describe('requests that were 500s', () => {
  it('a property in no namespace, or in a namespace with a brace, gets a 404 propstat', async () => {
    const res = await dav(app, user, 'PROPFIND', book, {
      headers: { depth: '0' },
      body: '<D:propfind xmlns:D="DAV:"><D:prop><foo xmlns=""/><x:bar xmlns:x="urn:a}b"/><D:displayname/></D:prop></D:propfind>',
    });
    expect(res.status).toBe(207);
    const [r] = parseMultistatus(res.text).responses;
    expect(r!.props.get('{}foo')?.status).toBe(404);
    expect(r!.props.get('{urn:a}b}bar')?.status).toBe(404);
    expect(r!.props.get('{DAV:}displayname')).toMatchObject({ status: 200, text: 'Contacts' });
  });

  it('a path that is not valid percent-encoding is a 404, on /dav and on the JSON API', async () => {
    const davRes = await dav(app, user, 'GET', `${book}%zz.vcf`);
    expect(davRes.status).toBe(404);
    const json = await user.agent.get('/v1/contacts/%zz');
    expect(json.status).toBe(404);
    expect(json.body.code).toBe('not_found');
  });

  it('a body that does not inflate as its Content-Encoding says is a 400; one that does is read', async () => {
    const bad = await dav(app, user, 'PROPFIND', book, {
      headers: { depth: '0', 'content-encoding': 'gzip' },
      body: 'this is not gzip',
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).code).toBe('invalid_content_encoding');
    const good = await fetch(`${app.baseUrl}${book}`, {
      method: 'PROPFIND',
      headers: { authorization: user.authorization, depth: '0', 'content-type': 'application/xml', 'content-encoding': 'gzip' },
      body: gzipSync('<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>'),
    });
    expect(good.status).toBe(207);
    expect(await good.text()).toContain('<d:displayname>Contacts</d:displayname>');
  });

  it('a body that is not UTF-8 is a 400 invalid_utf8, not a card with U+FFFD in it', async () => {
    const res = await fetch(`${app.baseUrl}${book}latin1.vcf`, {
      method: 'PUT',
      headers: { authorization: user.authorization, ...vcard },
      // "René" in Latin-1: é is the lone byte 0xE9.
      body: Buffer.concat([
        Buffer.from('BEGIN:VCARD\r\nVERSION:3.0\r\nUID:latin1\r\nFN:Ren'),
        Buffer.from([0xe9]),
        Buffer.from('\r\nEND:VCARD\r\n'),
      ]),
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(await res.text()).code).toBe('invalid_utf8');
    expect((await dav(app, user, 'GET', `${book}latin1.vcf`)).status).toBe(404);
  });
});

describe('cards of hostile shape', () => {
  it(`a card of more than ${MAX_CARD_PROPERTIES} properties is refused with a sentence; one of ${MAX_CARD_PROPERTIES} is stored`, async () => {
    // Apple's item groups, a label beside each value: an address book app's shape, many times over.
    const groups = (n: number) =>
      Array.from({ length: n / 2 }, (_, i) => [
        `item${i + 1}.X-SOCIALPROFILE;TYPE=x:https://x.test/${i}`,
        `item${i + 1}.X-ABLabel:p${i}`,
      ]).flat();
    const over = await put(user, 'groups.vcf', card('groups', 'FN:Groups', ...groups(MAX_CARD_PROPERTIES)));
    expect(over.status).toBe(403);
    expect(over.text).toContain('<card:valid-address-data/>');
    expect(over.text).toContain(`more than ${MAX_CARD_PROPERTIES} properties`);
    const fits = await put(user, 'groups.vcf', card('groups', 'FN:Groups', ...groups(MAX_CARD_PROPERTIES - 4)));
    expect(fits.status).toBe(201);
    const got = await dav(app, user, 'GET', `${book}groups.vcf`);
    expect(got.text.match(/X-SOCIALPROFILE/g)).toHaveLength((MAX_CARD_PROPERTIES - 4) / 2);
    expect((await dav(app, user, 'DELETE', `${book}groups.vcf`)).status).toBe(204);
  });
});

describe('one UID, one card; one tag, one card', () => {
  it('a card PUT with the UID of a contact made in the web app is 409 no-uid-conflict, naming that card', async () => {
    const made = await user.agent.post('/v1/contacts').send({ firstName: 'Web', lastName: 'Made' });
    expect(made.status).toBe(201);
    const uid = `urn:uuid:${made.body.id}`;
    const clash = await put(user, 'elsewhere.vcf', card(uid, 'FN:Copy'));
    expect(clash.status).toBe(409);
    expect(clash.text).toContain('<card:no-uid-conflict>');
    expect(clash.text).toContain(`${book}${made.body.id}.vcf`);
    // The card itself, sent back with its own UID, is an update.
    expect((await put(user, `${made.body.id}.vcf`, card(uid, 'FN:Web Made', 'N:Made;Web;;;', 'NOTE:from the phone'))).status).toBe(204);
    expect((await user.agent.get(`/v1/contacts/${made.body.id}`)).body.notes).toBe('from the phone');
    expect((await put(user, 'elsewhere.vcf', card(uid, 'FN:Copy'))).status).toBe(409);
  });

  it('a card deleted and made again under its name has a new ETag, so the old one no longer matches', async () => {
    expect((await put(user, 'again.vcf', card('again-1', 'FN:Again'))).status).toBe(201);
    const before = (await dav(app, user, 'GET', `${book}again.vcf`)).headers.get('etag')!;
    expect((await dav(app, user, 'DELETE', `${book}again.vcf`)).status).toBe(204);
    expect((await put(user, 'again.vcf', card('again-2', 'FN:Again'))).status).toBe(201);
    const after = (await dav(app, user, 'GET', `${book}again.vcf`)).headers.get('etag')!;
    expect(after).not.toBe(before);
    expect((await put(user, 'again.vcf', card('again-2', 'FN:Overwritten'), { 'if-match': before })).status).toBe(412);
    expect((await dav(app, user, 'DELETE', `${book}again.vcf`, { headers: { 'if-match': before } })).status).toBe(412);
  });

  it('conditional requests as RFC 9110 13 says: strong If-Match, If-None-Match with a tag, on reads too', async () => {
    const path = `${book}first.vcf`;
    const got = await dav(app, user, 'GET', path);
    const etag = got.headers.get('etag')!;
    expect(got.headers.get('vary')).toMatch(/accept/i);
    expect(etag).toMatch(/^"[0-9a-f-]{36}-\d+"$/);
    // A weak tag never passes If-Match, nor a padded version.
    expect((await put(user, 'first.vcf', card('first', 'FN:First Card'), { 'if-match': `W/${etag}` })).status).toBe(412);
    expect((await put(user, 'first.vcf', card('first', 'FN:First Card'), { 'if-match': etag.replace(/-(\d+)"$/, '-0$1"') })).status).toBe(
      412,
    );
    // Reads: If-None-Match with the current tag is 304, If-Match with another is 412.
    const notModified = await dav(app, user, 'GET', path, { headers: { 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(etag);
    expect((await dav(app, user, 'GET', path, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
    expect((await dav(app, user, 'GET', path, { headers: { 'if-match': '"other"' } })).status).toBe(412);
    expect((await dav(app, user, 'HEAD', path, { headers: { 'if-match': etag } })).status).toBe(200);
    // Writes: If-None-Match naming the current tag fails.
    expect((await put(user, 'first.vcf', card('first', 'FN:First Card'), { 'if-none-match': etag })).status).toBe(412);
    expect((await dav(app, user, 'DELETE', path, { headers: { 'if-none-match': etag } })).status).toBe(412);
    expect((await put(user, 'first.vcf', card('first', 'FN:First Card', 'EMAIL:first@example.test'), { 'if-match': etag })).status).toBe(
      204,
    );
  });
});

describe('smaller protocol points', () => {
  it('an unknown path under /dav is a 404, not the web app’s page', async () => {
    for (const path of ['/dav/nothing', `/dav/addressbooks/${user.id}/contacts/first.vcf/deeper`, `/dav/principals/${user.id}/x`]) {
      const res = await dav(app, user, 'GET', path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).not.toContain('text/html');
    }
  });

  it('sync-collection takes Depth: 0 (or none) only (RFC 6578 3.2)', async () => {
    const body =
      '<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>';
    expect((await dav(app, user, 'REPORT', book, { body, headers: { depth: '1' } })).status).toBe(400);
    expect((await dav(app, user, 'REPORT', book, { body, headers: { depth: 'infinity' } })).status).toBe(400);
    expect((await dav(app, user, 'REPORT', book, { body, headers: { depth: '0' } })).status).toBe(207);
  });

  it('an empty DAV:prop still gets a propstat (RFC 4918 14.24)', async () => {
    const res = await dav(app, user, 'PROPFIND', book, {
      headers: { depth: '0' },
      body: '<D:propfind xmlns:D="DAV:"><D:prop/></D:propfind>',
    });
    expect(res.status).toBe(207);
    expect(res.text).toMatch(/<d:propstat><d:prop\/><d:status>HTTP\/1.1 200 OK<\/d:status><\/d:propstat>/);
  });

  it('a multiget answers under the href the client sent', async () => {
    const sent = [`${app.baseUrl}${book}first.vcf`, `${book}missing.vcf`];
    const res = await dav(app, user, 'REPORT', book, {
      body: `<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop>${sent.map((h) => `<D:href>${h}</D:href>`).join('')}</C:addressbook-multiget>`,
    });
    const { responses } = parseMultistatus(res.text);
    expect(responses.map((r) => r.href)).toEqual(sent);
    expect(responses.map((r) => r.status ?? r.props.get('{DAV:}getetag')!.status)).toEqual([200, 404]);
  });

  it('the sync-token property stays the same while the book does not change, whatever other accounts do', async () => {
    const quiet = await davUser(app, 'quiet');
    const quietBook = `/dav/addressbooks/${quiet.id}/contacts/`;
    expect((await put(quiet, 'q.vcf', card('q', 'FN:Quiet'))).status).toBe(201);
    const token = async () =>
      parseMultistatus(
        (
          await dav(app, quiet, 'PROPFIND', quietBook, {
            headers: { depth: '0' },
            body: '<D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>',
          })
        ).text,
      ).responses[0]!.props.get('{DAV:}sync-token')!.text;
    const before = await token();
    // Another account's writes move the cluster's transaction ids on.
    for (let i = 0; i < 3; i++)
      await user.agent
        .post('/v1/contacts')
        .send({ firstName: `Other ${i}` })
        .expect(201);
    expect(await token()).toBe(before);
    expect((await put(quiet, 'q2.vcf', card('q2', 'FN:Quiet Two'))).status).toBe(201);
    const changed = await token();
    expect(changed).not.toBe(before);
    // And the old token still finds exactly that change.
    const since = await dav(app, quiet, 'REPORT', quietBook, {
      body: `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${before}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`,
    });
    expect(parseMultistatus(since.text).responses.map((r) => r.href)).toEqual([`${quietBook}q2.vcf`]);
  });
});
