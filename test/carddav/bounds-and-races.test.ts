import ICAL from 'ical.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAppPassword } from '../../app/carddav/app-passwords.ts';
import { DAV_AUTH_LIMITS } from '../../app/carddav/auth.ts';
import { MAX_REQUESTED_PROPERTIES } from '../../app/carddav/multistatus.ts';
import { parseSyncToken } from '../../app/carddav/resources.ts';
import { MAX_XML_DEPTH, MAX_XML_MARKUP } from '../../app/carddav/xml.ts';
import { PASSWORD, startTestApp, type TestApp } from '../support/harness.ts';
import { card, dav, davUser, parseMultistatus, type DavUser } from './support.ts';

/*
 * What the second hostile review of the CardDAV server found: XML bodies
 * whose tree outgrew the heap, cards that wrote lines of the sender's
 * choosing into other clients' syncs, a multiget that answered one card per
 * spelling of its href, right passwords refused, app passwords that
 * outlived "sign out everywhere", and tombstones without end.
 */

let app: TestApp;
let user: DavUser;
let book: string;
const basic = (email: string, password: string) => `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
const report = (body: string) => dav(app, user, 'REPORT', book, { body, headers: { depth: '0' } });
const problem = (text: string) => JSON.parse(text) as { code: string; detail: string };

beforeAll(async () => {
  app = await startTestApp();
  user = await davUser(app);
  book = `/dav/addressbooks/${user.id}/contacts/`;
  const put = await dav(app, user, 'PUT', `${book}a.vcf`, {
    body: card('a', 'FN:Ada', 'PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ'),
    headers: { 'content-type': 'text/vcard' },
  });
  expect(put.status).toBe(201);
});
afterAll(() => app?.close());

describe('XML bodies are bounded before their tree is built', () => {
  it(`more than ${MAX_XML_MARKUP} tags is a 400 (a 1 MiB body of 262,000 elements took more than a 256 MB heap)`, async () => {
    const flood = await dav(app, user, 'PROPFIND', book, {
      headers: { depth: '0' },
      body: `<D:propfind xmlns:D="DAV:"><D:prop>${'<a/>'.repeat(262_000)}</D:prop></D:propfind>`,
    });
    expect(flood.status).toBe(400);
    expect(problem(flood.text)).toMatchObject({ code: 'invalid_xml', detail: `The XML body holds more than ${MAX_XML_MARKUP} tags.` });
    // A multiget of a thousand hrefs, the largest body a client sends, is well inside.
    const hrefs = Array.from({ length: 1000 }, (_, i) => `<D:href>${book}c${i}.vcf</D:href>`).join('');
    const large = await report(
      `<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop>${hrefs}</C:addressbook-multiget>`,
    );
    expect(large.status).toBe(207);
    expect(parseMultistatus(large.text).responses).toHaveLength(1000);
  });

  it(`nesting deeper than ${MAX_XML_DEPTH} is a 400, on PROPFIND and PROPPATCH (150,000 deep overflowed the stack)`, async () => {
    const nested = (n: number) => `${'<X:n xmlns:X="urn:x">'.repeat(n)}${'</X:n>'.repeat(n)}`;
    for (const [method, body] of [
      ['PROPFIND', (n: number) => `<D:propfind xmlns:D="DAV:"><D:prop>${nested(n)}</D:prop></D:propfind>`],
      ['PROPPATCH', (n: number) => `<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>${nested(n)}</D:prop></D:set></D:propertyupdate>`],
    ] as const) {
      const deep = await dav(app, user, method, book, { headers: { depth: '0' }, body: body(4000) });
      expect(deep.status).toBe(400);
      expect(problem(deep.text).detail).toBe(`The XML body nests elements more than ${MAX_XML_DEPTH} deep.`);
      expect((await dav(app, user, method, book, { headers: { depth: '0' }, body: body(MAX_XML_DEPTH - 4) })).status).toBe(207);
    }
  });

  it(`PROPPATCH names at most ${MAX_REQUESTED_PROPERTIES} properties, as PROPFIND and REPORT do`, async () => {
    const patch = (n: number) =>
      dav(app, user, 'PROPPATCH', book, {
        body: `<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>${Array.from({ length: n }, (_, i) => `<X:p${i} xmlns:X="urn:x">v</X:p${i}>`).join('')}</D:prop></D:set></D:propertyupdate>`,
      });
    const refused = await patch(MAX_REQUESTED_PROPERTIES + 1);
    expect(refused.status).toBe(400);
    expect(problem(refused.text).code).toBe('invalid_xml');
    const answered = await patch(MAX_REQUESTED_PROPERTIES);
    expect(answered.status).toBe(207);
    expect(answered.text.match(/<x:p\d+ /g)).toHaveLength(MAX_REQUESTED_PROPERTIES);
  });

  it('a property in the xml: namespace is answered as well-formed XML, under the xml prefix', async () => {
    const res = await dav(app, user, 'PROPFIND', book, {
      headers: { depth: '0' },
      body: '<D:propfind xmlns:D="DAV:"><D:prop><xml:foo/><D:getetag/></D:prop></D:propfind>',
    });
    expect(res.status).toBe(207);
    expect(res.text).toContain('<xml:foo/>');
    expect(res.text).not.toContain('xmlns:x="http://www.w3.org/XML/1998/namespace"');
    expect(parseMultistatus(res.text).responses).toHaveLength(1);
  });
});

describe('a multiget answers each card once, however its href is spelled', () => {
  it('hrefs that differ by query, percent-encoding or host are one card, answered under the first', async () => {
    const spellings = [`${book}a.vcf`, `${book}a.vcf?v=1`, `${book}%61.vcf`, `https://elsewhere.test${book}a.vcf?v=2`];
    const hrefs = Array.from({ length: 1000 }, (_, i) => spellings[i % spellings.length]!.replace('v=1', `v=${i}`));
    const res = await report(
      `<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><C:address-data/></D:prop>${hrefs.map((h) => `<D:href>${h}</D:href>`).join('')}<D:href>${book}none.vcf</D:href></C:addressbook-multiget>`,
    );
    expect(res.status).toBe(207);
    const { responses } = parseMultistatus(res.text);
    expect(responses.map((r) => [r.href, r.status ?? 200])).toEqual([
      [`${book}a.vcf`, 200],
      [`${book}none.vcf`, 404],
    ]);
  });
});

describe('a card cannot write lines into other clients’ syncs', () => {
  it('a PUT whose kept property would be written raw is refused; the book still syncs as one card a resource', async () => {
    const hostile = [
      'PHOTO;ENCODING=b;TYPE="JPEG^nEND:VCARD^nBEGIN:VCARD^nFN:Injected":AAAA',
      'IMPP:xmpp:a@b.test\\nEND:VCARD\\nBEGIN:VCARD\\nFN:Injected',
    ];
    for (const [i, line] of hostile.entries()) {
      const body = ['BEGIN:VCARD', 'VERSION:4.0', `UID:evil-${i}`, 'FN:Evil', line, 'END:VCARD', ''].join('\r\n');
      const put = await dav(app, user, 'PUT', `${book}evil-${i}.vcf`, { body, headers: { 'content-type': 'text/vcard' } });
      // Refused, or stored so that it writes as one line: either way no client reads a second card.
      expect([201, 403]).toContain(put.status);
      if (put.status === 403) expect(put.text).toContain('valid-address-data');
    }
    for (const version of ['3.0', '4.0']) {
      const sync = await report(
        `<D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><C:address-data version="${version}"><C:prop name="FN"/><C:prop name="PHOTO"/></C:address-data></D:prop></D:sync-collection>`,
      );
      expect(sync.status).toBe(207);
      for (const r of parseMultistatus(sync.text).responses) {
        const text = r.props.get('{urn:ietf:params:xml:ns:carddav}address-data')!.text;
        expect(text.match(/^BEGIN:VCARD\r?$/gm)).toHaveLength(1);
        const fns = new ICAL.Component(ICAL.parse(text) as unknown[]).getAllProperties('fn').map((p) => p.getFirstValue());
        expect(fns).not.toContain('Injected');
      }
    }
  });

  it('a contact made in the web app with CRs and line breaks in its fields is served as one card', async () => {
    const hostile = 'x\rEND:VCARD\rBEGIN:VCARD\rFN:Injected';
    const made = await user.agent
      .post('/v1/contacts')
      .send({ firstName: 'J', notes: `hi${hostile}`, emails: [{ value: 'j@example.test', customLabel: `work\nEND:VCARD` }] })
      .expect(201);
    for (const accept of ['text/vcard', 'text/vcard; version=4.0']) {
      const res = await dav(app, user, 'GET', `${book}${made.body.id}.vcf`, { headers: { accept } });
      expect(res.status).toBe(200);
      expect(res.text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      expect(res.text.match(/^(BEGIN|END):VCARD\r?$/gm)).toHaveLength(2);
      const fns = new ICAL.Component(ICAL.parse(res.text) as unknown[]).getAllProperties('fn').map((p) => p.getFirstValue());
      expect(fns).toEqual(['J']);
    }
  });

  it('a card with a NUL in its UID or a kept property is a 403 with a sentence, not a 500', async () => {
    for (const [name, lines] of [
      ['nul-uid', ['UID:a\u0000b', 'FN:Nul']],
      ['nul-prop', ['UID:nul-prop', 'FN:Nul', 'X-THING:a\u0000b']],
    ] as const) {
      const body = ['BEGIN:VCARD', 'VERSION:3.0', ...lines, 'END:VCARD', ''].join('\r\n');
      const res = await dav(app, user, 'PUT', `${book}${name}.vcf`, { body, headers: { 'content-type': 'text/vcard' } });
      expect(res.status).toBe(403);
      expect(res.text).toContain('the vCard contains a NUL character');
    }
  });
});

describe('a right app password is never refused', () => {
  it('a burst of 80 parallel requests of one device all sync, and leave nothing counted', async () => {
    const phone = await davUser(app, 'bursty phone');
    const burst = await Promise.all(
      Array.from({ length: 80 }, () => dav(app, phone, 'PROPFIND', '/dav/', { headers: { depth: '0', 'x-forwarded-for': '192.0.2.80' } })),
    );
    expect(burst.map((r) => r.status).filter((s) => s !== 207)).toEqual([]);
    // Nothing was counted: a wrong password from the same place is the first of its window (401, not 429).
    const wrong = await dav(app, { authorization: basic(phone.email, newAppPassword()) }, 'PROPFIND', '/dav/', {
      headers: { depth: '0', 'x-forwarded-for': '192.0.2.80' },
    });
    expect(wrong.status).toBe(401);
  });

  it('strangers behind the same address who fill its window do not lock out the devices that know their password', async () => {
    const owner = await davUser(app, 'office phone');
    const office = '198.51.100.200';
    // Wrong passwords for other accounts from the office's one public address, past its window.
    const strangers = await Promise.all(
      Array.from({ length: DAV_AUTH_LIMITS.ip.points + 10 }, (_, i) =>
        dav(app, { authorization: basic(`stranger-${i}@example.test`, newAppPassword()) }, 'PROPFIND', '/dav/', {
          headers: { depth: '0', 'x-forwarded-for': office },
        }),
      ),
    );
    expect(strangers.map((r) => r.status)).toContain(429);
    const own = await dav(app, owner, 'PROPFIND', '/dav/', { headers: { depth: '0', 'x-forwarded-for': office } });
    expect(own.status).toBe(207);
    // A wrong one from there is still refused for the address.
    const guess = await dav(app, { authorization: basic(owner.email, newAppPassword()) }, 'PROPFIND', '/dav/', {
      headers: { depth: '0', 'x-forwarded-for': office },
    });
    expect(guess.status).toBe(429);
  });
});

describe('sign out everywhere ends the app passwords being made meanwhile', () => {
  it('of 12 app passwords created while logout-all runs, none is left, and none shown works', async () => {
    const owner = await davUser(app, 'racing');
    const results = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => owner.agent.post('/v1/app-passwords').send({ name: `racer ${i}` })),
      owner.agent.post('/v1/auth/logout-all'),
    ]);
    const shown = results.slice(0, 12).flatMap((r) => (r.status === 201 ? [r.body.password as string] : []));
    for (const r of results.slice(0, 12)) expect([201, 401]).toContain(r.status);
    expect(results[12]!.status).toBe(204);
    for (const password of shown) {
      expect(
        (await dav(app, { authorization: basic(owner.email, password) }, 'PROPFIND', '/dav/', { headers: { depth: '0' } })).status,
      ).toBe(401);
    }
    const again = app.client();
    await again.post('/v1/auth/login').send({ email: owner.email, password: PASSWORD }).expect(200);
    expect((await again.get('/v1/app-passwords').expect(200)).body.items).toEqual([]);
  });
});

describe('tombstones are bounded', () => {
  const syncBody = (token: string) =>
    `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;
  const syncOf = (u: DavUser, token = '') =>
    dav(app, u, 'REPORT', `/dav/addressbooks/${u.id}/contacts/`, { body: syncBody(token), headers: { depth: '0' } });

  it('past 10,000 deletions the oldest go, and a token from before them is refused, not answered without them', async () => {
    const churner = await davUser(app, 'churner');
    const churnBook = `/dav/addressbooks/${churner.id}/contacts/`;
    const first = await syncOf(churner);
    const oldToken = parseMultistatus(first.text).syncToken!;
    const sql = new pg.Client({ connectionString: app.database.url });
    await sql.connect();
    try {
      // A PUT-and-DELETE loop under new names, 10,050 times over (as SQL: the same triggers, in seconds).
      await sql.query(
        `INSERT INTO "contacts" ("id", "user_id", "first_name", "search_text", "phone_digits", "sort_name", "dav_name", "updated_at")
         SELECT gen_random_uuid(), $1::uuid, 'Gone', 'gone', '', 'gone', 'gone-' || i || '.vcf', now() FROM generate_series(1, 10050) AS i`,
        [churner.id],
      );
      await sql.query(`DELETE FROM "contacts" WHERE "user_id" = $1::uuid AND "dav_name" <= 'gone-5'`, [churner.id]);
      const midToken = parseMultistatus((await syncOf(churner)).text).syncToken!;
      await sql.query(`DELETE FROM "contacts" WHERE "user_id" = $1::uuid`, [churner.id]);
      const { rows } = await sql.query(`SELECT count(*)::int AS n FROM "contact_tombstones" WHERE "user_id" = $1::uuid`, [churner.id]);
      expect(rows[0].n).toBeLessThanOrEqual(10_000);
      // The first token predates deletions that were pruned: the client must start again.
      const refused = await syncOf(churner, oldToken);
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('valid-sync-token');
      // A token after the pruned ones is still answered exactly: every deletion since, and nothing else.
      // Unless it names a transaction then running (another test file's, on this shared server) at or
      // below the newest pruned deletion: that one's deletions may be among the pruned, so it is refused too.
      const since = await syncOf(churner, midToken);
      const { point, inFlight } = parseSyncToken(midToken)!;
      const { rows: floor } = await sql.query(`SELECT "dav_sync_floor"::text AS f FROM "users" WHERE "id" = $1::uuid`, [churner.id]);
      expect(BigInt(point)).toBeGreaterThan(BigInt(floor[0].f));
      if (inFlight.some((x) => BigInt(x) <= BigInt(floor[0].f))) {
        expect(since.status).toBe(403);
      } else {
        expect(since.status).toBe(207);
        const gone = parseMultistatus(since.text).responses;
        const { rows: later } = await sql.query(
          `SELECT count(*)::int AS n FROM generate_series(1, 10050) AS i WHERE 'gone-' || i || '.vcf' > 'gone-5'`,
        );
        expect(gone).toHaveLength(later[0].n);
        expect(gone.every((r) => r.status === 404 && r.href.startsWith(`${churnBook}gone-`))).toBe(true);
      }
      // From scratch, the book is empty and its new token works.
      const fresh = await syncOf(churner);
      expect(parseMultistatus(fresh.text).responses).toEqual([]);
      expect((await syncOf(churner, parseMultistatus(fresh.text).syncToken!)).status).toBe(207);
    } finally {
      await sql.end();
    }
  }, 60_000);

  it('while a long transaction holds the sync point back, the token still changes with the book, and the change is sent', async () => {
    const poller = await davUser(app, 'poller');
    const pollBook = `/dav/addressbooks/${poller.id}/contacts/`;
    const tokenOf = async () =>
      parseMultistatus(
        (
          await dav(app, poller, 'PROPFIND', pollBook, {
            headers: { depth: '0' },
            body: '<D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>',
          })
        ).text,
      ).responses[0]!.props.get('{DAV:}sync-token')!.text;
    // A transaction with an id, left open (a report, a pg_dump, a migration): the cluster's oldest.
    const long = new pg.Client({ connectionString: app.database.url });
    await long.connect();
    try {
      await long.query('BEGIN');
      await long.query('SELECT pg_current_xact_id()');
      // A change after it began: from here the sync point is that transaction's, until it ends.
      const first = await dav(app, poller, 'PUT', `${pollBook}first.vcf`, {
        body: card('first', 'FN:First'),
        headers: { 'content-type': 'text/vcard' },
      });
      expect(first.status).toBe(201);
      const before = await tokenOf();
      const put = await dav(app, poller, 'PUT', `${pollBook}new.vcf`, {
        body: card('new', 'FN:New'),
        headers: { 'content-type': 'text/vcard' },
      });
      expect(put.status).toBe(201);
      const after = await tokenOf();
      // A client that polls the token (DAVx5 does) must see it move, or it never syncs the change.
      expect(after).not.toBe(before);
      const since = parseMultistatus((await syncOf(poller, before)).text);
      expect(since.responses.map((r) => r.href)).toContain(`${pollBook}new.vcf`);
    } finally {
      await long.query('ROLLBACK');
      await long.end();
    }
  });

  it('a forged token beyond the 64-bit transaction ids is refused, not a 500', async () => {
    const res = await syncOf(
      user,
      `https://contactfolio.com/ns/sync/99999999999999999999-${Math.floor(Date.now() / 1000 / 86_400) * 86_400}`,
    );
    expect(res.status).toBe(403);
    expect(res.text).toContain('valid-sync-token');
  });
});
