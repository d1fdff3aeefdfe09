import { describe, expect, it } from 'vitest';
import { decodeQuotedPrintable, isVCard21, vcard21To30 } from '../../app/contacts/vcard21.ts';
import { parseVCards } from '../../app/contacts/vcard.ts';
import type { ParsedRecord } from '../../app/contacts/import.ts';

const lines = (...l: string[]) => ['BEGIN:VCARD', 'VERSION:2.1', ...l, 'END:VCARD'];

async function read(text: string): Promise<ParsedRecord[]> {
  const records: ParsedRecord[] = [];
  await parseVCards(
    text,
    (r) => (records.push(r), true),
    async () => {},
  );
  return records;
}
const inputOf = (r: ParsedRecord | undefined) => {
  if (!r || !('input' in r)) throw new Error(`not a contact: ${JSON.stringify(r)}`);
  return r;
};

describe('quoted-printable (RFC 2045 6.7)', () => {
  it('decodes =XY bytes, keeps a malformed escape as written', () => {
    expect(Buffer.from(decodeQuotedPrintable('Caf=C3=A9 =3D =ZZ')).toString('utf8')).toBe('Café = =ZZ');
    expect([...decodeQuotedPrintable('=e9')]).toEqual([0xe9]);
  });
});

describe('vCard 2.1 to 3.0', () => {
  it('knows a 2.1 card by its VERSION', () => {
    expect(isVCard21(lines('N:A;B'))).toBe(true);
    expect(isVCard21(['BEGIN:VCARD', 'VERSION:3.0', 'END:VCARD'])).toBe(false);
  });

  it('joins soft line breaks, decodes UTF-8 and ISO-8859-1, and turns bare parameters into TYPE', () => {
    const out = vcard21To30(
      lines(
        'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=B6rg;;;',
        'NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:First line=0D=0Asecond, with a comma and a very long tail that=',
        ' continues=',
        'here',
        'ADR;HOME;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:;;Stra=DFe 1;K=F6ln;;50667;Deutschland',
        'TEL;CELL;PREF:+49 170 0000000',
      ),
    );
    expect(out).toEqual([
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:Müller;Jörg;;;',
      'NOTE:First line\\nsecond\\, with a comma and a very long tail that continueshere',
      'ADR;TYPE=HOME:;;Straße 1;Köln;;50667;Deutschland',
      'TEL;TYPE=CELL,PREF:+49 170 0000000',
      'END:VCARD',
    ]);
  });

  it('drops a base64 block that ends at a blank line, and keeps what follows', () => {
    const out = vcard21To30(lines('N:Photo;Pat', 'PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQ', '  SkZJRgABAQ', '', 'TEL;HOME:555 0100'));
    expect(out.filter((l) => l.startsWith('TEL'))).toEqual(['TEL;TYPE=HOME:555 0100']);
    expect(out.some((l) => l.includes('SkZJ'))).toBe(false);
  });

  it('an unknown charset reads as UTF-8 rather than failing the card', () => {
    expect(vcard21To30(lines('FN;CHARSET=X-NONSENSE;ENCODING=QUOTED-PRINTABLE:Ren=C3=A9'))).toContain('FN:René');
  });
});

describe('parseVCards with 2.1 and Apple cards', () => {
  it('reads a Windows-1252 QP name, bare types and the line each card starts on', async () => {
    const text = [
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N;CHARSET=WINDOWS-1252;ENCODING=QUOTED-PRINTABLE:Fran=E7ois;Ren=E9e;;;',
      'TEL;WORK;FAX:+33 1 00 00 00 00',
      'TEL;CELL:+33 6 00 00 00 00',
      'EMAIL;INTERNET:renee@example.fr',
      'X-ANDROID-CUSTOM:vnd.android.cursor.item/nickname;Nené;1;;;;;;;;;;;;;',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:2.1',
      'FN:Second',
      'END:VCARD',
    ].join('\r\n');
    const [first, second] = await read(text);
    const r = inputOf(first);
    expect(r.line).toBe(1);
    expect(r.input).toMatchObject({
      firstName: 'Renée',
      lastName: 'François',
      phones: [
        { value: '+33 1 00 00 00 00', label: 'work', customLabel: 'Fax' },
        { value: '+33 6 00 00 00 00', label: 'mobile', customLabel: null },
      ],
      emails: [{ value: 'renee@example.fr', label: 'other', customLabel: null }],
    });
    // Android's own property for a nickname (mimetype, then data1..data15) is read, not dropped.
    expect(r.input.nickname).toBe('Nené');
    expect(r.dropped).toEqual([]);
    expect(inputOf(second).line).toBe(9);
  });

  it("reads Apple's item labels, omit-year birthday and related names, and reports the photo and profiles it drops", async () => {
    const text = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:Doe;Jane;Ann;Dr.;Jr.',
      'NICKNAME:JD',
      'item1.TEL;type=pref:+1 555 0100',
      'item1.X-ABLabel:Boat',
      'item2.URL;type=pref:jane.example',
      'item2.X-ABLabel:_$!<HomePage>!$_',
      'item3.X-ABRELATEDNAMES:John Doe',
      'item3.X-ABLabel:_$!<Spouse>!$_',
      'BDAY;X-APPLE-OMIT-YEAR=1604:1604-08-23',
      'X-SOCIALPROFILE;type=twitter:x-apple:janedoe',
      'PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ',
      'END:VCARD',
    ].join('\r\n');
    const r = inputOf((await read(text))[0]);
    expect(r.input).toMatchObject({
      prefix: 'Dr.',
      firstName: 'Jane',
      middleName: 'Ann',
      lastName: 'Doe',
      suffix: 'Jr.',
      nickname: 'JD',
      phones: [{ value: '+1 555 0100', label: 'other', customLabel: 'Boat' }],
      urls: [{ value: 'jane.example', label: 'home', customLabel: 'Home Page' }],
      related: [{ value: 'John Doe', label: 'spouse', customLabel: null }],
      birthday: '--08-23',
    });
    expect(r.dropped?.sort()).toEqual(['PHOTO', 'X-SOCIALPROFILE']);
  });
});

describe('what a card holds twice', () => {
  it('a second ORG, TITLE, N or BDAY is reported, not silently lost', async () => {
    const text = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:One;Ann;;;',
      'ORG:First Corp',
      'ORG:Second Corp',
      'TITLE:CEO',
      'TITLE:Chair',
      'BDAY:1990-01-01',
      'BDAY:1991-02-02',
      'END:VCARD',
    ].join('\r\n');
    const r = inputOf((await read(text))[0]);
    expect(r.input).toMatchObject({ company: 'First Corp', jobTitle: 'CEO', birthday: '1990-01-01' });
    expect(r.dropped?.sort()).toEqual(['BDAY (a second one)', 'ORG (a second one)', 'TITLE (a second one)']);
  });
});
