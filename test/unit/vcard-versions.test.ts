import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { contactToVCard, propertiesNotModelled, type JCalProperty } from '../../app/contacts/vcard.ts';
import type { Contact } from '../../app/contacts/schemas.ts';

/*
 * Properties kept from a client's card are written in the version served:
 * iOS sends 3.0 (PHOTO;ENCODING=b;TYPE=JPEG), a 4.0 client reads data: URIs
 * (RFC 6350 6.2.4), and the other way round. And a 4.0 URI is written
 * unescaped (RFC 6350 3.4), or a data: URI's comma breaks it.
 */

const contact = {
  id: '0b9c7a52-4a51-4f0e-9a8e-2f0f7d4c1e11',
  firstName: 'Ada',
  lastName: 'Lovelace',
  emails: [],
  phones: [],
  addresses: [],
  urls: [{ value: 'https://example.test/a,b;c', label: 'home', customLabel: null }],
  related: [],
  tags: [],
  favorite: false,
  notes: 'x, y',
  createdAt: '2026-12-05T00:00:00.000Z',
  updatedAt: '2026-12-05T00:00:00.000Z',
} as unknown as Contact;

const keptFrom = (text: string) => propertiesNotModelled(new ICAL.Component(ICAL.parse(text) as unknown[]));
const lines = (card: string) => card.split('\r\n');
const ios = keptFrom(
  'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ\r\nKEY;ENCODING=B;TYPE=PGP:mQEN\r\nLOGO;VALUE=uri:https://example.test/logo.png\r\nEND:VCARD\r\n',
);
const v4Client = keptFrom(
  'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\nPHOTO;MEDIATYPE=image/png:data:image/png;base64,iVBORw0K\r\nSOUND:data:audio/ogg;base64,T2dnUw\r\nEND:VCARD\r\n',
);

describe('kept binary properties in the version served', () => {
  it('a 3.0 inline photo and key become data: URIs in 4.0; a URI stays a URI', () => {
    const out = lines(contactToVCard(contact, '4.0', { properties: ios }));
    expect(out).toContain('PHOTO:data:image/jpeg;base64,/9j/4AAQ');
    expect(out).toContain('KEY:data:application/pgp-keys;base64,mQEN');
    expect(out).toContain('LOGO:https://example.test/logo.png');
    expect(contactToVCard(contact, '3.0', { properties: ios })).toContain('PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ');
  });

  it('4.0 data: URIs become ENCODING=b with a TYPE in 3.0, and are served in 4.0 as they came', () => {
    const v3 = lines(contactToVCard(contact, '3.0', { properties: v4Client }));
    expect(v3).toContain('PHOTO;ENCODING=b;TYPE=PNG:iVBORw0K');
    expect(v3).toContain('SOUND;ENCODING=b;TYPE=OGG:T2dnUw');
    const v4 = lines(contactToVCard(contact, '4.0', { properties: v4Client }));
    expect(v4).toContain('PHOTO;MEDIATYPE=image/png:data:image/png;base64,iVBORw0K');
    expect(v4).toContain('SOUND:data:audio/ogg;base64,T2dnUw');
  });

  it('writes 4.0 URIs unescaped and 4.0 text escaped', () => {
    const out = lines(contactToVCard(contact, '4.0'));
    expect(out).toContain('URL;TYPE=home:https://example.test/a,b;c');
    expect(out).toContain('NOTE:x\\, y');
    // And reads back as written.
    const again = new ICAL.Component(ICAL.parse(out.join('\r\n')) as unknown[]);
    expect(again.getFirstPropertyValue('url')).toBe('https://example.test/a,b;c');
  });

  it('leaves every other kept property as it came', () => {
    const other: JCalProperty[] = [['x-socialprofile', { type: 'mastodon' }, 'uri', 'https://example.social/@ada']];
    expect(lines(contactToVCard(contact, '4.0', { properties: other }))).toContain(
      'X-SOCIALPROFILE;TYPE=mastodon;VALUE=URI:https://example.social/@ada',
    );
  });
});
