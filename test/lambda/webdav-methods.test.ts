import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler, type LambdaHandler } from '../../handlers/lambda-handler.ts';
import { parseMultistatus, type DavResponse } from '../carddav/support.ts';
import { createTestDatabase, PASSWORD, uniqueEmail, type TestDatabase } from '../support/harness.ts';
import { handlerEnv, LambdaClient, SOURCES, type HttpRequest, type LambdaResponse, type Source } from './events.ts';

/*
 * The Lambda variant carries CardDAV: WebDAV's own methods (PROPFIND,
 * REPORT, PROPPATCH, MKCOL), XML bodies, Depth and Basic credentials, through
 * the real handler (real PostgreSQL and Redis) in every event shape it is
 * given: API Gateway HTTP API (2.0) and REST API (1.0), ALB with and without
 * multi-value headers, Function URL.
 *
 * Each body arrives as that front end would hand it over: base64-encoded
 * (isBase64Encoded) when it takes the content type for binary (awsEncodes
 * below), and some requests base64 whatever their type (a REST API whose
 * binaryMediaTypes take every type). The PROPFINDs name a few properties and check
 * that exactly those come back: a body lost on the way would be read as
 * allprop and still answer 207.
 */

const XML = 'application/xml; charset=utf-8';

/**
 * Whether the front end base64-encodes a request body of this Content-Type.
 * - HTTP API: text/*, application/json, application/xml and
 *   application/javascript come as text, anything else (also no Content-Type)
 *   base64 (measured against AWS: ministackorg/ministack#766).
 * - ALB: the same four kinds as text (its documentation, "Lambda functions as
 *   targets"), the rest base64.
 * - Function URL: its documentation says only "if the content type of the
 *   request is binary"; an AWS presentation of Function URLs names only
 *   text/* and application/json as sent as text, so XML is taken as base64
 *   here (the other shapes send it as text, so both ways are tried).
 * - REST API: only its binaryMediaTypes (the LocalStack stack lists
 *   multipart/form-data).
 */
function awsEncodes(source: Source, contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]!.trim().toLowerCase();
  switch (source) {
    case 'restApiV1':
      return type === 'multipart/form-data';
    case 'functionUrl':
      return !type || !/^(text\/|application\/json$)/.test(type);
    case 'httpApiV2':
    case 'alb':
    case 'albMultiValue':
      return !type || !/^(text\/|application\/(json|xml|javascript)$)/.test(type);
  }
}

const card = (uid: string, fn: string) => `BEGIN:VCARD\r\nVERSION:3.0\r\nUID:${uid}\r\nFN:${fn}\r\nN:${fn};;;;\r\nEND:VCARD\r\n`;

const propfindBody = (...props: string[]) =>
  `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/"><d:prop>${props
    .map((p) => `<${p}/>`)
    .join('')}</d:prop></d:propfind>`;

const syncBody = (token: string) =>
  `<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/><card:address-data/></d:prop></d:sync-collection>`;

/** Clark names ("{DAV:}getetag") of a response's properties, sorted. */
const propNames = (r: DavResponse) => [...r.props.keys()].sort();
const status200 = (r: DavResponse) => [...r.props].filter(([, p]) => p.status === 200).map(([name]) => name);

let db: TestDatabase;
let handler: LambdaHandler;

beforeAll(async () => {
  db = await createTestDatabase();
  handler = createLambdaHandler(handlerEnv(db.url));
  await handler.warm();
});
afterAll(async () => {
  await handler.close();
  await db.drop();
});

describe.each(SOURCES)('%s', (source) => {
  let web: LambdaClient;
  let phone: LambdaClient;
  let email: string;
  let authorization: string;
  let userId: string;
  let book: string;

  /**
   * A request from the phone: Basic credentials, the Content-Length AWS
   * passes on, and the body encoded as the front end would (or base64 when
   * `base64` says so).
   */
  const dav = (req: HttpRequest & { auth?: boolean }): Promise<LambdaResponse> => {
    const { auth = true, ...rest } = req;
    const headers: Record<string, string> = { ...(auth ? { authorization } : {}), ...rest.headers };
    const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
    if (rest.body !== undefined) headers['content-length'] = String(Buffer.byteLength(rest.body));
    return phone.send({ ...rest, headers, base64: rest.base64 ?? (rest.body !== undefined && awsEncodes(source, contentType)) });
  };
  /** The card's ETag, as GET gives it. */
  const etagOf = async (name: string): Promise<string> => {
    const res = await dav({ method: 'GET', path: `${book}${name}` });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    return res.headers.etag!;
  };

  beforeAll(async () => {
    web = new LambdaClient(handler, source);
    email = uniqueEmail(`dav-${source}`);
    expect((await web.json('POST', '/v1/auth/signup', { email, password: PASSWORD, name: 'Lambda DAV' })).status).toBe(201);
    const minted = await web.json('POST', '/v1/app-passwords', { name: `phone (${source})` });
    expect(minted.status).toBe(201);
    const password = (minted.json() as { password: string }).password;
    authorization = `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
    userId = ((await web.json('GET', '/v1/auth/me')).json() as { user: { id: string } }).user.id;
    book = `/dav/addressbooks/${userId}/contacts/`;
    // The phone: no cookie, its credentials on every request.
    phone = new LambdaClient(handler, source);
  });

  it('discovery: /.well-known/carddav answers GET and PROPFIND with 301 and Location /dav/; the context path names the principal', async () => {
    for (const method of ['GET', 'PROPFIND']) {
      const res = await dav({
        method,
        path: '/.well-known/carddav',
        auth: false,
        ...(method === 'PROPFIND' ? { headers: { 'content-type': XML, depth: '0' }, body: propfindBody('d:current-user-principal') } : {}),
      });
      expect(res.status, method).toBe(301);
      expect(res.headers.location, method).toBe('/dav/');
    }

    const anonymous = await dav({ method: 'PROPFIND', path: '/dav/', auth: false, headers: { depth: '0' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm=/);

    const root = await dav({
      method: 'PROPFIND',
      path: '/dav/',
      headers: { 'content-type': XML, depth: '0' },
      body: propfindBody('d:current-user-principal'),
    });
    expect(root.status).toBe(207);
    expect(root.headers.dav).toBe('1, 3, addressbook');
    const [self] = parseMultistatus(root.text).responses;
    expect(self?.href).toBe('/dav/');
    expect(propNames(self!)).toEqual(['{DAV:}current-user-principal']);
    expect(self!.props.get('{DAV:}current-user-principal')?.text).toBe(`/dav/principals/${userId}/`);
  });

  it('PUT of a text/vcard creates the card (201, Location); GET gives it back with an ETag', async () => {
    const put = await dav({
      method: 'PUT',
      path: `${book}first.vcf`,
      headers: { 'content-type': 'text/vcard; charset=utf-8', 'if-none-match': '*' },
      body: card(`first-${source}`, 'Åse Lambda'),
    });
    expect(put.status).toBe(201);
    expect(put.headers.location).toBe(`${book}first.vcf`);

    const get = await dav({ method: 'GET', path: `${book}first.vcf` });
    expect(get.status).toBe(200);
    expect(get.headers['content-type']).toMatch(/^text\/vcard/);
    expect(get.text).toContain('FN:Åse Lambda');
    await etagOf('first.vcf');
  });

  it('PROPFIND Depth 0 on the address book: 207 with the book alone (not its card) and exactly the properties asked', async () => {
    const res = await dav({
      method: 'PROPFIND',
      path: book,
      headers: { 'content-type': XML, depth: '0' },
      body: propfindBody('d:resourcetype', 'd:displayname', 'd:sync-token', 'cs:getctag', 'card:supported-address-data'),
    });
    expect(res.status).toBe(207);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    const { responses } = parseMultistatus(res.text);
    expect(responses.map((r) => r.href)).toEqual([book]);
    const asked = [
      '{DAV:}displayname',
      '{DAV:}resourcetype',
      '{DAV:}sync-token',
      '{http://calendarserver.org/ns/}getctag',
      '{urn:ietf:params:xml:ns:carddav}supported-address-data',
    ];
    expect(propNames(responses[0]!)).toEqual(asked);
    expect(status200(responses[0]!).sort()).toEqual(asked);
    const type = responses[0]!.props.get('{DAV:}resourcetype')!.element;
    expect(type.getElementsByTagNameNS('urn:ietf:params:xml:ns:carddav', 'addressbook').length).toBe(1);
    expect(type.getElementsByTagNameNS('DAV:', 'collection').length).toBe(1);
  });

  it('PROPFIND Depth 1 (with and without a Content-Type) lists the card with its getetag, the ETag GET gives', async () => {
    const etag = await etagOf('first.vcf');

    // A client that sends no Content-Type: the HTTP API, the ALB and the Function URL base64 it.
    for (const headers of [{ 'content-type': XML, depth: '1' }, { depth: '1' }] as Record<string, string>[]) {
      const res = await dav({ method: 'PROPFIND', path: book, headers, body: propfindBody('d:getetag', 'd:getcontenttype') });
      expect(res.status, JSON.stringify(headers)).toBe(207);
      const { responses } = parseMultistatus(res.text);
      expect(responses.map((r) => r.href)).toEqual([book, `${book}first.vcf`]);
      const member = responses[1]!;
      expect(propNames(member)).toEqual(['{DAV:}getcontenttype', '{DAV:}getetag']);
      expect(member.props.get('{DAV:}getetag')).toMatchObject({ status: 200, text: etag });
      expect(member.props.get('{DAV:}getcontenttype')?.text).toMatch(/^text\/vcard/);
    }
  });

  it('REPORT sync-collection (body as AWS hands it over, then base64 whatever its type): the card with href, getetag and address-data; the token then gives only what changed', async () => {
    const etag = await etagOf('first.vcf');

    const initial = await dav({ method: 'REPORT', path: book, headers: { 'content-type': XML, depth: '0' }, body: syncBody('') });
    expect(initial.status).toBe(207);
    const first = parseMultistatus(initial.text);
    expect(first.responses.map((r) => r.href)).toEqual([`${book}first.vcf`]);
    expect(first.responses[0]!.props.get('{DAV:}getetag')).toMatchObject({ status: 200, text: etag });
    expect(first.responses[0]!.props.get('{urn:ietf:params:xml:ns:carddav}address-data')?.text).toContain('FN:Åse Lambda');
    expect(first.syncToken).toMatch(/^https:\/\/contactfolio\.com\/ns\/sync\/\d+-\d+(-(-1|\d+)(-\d+(\.\d+)*)?)?$/);

    // Both base64, whatever the front end would do: a REST API with binaryMediaTypes */*.
    const put = await dav({
      method: 'PUT',
      path: `${book}second.vcf`,
      headers: { 'content-type': 'text/vcard; charset=utf-8', 'if-none-match': '*' },
      body: card(`second-${source}`, 'Bjørn Base64'),
      base64: true,
    });
    expect(put.status).toBe(201);
    const changed = await dav({
      method: 'REPORT',
      path: book,
      headers: { 'content-type': XML, depth: '0' },
      body: syncBody(first.syncToken!),
      base64: true,
    });
    expect(changed.status).toBe(207);
    const since = parseMultistatus(changed.text);
    // Only the new card: the token in the base64 body was read.
    expect(since.responses.map((r) => r.href)).toEqual([`${book}second.vcf`]);
    const secondEtag = await etagOf('second.vcf');
    expect(since.responses[0]!.props.get('{DAV:}getetag')).toMatchObject({ status: 200, text: secondEtag });
    expect(since.responses[0]!.props.get('{urn:ietf:params:xml:ns:carddav}address-data')?.text).toContain('FN:Bjørn Base64');
    expect(since.syncToken).toMatch(/^https:\/\/contactfolio\.com\/ns\/sync\/\d+-\d+(-(-1|\d+)(-\d+(\.\d+)*)?)?$/);
  });

  it('PROPPATCH is refused per property (207), MKCOL is 403, DELETE removes the card from the JSON API too', async () => {
    const patch = await dav({
      method: 'PROPPATCH',
      path: book,
      headers: { 'content-type': XML },
      body: '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>Mine</D:displayname></D:prop></D:set></D:propertyupdate>',
    });
    expect(patch.status).toBe(207);
    const [refused] = parseMultistatus(patch.text).responses;
    expect(refused?.href).toBe(book);
    expect(refused?.props.get('{DAV:}displayname')?.status).toBe(403);
    expect((await dav({ method: 'MKCOL', path: book })).status).toBe(403);

    for (const name of ['first.vcf', 'second.vcf']) expect((await dav({ method: 'DELETE', path: `${book}${name}` })).status).toBe(204);
    expect(((await web.json('GET', '/v1/contacts')).json() as { items: unknown[] }).items).toEqual([]);
  });
});

describe('an event whose Content-Length is not its body’s', () => {
  // serverless-http keeps the event's content-length header when there is one, and a
  // front end hands on the client's: raw-body then finds fewer bytes than promised.
  it('is a 400 body_length_mismatch, not a 500', async () => {
    const client = new LambdaClient(handler, 'httpApiV2');
    const res = await client.send({
      method: 'POST',
      path: '/v1/auth/login',
      headers: { 'content-type': 'application/json', 'content-length': '100' },
      body: '{"email":"a@b.test"}',
    });
    expect(res.status, res.text).toBe(400);
    expect((res.json() as { code: string }).code).toBe('body_length_mismatch');
  });
});
