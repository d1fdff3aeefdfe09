import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmldom/xmldom';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { card, dav, davUser, parseMultistatus, type DavUser } from './support.ts';

/*
 * The XML exchanges of the RFCs' own examples, with their cards and bodies
 * (RFC 6352 section 8.6.4, 8.6.5 and 8.7.2 for Cyrus Daboo's address book;
 * RFC 6578 section 3.8 and 3.9 for sync-collection; RFC 6764 section 5 for
 * discovery). Paths are ours (/dav/addressbooks/<user>/contacts/ for the
 * RFC's /home/bernard/addressbook/); ETags and card texts are the server's.
 */

let app: TestApp;
let user: DavUser;
let book: string;

// The two cards of RFC 6352's examples (section 8.6.5's response shows both).
const V102 = card('34222-232@example.com', 'NICKNAME:me', 'FN:Cyrus Daboo', 'N:Daboo;Cyrus;;;', 'EMAIL:daboo@example.com');
const V104 = card('34222-233@example.com', 'NICKNAME:oliver', 'FN:Oliver Daboo', 'N:Daboo;Oliver;;;', 'EMAIL:oliver@example.com');

beforeAll(async () => {
  app = await startTestApp();
  user = await davUser(app);
  book = `/dav/addressbooks/${user.id}/contacts/`;
  for (const [name, body] of [
    ['v102.vcf', V102],
    ['v104.vcf', V104],
  ] as const) {
    const res = await dav(app, user, 'PUT', `${book}${name}`, {
      body,
      headers: { 'content-type': 'text/vcard; charset=utf-8', 'if-none-match': '*' },
    });
    expect(res.status).toBe(201);
  }
});
afterAll(() => app?.close());

const partial = `<D:prop>
    <D:getetag/>
    <C:address-data>
      <C:prop name="VERSION"/>
      <C:prop name="UID"/>
      <C:prop name="NICKNAME"/>
      <C:prop name="EMAIL"/>
      <C:prop name="FN"/>
    </C:address-data>
  </D:prop>`;

/** The properties of a returned card, in order, without BEGIN/END. */
const lines = (text: string) =>
  text
    .trim()
    .split(/\r?\n/)
    .filter((l) => !/^(BEGIN|END):VCARD$/.test(l));

describe('RFC 6764: discovery', () => {
  it('section 5: /.well-known/carddav redirects to the context path, which names the principal', async () => {
    const res = await dav(app, null, 'PROPFIND', '/.well-known/carddav');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/dav/');
    const root = await dav(app, user, 'PROPFIND', '/dav/', {
      body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>',
      headers: { depth: '0' },
    });
    expect(root.status).toBe(207);
    const [r] = parseMultistatus(root.text).responses;
    expect(r!.props.get('{DAV:}current-user-principal')!.text).toBe(`/dav/principals/${user.id}/`);
  });

  it('RFC 6352 7.1.1: the principal names the address-book home; the home lists the address book', async () => {
    const principal = await dav(app, user, 'PROPFIND', `/dav/principals/${user.id}/`, {
      body: '<A:propfind xmlns:A="DAV:" xmlns:B="urn:ietf:params:xml:ns:carddav"><A:prop><B:addressbook-home-set/><A:displayname/></A:prop></A:propfind>',
      headers: { depth: '0' },
    });
    const [p] = parseMultistatus(principal.text).responses;
    expect(p!.props.get('{urn:ietf:params:xml:ns:carddav}addressbook-home-set')!.text).toBe(`/dav/addressbooks/${user.id}/`);
    expect(p!.props.get('{DAV:}displayname')!.text).toBe('Test User');

    const home = await dav(app, user, 'PROPFIND', `/dav/addressbooks/${user.id}/`, {
      body: '<propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>',
      headers: { depth: '1' },
    });
    const responses = parseMultistatus(home.text).responses;
    expect(responses.map((r) => r.href)).toEqual([`/dav/addressbooks/${user.id}/`, book]);
    const types = responses[1]!.props.get('{DAV:}resourcetype')!.element;
    expect(Array.from(types.childNodes).map((n) => `{${(n as Element).namespaceURI}}${(n as Element).localName}`)).toEqual([
      '{DAV:}collection',
      '{urn:ietf:params:xml:ns:carddav}addressbook',
    ]);
  });

  it('RFC 6352 6.1: OPTIONS says "addressbook" in DAV', async () => {
    const res = await dav(app, user, 'OPTIONS', book);
    expect(res.status).toBe(200);
    expect(res.headers.get('dav')).toContain('addressbook');
    expect(res.headers.get('allow')).toContain('REPORT');
  });
});

describe('RFC 6352: reports', () => {
  it('8.6.4: addressbook-query, partial retrieval of the card whose NICKNAME is exactly "me"', async () => {
    const res = await dav(app, user, 'REPORT', book, {
      headers: { depth: '1', 'content-type': 'text/xml; charset="utf-8"' },
      body: `<?xml version="1.0" encoding="utf-8" ?>
<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
  ${partial}
  <C:filter>
    <C:prop-filter name="NICKNAME">
      <C:text-match collation="i;unicode-casemap" match-type="equals">me</C:text-match>
    </C:prop-filter>
  </C:filter>
</C:addressbook-query>`,
    });
    expect(res.status).toBe(207);
    const { responses } = parseMultistatus(res.text);
    expect(responses.map((r) => r.href)).toEqual([`${book}v102.vcf`]);
    expect(responses[0]!.props.get('{DAV:}getetag')!.text).toMatch(/^"[0-9a-f-]{36}-\d+"$/);
    expect(lines(responses[0]!.props.get('{urn:ietf:params:xml:ns:carddav}address-data')!.text).sort()).toEqual(
      ['VERSION:3.0', 'NICKNAME:me', 'UID:34222-232@example.com', 'FN:Cyrus Daboo', 'EMAIL;TYPE=INTERNET,OTHER:daboo@example.com'].sort(),
    );
  });

  it('8.6.5: anyof over FN and EMAIL, "daboo" contained in either, finds both cards', async () => {
    const res = await dav(app, user, 'REPORT', book, {
      headers: { depth: '1' },
      body: `<?xml version="1.0" encoding="utf-8" ?>
<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
  ${partial}
  <C:filter test="anyof">
    <C:prop-filter name="FN"><C:text-match collation="i;unicode-casemap" match-type="contains">daboo</C:text-match></C:prop-filter>
    <C:prop-filter name="EMAIL"><C:text-match collation="i;unicode-casemap" match-type="contains">daboo</C:text-match></C:prop-filter>
  </C:filter>
</C:addressbook-query>`,
    });
    const { responses } = parseMultistatus(res.text);
    expect(responses.map((r) => r.href)).toEqual([`${book}v102.vcf`, `${book}v104.vcf`]);
    // allof: only the card whose EMAIL also holds "daboo"; and the negation, only the other.
    const allof = await dav(app, user, 'REPORT', book, {
      body: `<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop>
  <C:filter test="allof">
    <C:prop-filter name="FN"><C:text-match match-type="contains">DABOO</C:text-match></C:prop-filter>
    <C:prop-filter name="EMAIL"><C:text-match match-type="starts-with">daboo@</C:text-match></C:prop-filter>
  </C:filter></C:addressbook-query>`,
    });
    expect(parseMultistatus(allof.text).responses.map((r) => r.href)).toEqual([`${book}v102.vcf`]);
    const negated = await dav(app, user, 'REPORT', book, {
      body: `<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop>
  <C:filter><C:prop-filter name="NICKNAME"><C:text-match negate-condition="yes" match-type="equals">me</C:text-match></C:prop-filter></C:filter></C:addressbook-query>`,
    });
    expect(parseMultistatus(negated.text).responses.map((r) => r.href)).toEqual([`${book}v104.vcf`]);
  });

  it('8.6: a collation the server does not have fails CARDDAV:supported-collation', async () => {
    const res = await dav(app, user, 'REPORT', book, {
      body: `<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop>
  <C:filter><C:prop-filter name="FN"><C:text-match collation="i;klingon">x</C:text-match></C:prop-filter></C:filter></C:addressbook-query>`,
    });
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/<card:supported-collation\/>/);
  });

  it('8.7.2: addressbook-multiget, one href a card and one not there (404)', async () => {
    const res = await dav(app, user, 'REPORT', book, {
      headers: { depth: '1' },
      body: `<?xml version="1.0" encoding="utf-8" ?>
<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
  ${partial}
  <D:href>${book}v102.vcf</D:href>
  <D:href>${book}vcf1.vcf</D:href>
</C:addressbook-multiget>`,
    });
    expect(res.status).toBe(207);
    const { responses } = parseMultistatus(res.text);
    expect(responses.map((r) => [r.href, r.status ?? r.props.get('{DAV:}getetag')!.status])).toEqual([
      [`${book}v102.vcf`, 200],
      [`${book}vcf1.vcf`, 404],
    ]);
    expect(responses[0]!.props.get('{urn:ietf:params:xml:ns:carddav}address-data')!.text).toContain('UID:34222-232@example.com');
  });

  it('8.7 with 10.4.1: address-data version="4.0" is served as vCard 4.0, the UID kept', async () => {
    const res = await dav(app, user, 'REPORT', book, {
      body: `<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><C:address-data content-type="text/vcard" version="4.0"/></D:prop><D:href>${book}v104.vcf</D:href></C:addressbook-multiget>`,
    });
    const data = parseMultistatus(res.text).responses[0]!.props.get('{urn:ietf:params:xml:ns:carddav}address-data')!.text;
    expect(data).toContain('VERSION:4.0');
    expect(data).toContain('UID:34222-233@example.com');
    const v5 = await dav(app, user, 'REPORT', book, {
      body: `<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><C:address-data version="5.0"/></D:prop><D:href>${book}v104.vcf</D:href></C:addressbook-multiget>`,
    });
    expect(v5.status).toBe(415);
    expect(v5.text).toContain('supported-address-data');
  });
});

describe('RFC 6578: sync-collection', () => {
  it('3.8 then 3.9: an initial sync lists every member with a token; the next, only what changed, a deletion as 404', async () => {
    const initial = await dav(app, user, 'REPORT', book, {
      headers: { 'content-type': 'text/xml; charset="utf-8"' },
      body: `<?xml version="1.0" encoding="utf-8" ?>
<D:sync-collection xmlns:D="DAV:">
  <D:sync-token/>
  <D:sync-level>1</D:sync-level>
  <D:prop xmlns:R="urn:ns.example.com:boxschema">
    <D:getetag/>
    <R:bigbox/>
  </D:prop>
</D:sync-collection>`,
    });
    expect(initial.status).toBe(207);
    const first = parseMultistatus(initial.text);
    expect(first.responses.map((r) => r.href)).toEqual([`${book}v102.vcf`, `${book}v104.vcf`]);
    // A property the server does not have is a 404 propstat (the RFC's R:bigbox).
    expect(first.responses[0]!.props.get('{urn:ns.example.com:boxschema}bigbox')!.status).toBe(404);
    expect(first.syncToken).toMatch(/^https:\/\/contactfolio\.com\/ns\/sync\/\d+-\d+(-(-1|\d+)(-\d+(\.\d+)*)?)?$/);

    // One card changed (through the JSON API), one deleted, one added.
    const list = await user.agent.get('/v1/contacts?q=oliver');
    await user.agent.patch(`/v1/contacts/${list.body.items[0].id}`).send({ jobTitle: 'Sync tester' }).expect(200);
    expect((await dav(app, user, 'DELETE', `${book}v102.vcf`)).status).toBe(204);
    const added = await dav(app, user, 'PUT', `${book}new.vcf`, {
      body: card('new-1', 'FN:New Person'),
      headers: { 'content-type': 'text/vcard' },
    });
    expect(added.status).toBe(201);

    const next = await dav(app, user, 'REPORT', book, {
      body: `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${first.syncToken}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`,
    });
    const second = parseMultistatus(next.text);
    expect(second.responses.map((r) => [r.href, r.status ?? 200]).sort()).toEqual(
      [
        [`${book}new.vcf`, 200],
        [`${book}v102.vcf`, 404],
        [`${book}v104.vcf`, 200],
      ].sort(),
    );
    expect(second.syncToken).not.toBe(first.syncToken);

    // Nothing changed since: an empty answer, still with a token.
    const quiet = parseMultistatus(
      (
        await dav(app, user, 'REPORT', book, {
          body: `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${second.syncToken}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`,
        })
      ).text,
    );
    expect(quiet.responses).toEqual([]);
    expect(quiet.syncToken).toBeTruthy();
  });

  it('3.2: a token this server did not give fails DAV:valid-sync-token (403), so the client starts over', async () => {
    for (const token of ['http://example.com/ns/sync/1234', 'https://contactfolio.com/ns/sync/12-1', 'garbage']) {
      const res = await dav(app, user, 'REPORT', book, {
        body: `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`,
      });
      expect(res.status, token).toBe(403);
      expect(res.text).toContain('<d:valid-sync-token/>');
    }
  });

  it('getctag and sync-token on the address book change when a card changes, and only then', async () => {
    const props = async () => {
      const res = await dav(app, user, 'PROPFIND', book, {
        headers: { depth: '0' },
        body: '<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>',
      });
      return parseMultistatus(res.text).responses[0]!.props;
    };
    const before = (await props()).get('{http://calendarserver.org/ns/}getctag')!.text;
    expect((await props()).get('{http://calendarserver.org/ns/}getctag')!.text).toBe(before);
    const list = await user.agent.get('/v1/contacts?q=new');
    await user.agent.patch(`/v1/contacts/${list.body.items[0].id}`).send({ notes: 'changed' }).expect(200);
    expect((await props()).get('{http://calendarserver.org/ns/}getctag')!.text).not.toBe(before);
  });
});

describe('hrefs', () => {
  it('name a card the way the client wrote it, encoding only what a path segment cannot hold', async () => {
    const name = 'E1A0@icloud.com name+(1).vcf';
    const put = await dav(app, user, 'PUT', `${book}${encodeURIComponent(name)}`, {
      body: card('href-test', 'FN:Href Test'),
      headers: { 'content-type': 'text/vcard' },
    });
    expect(put.status).toBe(201);
    expect(put.headers.get('location')).toBe(`${book}E1A0@icloud.com%20name+(1).vcf`);
    const listed = parseMultistatus((await dav(app, user, 'PROPFIND', book, { headers: { depth: '1' } })).text).responses.map(
      (r) => r.href,
    );
    expect(listed).toContain(`${book}E1A0@icloud.com%20name+(1).vcf`);
    // Either spelling of the same name reaches the same card.
    expect((await dav(app, user, 'GET', `${book}E1A0%40icloud.com%20name%2B%281%29.vcf`)).status).toBe(200);
    expect((await dav(app, user, 'DELETE', `${book}E1A0@icloud.com%20name+(1).vcf`)).status).toBe(204);
  });
});

describe('RFC 4918 9.2: PROPPATCH', () => {
  it('refuses to change a property, saying which and why, and changes nothing', async () => {
    const res = await dav(app, user, 'PROPPATCH', book, {
      body: '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>Mine</D:displayname></D:prop></D:set></D:propertyupdate>',
    });
    expect(res.status).toBe(207);
    const [r] = parseMultistatus(res.text).responses;
    expect(r!.href).toBe(book);
    expect(r!.props.get('{DAV:}displayname')!.status).toBe(403);
    expect(res.text).toContain('<d:cannot-modify-protected-property/>');
    const after = await dav(app, user, 'PROPFIND', book, {
      headers: { depth: '0' },
      body: '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>',
    });
    expect(parseMultistatus(after.text).responses[0]!.props.get('{DAV:}displayname')!.text).toBe('Contacts');
  });
});
