import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { dav, davUser, type DavUser } from './support.ts';

/*
 * One contact, two views: a card as a phone PUTs it keeps its UID and the
 * properties the contact does not model through edits on either side. The
 * card is test/fixtures/apple.vcf (an iOS 17 export: item groups, X-ABLabel,
 * X-ABADR, an embedded PHOTO) with the UID iOS gives every card it syncs.
 */

let app: TestApp;
let user: DavUser;
let book: string;
const IOS_UID = '9C3B5A57-9E0E-4E5B-8A8E-7F0E62B1A1C4';
const apple = readFileSync(path.join(import.meta.dirname, '../fixtures/apple.vcf'), 'utf8')
  .replace(/\r?\n/g, '\r\n')
  .replace(
    'END:VCARD',
    `UID:${IOS_UID}\r\nX-SOCIALPROFILE;type=mastodon;x-user=johnny:https://example.social/@johnny\r\nitem9.IMPP;X-SERVICE-TYPE=Signal:signal:+14085550123\r\nitem9.X-ABLabel:Signal\r\nEND:VCARD`,
  );
const photo = /PHOTO;ENCODING=b;TYPE=JPEG:([\s\S]*?)\r\n(?! )/.exec(apple)![1]!.replace(/\r\n /g, '');
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');

beforeAll(async () => {
  app = await startTestApp();
  user = await davUser(app);
  book = `/dav/addressbooks/${user.id}/contacts/`;
});
afterAll(() => app?.close());

describe('a phone’s card through the server', () => {
  it('keeps the UID, the photo, the social profile and a labelled IMPP, through a JSON edit and in vCard 4.0', async () => {
    const put = await dav(app, user, 'PUT', `${book}${IOS_UID}.vcf`, {
      body: apple,
      headers: { 'content-type': 'text/vcard; charset=utf-8' },
    });
    expect(put.status).toBe(201);
    // The web app sees the contact the card describes.
    const [listed] = (await user.agent.get('/v1/contacts?q=appleseed')).body.items;
    expect(listed).toMatchObject({ firstName: 'Johnny', lastName: 'Appleseed', company: 'Apple Inc.' });
    await user.agent.patch(`/v1/contacts/${listed.id}`).send({ jobTitle: 'Senior Engineer' }).expect(200);

    const got = await dav(app, user, 'GET', `${book}${IOS_UID}.vcf`);
    const text = unfold(got.text);
    expect(text).toContain(`UID:${IOS_UID}`);
    expect(text).not.toContain('urn:uuid:');
    expect(text).toContain('TITLE:Senior Engineer');
    expect(text.replace(/\s/g, '')).toContain(photo);
    expect(text).toMatch(/X-SOCIALPROFILE;TYPE=mastodon;X-USER=johnny:https:\/\/example\.social\/@johnny/i);
    const impp = /\n(item\d+)\.IMPP;X-SERVICE-TYPE=Signal:signal:\+14085550123/i.exec(text);
    expect(impp).not.toBeNull();
    // Names and groups are case-insensitive (RFC 6350 3.3); ical.js writes kept ones in capitals.
    expect(text).toMatch(new RegExp(`\\n${impp![1]}\\.X-ABLabel:Signal\\r\\n`, 'i'));
    // Our own groups never collide with the kept one's.
    expect(text.match(new RegExp(`\\n${impp![1]}\\.`, 'gi'))).toHaveLength(2);
    // The modelled address's annotation is not kept beside our address.
    expect(text).not.toContain('X-ABADR');
    // The card's tag is its contact's id and version: the web app's PATCH made it version 2.
    expect(got.headers.get('etag')).toBe(`"${listed.id}-2"`);

    const v4 = await dav(app, user, 'GET', `${book}${IOS_UID}.vcf`, { headers: { accept: 'text/vcard; version=4.0' } });
    expect(v4.headers.get('content-type')).toContain('version=4.0');
    expect(unfold(v4.text)).toContain('VERSION:4.0');
    expect(unfold(v4.text)).toContain(`UID:${IOS_UID}`);

    // The phone sends the card back edited: what the web app changed stays unless the phone changed it too.
    const edited = text.replace('NOTE:', 'NOTE:Edited on the phone. ');
    const put2 = await dav(app, user, 'PUT', `${book}${IOS_UID}.vcf`, {
      body: edited,
      headers: { 'content-type': 'text/vcard', 'if-match': got.headers.get('etag')! },
    });
    expect(put2.status).toBe(204);
    const after = (await user.agent.get(`/v1/contacts/${listed.id}`)).body;
    expect(after.notes).toMatch(/^Edited on the phone\. Met at WWDC/);
    expect(after.jobTitle).toBe('Senior Engineer');
    expect(unfold((await dav(app, user, 'GET', `${book}${IOS_UID}.vcf`)).text).replace(/\s/g, '')).toContain(photo);
  });
});
