import { DOMParser } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler, type LambdaHandler } from '../../handlers/lambda-handler.ts';
import { REDIS_URL } from '../support/env.ts';
import { createTestDatabase, PASSWORD, TEST_SESSION_SECRET, uniqueEmail, type TestDatabase } from '../support/harness.ts';
import { LambdaClient, SOURCES } from './events.ts';

/*
 * The Lambda variant carries CardDAV: WebDAV's own methods (PROPFIND,
 * REPORT, PROPPATCH, MKCOL), XML bodies (also base64-encoded, as API Gateway
 * sends binary media types), Depth and Basic credentials, through the real
 * handler in every event shape it is given.
 */

let db: TestDatabase;
let handler: LambdaHandler;

beforeAll(async () => {
  db = await createTestDatabase();
  handler = createLambdaHandler({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL,
    SESSION_SECRET: TEST_SESSION_SECRET,
    LOG_LEVEL: 'silent',
    MIGRATE_ON_BOOT: 'true',
  });
  await handler.warm();
});
afterAll(async () => {
  await handler.close();
  await db.drop();
});

const xml = { 'content-type': 'application/xml; charset=utf-8' };
const hrefs = (text: string) =>
  Array.from(new DOMParser().parseFromString(text, 'application/xml').getElementsByTagNameNS('DAV:', 'href')).map((h) => h.textContent);

describe.each(SOURCES)('%s', (source) => {
  it('discovery, PROPFIND, PUT, REPORT (a base64 body too), PROPPATCH, MKCOL and DELETE', async () => {
    const web = new LambdaClient(handler, source);
    const email = uniqueEmail(`dav-${source}`);
    expect((await web.json('POST', '/v1/auth/signup', { email, password: PASSWORD, name: 'Lambda DAV' })).status).toBe(201);
    const minted = await web.json('POST', '/v1/app-passwords', { name: source });
    expect(minted.status).toBe(201);
    const userId = (await web.json('GET', '/v1/auth/me')).json().user.id as string;

    // The phone: no cookie, Basic credentials on every request.
    const phone = new LambdaClient(handler, source);
    const auth = { authorization: `Basic ${Buffer.from(`${email}:${minted.json().password}`).toString('base64')}` };
    const book = `/dav/addressbooks/${userId}/contacts/`;

    const wellKnown = await phone.send({ method: 'GET', path: '/.well-known/carddav' });
    expect(wellKnown.status).toBe(301);
    expect(wellKnown.headers.location).toBe('/dav/');

    expect((await phone.send({ method: 'PROPFIND', path: '/dav/', headers: { depth: '0' } })).status).toBe(401);
    const root = await phone.send({
      method: 'PROPFIND',
      path: '/dav/',
      headers: { ...auth, ...xml, depth: '0' },
      body: '<D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/></D:prop></D:propfind>',
    });
    expect(root.status).toBe(207);
    expect(root.headers.dav).toBe('1, 3, addressbook');
    expect(hrefs(root.text)).toEqual(['/dav/', `/dav/principals/${userId}/`]);

    const put = await phone.send({
      method: 'PUT',
      path: `${book}lambda.vcf`,
      headers: { ...auth, 'content-type': 'text/vcard; charset=utf-8', 'if-none-match': '*' },
      body: 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:lambda-1\r\nFN:Åse Lambda\r\nN:Lambda;Åse;;;\r\nEND:VCARD\r\n',
    });
    expect(put.status).toBe(201);

    const listing = await phone.send({
      method: 'PROPFIND',
      path: book,
      headers: { ...auth, ...xml, depth: '1' },
      body: '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>',
    });
    expect(listing.status).toBe(207);
    expect(hrefs(listing.text)).toEqual([book, `${book}lambda.vcf`]);
    expect(listing.text).toMatch(/<d:getetag>"[0-9a-f-]{36}-1"<\/d:getetag>/);

    const sync = await phone.send({
      method: 'REPORT',
      path: book,
      headers: { ...auth, ...xml },
      base64: true,
      body: '<D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/><C:address-data/></D:prop></D:sync-collection>',
    });
    expect(sync.status).toBe(207);
    expect(hrefs(sync.text)).toEqual([`${book}lambda.vcf`]);
    expect(sync.text).toContain('FN:Åse Lambda');
    expect(sync.text).toMatch(/<d:sync-token[^>]*>https:\/\/contactfolio\.com\/ns\/sync\/\d+-\d+<\/d:sync-token>/);

    const patch = await phone.send({
      method: 'PROPPATCH',
      path: book,
      headers: { ...auth, ...xml },
      body: '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>Mine</D:displayname></D:prop></D:set></D:propertyupdate>',
    });
    expect(patch.status).toBe(207);
    expect(patch.text).toContain('HTTP/1.1 403 Forbidden');
    expect((await phone.send({ method: 'MKCOL', path: book, headers: auth })).status).toBe(403);

    expect((await phone.send({ method: 'DELETE', path: `${book}lambda.vcf`, headers: auth })).status).toBe(204);
    expect((await web.json('GET', '/v1/contacts')).json().items).toEqual([]);
  });
});
