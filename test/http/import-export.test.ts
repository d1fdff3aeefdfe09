import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../support/harness.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function freshUser(): Promise<supertest.Agent> {
  const agent = t.client();
  await signUp(agent);
  return agent;
}

async function everything(agent: supertest.Agent) {
  return (await agent.get('/v1/contacts?limit=100&sort=createdAt')).body.items as Record<string, unknown>[];
}

describe('vCard import of real-world exports', () => {
  it('Apple Contacts (3.0, grouped items, pref types, an embedded photo)', async () => {
    const agent = await freshUser();
    const res = await agent.post('/v1/contacts/import').type('text/vcard').send(fixture('apple.vcf'));
    expect(res.body).toMatchObject({ imported: 1, merged: 0, unchanged: 0, skipped: [] });
    const [c] = await everything(agent);
    expect(c).toMatchObject({
      prefix: 'Mr.',
      firstName: 'Johnny',
      middleName: 'Q',
      lastName: 'Appleseed',
      company: 'Apple Inc.',
      jobTitle: 'Engineer',
      emails: [
        { value: 'johnny@example.com', label: 'home' },
        { value: 'jappleseed@apple.example', label: 'work' },
      ],
      phones: [
        // item1.X-ABLabel:_$!<Mobile>!$_ is Apple's built-in "mobile" label.
        { value: '+1 (408) 555-0123', label: 'mobile', customLabel: null },
        { value: '(408) 555-0199', label: 'mobile' },
        { value: '408.555.0100', label: 'work' },
      ],
      addresses: [
        { street: '1 Infinite Loop', city: 'Cupertino', region: 'CA', postalCode: '95014', country: 'United States', label: 'home' },
      ],
      birthday: '1985-04-01',
      notes: 'Met at WWDC.\nLikes apples.',
    });
  });

  it('Google Contacts (folded UTF-8 lines, several cards, a year-less birthday, an empty card)', async () => {
    const agent = await freshUser();
    const res = await agent.post('/v1/contacts/import').type('text/x-vcard').send(fixture('google.vcf'));
    expect(res.status).toBe(200);
    expect(res.body.imported).toBe(2);
    expect(res.body.skipped).toEqual([{ index: 2, line: 19, name: null, reason: 'it has no name, company, email or phone' }]);
    const [francois, taro] = await everything(agent);
    expect(francois).toMatchObject({
      firstName: 'François',
      lastName: 'Müller-Lüdenscheidt',
      notes: 'Une très longue note qui dépasse soixante-quinze octets et qui doit donc être repliée sur plusieurs lignes selon la RFC.',
      // Google's system group "myContacts" is not a tag.
      tags: ['Clients'],
    });
    // A year-less birthday is a birthday (--MM-DD), not a note.
    expect(taro).toMatchObject({ firstName: '太郎', lastName: '山田', birthday: '--03-15', notes: null });
    expect((await agent.get('/v1/contacts').query({ q: 'francois muller' })).body.total).toBe(1);
  });

  it('Outlook (3.0, comma-joined types, ORG with a unit)', async () => {
    const agent = await freshUser();
    expect((await agent.post('/v1/contacts/import').type('text/vcard').send(fixture('outlook.vcf'))).body.imported).toBe(1);
    const [c] = await everything(agent);
    expect(c).toMatchObject({
      firstName: 'Jane',
      lastName: 'Smith',
      company: 'Contoso Ltd.',
      phones: [
        { value: '(425) 555-0101', label: 'work' },
        { value: '(425) 555-0102', label: 'home' },
      ],
      emails: [{ value: 'jane.smith@contoso.example', label: 'other' }],
    });
  });

  it('vCard 4.0 (mailto: and tel: URIs, basic-format dates)', async () => {
    const agent = await freshUser();
    expect((await agent.post('/v1/contacts/import').type('text/vcard').send(fixture('v4.vcf'))).body.imported).toBe(1);
    const [c] = await everything(agent);
    expect(c).toMatchObject({
      firstName: 'Ömer',
      lastName: 'Kaya',
      emails: [{ value: 'omer@example.tr', label: 'home' }],
      phones: [{ value: '+90-212-555-0100', label: 'mobile' }],
      birthday: '1979-12-31',
    });
  });

  it('rejects an unparseable body with 400 and a wrong content type with 415', async () => {
    const agent = await freshUser();
    const junk = await agent.post('/v1/contacts/import').type('text/vcard').send('this is not a vcard');
    expect(junk.status).toBe(400);
    expect(junk.body.code).toBe('unparseable_import');
    const broken = await agent.post('/v1/contacts/import').type('text/vcard').send('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\n');
    expect(broken.status).toBe(400);
    const json = await agent.post('/v1/contacts/import').send({ firstName: 'x' });
    expect(json.status).toBe(415);
    expect(json.body.code).toBe('unsupported_media_type');
    const unclosedQuote = await agent.post('/v1/contacts/import').type('text/csv').send('First Name,Last Name\r\n"Ann,Lee\r\n');
    expect(unclosedQuote.status).toBe(400);
    expect((await everything(agent)).length).toBe(0);
  });
});

describe('export', () => {
  const rich = {
    firstName: 'Zoë',
    lastName: 'Ørsted; "Jr."',
    company: 'Acme, Inc.',
    jobTitle: '=HYPERLINK("http://evil.example","click")',
    emails: [
      { value: 'zoe@example.org', label: 'work' },
      { value: 'zoe@home.example', label: 'home' },
    ],
    phones: [
      { value: '+1 (555) 010-0199', label: 'mobile' },
      { value: '-5550100', label: 'other' },
    ],
    addresses: [{ street: '1 Main St\nApt 2', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US', label: 'work' }],
    birthday: '1990-02-28',
    notes: 'Line one\nLine two, with commas; semicolons and "quotes"\n@mention +plus',
    tags: ['Friends', 'Work'],
    favorite: true,
  };
  const content = (c: Record<string, unknown>) => {
    const { id, createdAt, updatedAt, ...rest } = c;
    return rest;
  };

  it('vCard: one VCARD per contact, text/vcard, and a lossless round trip', async () => {
    const agent = await freshUser();
    await agent.post('/v1/contacts').send(rich);
    await agent.post('/v1/contacts').send({ company: 'Second Co' });
    const res = await agent.get('/v1/contacts/export?format=vcard');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/vcard; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?contacts-\d{4}-\d{2}-\d{2}\.vcf"?$/);
    expect(res.text.match(/BEGIN:VCARD\r\n/g)).toHaveLength(2);
    expect(res.text.match(/END:VCARD\r\n/g)).toHaveLength(2);
    expect(res.text.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);

    const other = await freshUser();
    expect((await other.post('/v1/contacts/import').type('text/vcard').send(res.text)).body).toMatchObject({
      imported: 2,
      merged: 0,
      unchanged: 0,
      skipped: [],
    });
    const before = (await everything(agent)).map(content);
    const after = (await everything(other)).map(content);
    expect(after).toEqual(before);
  });

  it('CSV: escapes formulas, and a lossless round trip', async () => {
    const agent = await freshUser();
    await agent.post('/v1/contacts').send(rich);
    const res = await agent.get('/v1/contacts/export?format=csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    // No cell may start with a formula character.
    expect(res.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(res.text).toContain(`'-5550100`);
    expect(res.text).toContain(`"'+1 (555) 010-0199"`);
    const cells = (parse(res.text) as string[][]).flat();
    expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);

    const other = await freshUser();
    expect((await other.post('/v1/contacts/import').type('text/csv').send(res.text)).body).toMatchObject({
      imported: 1,
      merged: 0,
      unchanged: 0,
      skipped: [],
    });
    expect((await everything(other)).map(content)).toEqual((await everything(agent)).map(content));
  });

  it('CSV import reads Google and Outlook column names', async () => {
    const agent = await freshUser();
    const google = [
      'Given Name,Family Name,Organization 1 - Name,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Group Membership,Birthday',
      'Ana,Lima,Acme,* Work,ana@acme.example,Mobile,+55 11 5555-0100,* myContacts ::: * starred ::: Team,1988-07-09',
    ].join('\r\n');
    const outlook = [
      'First Name,Last Name,Company,Job Title,E-mail Address,Mobile Phone,Birthday',
      'Raj,Patel,Fabrikam,CEO,raj@fabrikam.example,555-0142,3/7/1975',
    ].join('\r\n');
    expect((await agent.post('/v1/contacts/import').type('text/csv').send(google)).body).toMatchObject({
      imported: 1,
      merged: 0,
      unchanged: 0,
      skipped: [],
    });
    expect((await agent.post('/v1/contacts/import').type('text/csv').send(outlook)).body).toMatchObject({
      imported: 1,
      merged: 0,
      unchanged: 0,
      skipped: [],
    });
    const [ana, raj] = await everything(agent);
    expect(ana).toMatchObject({
      firstName: 'Ana',
      company: 'Acme',
      emails: [{ value: 'ana@acme.example', label: 'work' }],
      phones: [{ value: '+55 11 5555-0100', label: 'mobile' }],
      tags: ['Team'],
      favorite: true,
      birthday: '1988-07-09',
    });
    expect(raj).toMatchObject({
      firstName: 'Raj',
      jobTitle: 'CEO',
      phones: [{ value: '555-0142', label: 'mobile' }],
      birthday: '1975-03-07',
    });
  });

  it('CSV import reads a hand-made sheet: one Name column, Email, Phone, Mobile; reports the columns it cannot keep', async () => {
    const agent = await freshUser();
    const sheet = [
      'Name,Email,Phone,Mobile,Title,Shoe size',
      'Ana María Lima,ana@example.org,555 0100,+34 612 345 678,CTO,38',
      'Cher,,,,,',
    ].join('\n');
    const res = await agent.post('/v1/contacts/import').type('text/csv').send(sheet);
    expect(res.body).toMatchObject({
      imported: 2,
      skipped: [],
      changes: [{ index: 0, line: 2, name: 'Ana María Lima', outcome: 'imported', notes: ['not kept: Shoe size'] }],
    });
    const [ana, cher] = await everything(agent);
    expect(ana).toMatchObject({
      firstName: 'Ana María',
      lastName: 'Lima',
      // Without Outlook's "Job Title" beside it, "Title" is the job, not the name prefix.
      prefix: null,
      jobTitle: 'CTO',
      emails: [{ value: 'ana@example.org', label: 'other' }],
      phones: [
        { value: '555 0100', label: 'other' },
        { value: '+34 612 345 678', label: 'mobile' },
      ],
    });
    expect(cher).toMatchObject({ firstName: 'Cher', lastName: null });
  });

  it('rejects an unknown export format with 400', async () => {
    const agent = await freshUser();
    const res = await agent.get('/v1/contacts/export?format=xml');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_query');
  });
});

describe('round trips with values a spreadsheet would run', () => {
  // Every field, and text starting with each character CSV export escapes (and the escape itself).
  const tricky = {
    firstName: "'=literal",
    lastName: '=SUM(A1:A2)',
    company: '+Plus & Co',
    jobTitle: '-minus',
    emails: [
      { value: "'quote@example.org", label: 'home' },
      { value: '+plus@example.org', label: 'work' },
      { value: '-dash@example.org', label: 'other' },
    ],
    phones: [
      { value: '+1 555 0100', label: 'mobile' },
      { value: '-5550101', label: 'home' },
      { value: '555-0102', label: 'work' },
    ],
    addresses: [
      { street: "'@home street", city: '=City', region: '+Region', postalCode: '-123', country: '@Country', label: 'home' },
      { street: '2 Side St', city: null, region: null, postalCode: null, country: 'FR', label: 'work' },
    ],
    birthday: '2000-02-29',
    notes: '\'+note with\nlines, commas; and "quotes"',
    tags: ['@mention', "'quoted", '=eq', '-dash', '+plus'],
    favorite: true,
  };
  const content = (c: Record<string, unknown>) => {
    const { id, createdAt, updatedAt, ...rest } = c;
    return rest;
  };

  for (const format of ['csv', 'vcard'] as const) {
    it(`${format}: what we export comes back identical`, async () => {
      const agent = await freshUser();
      expect((await agent.post('/v1/contacts').send(tricky)).status).toBe(201);
      const before = (await everything(agent)).map(content);
      expect(before[0]).toMatchObject({ firstName: "'=literal", tags: expect.arrayContaining(["'quoted"]) });
      const exported = await agent.get(`/v1/contacts/export?format=${format}`);
      const other = await freshUser();
      const imported = await other
        .post('/v1/contacts/import')
        .type(format === 'csv' ? 'text/csv' : 'text/vcard')
        .send(exported.text);
      expect(imported.body).toMatchObject({ imported: 1, merged: 0, unchanged: 0, skipped: [] });
      expect((await everything(other)).map(content)).toEqual(before);
    });
  }
});

describe('imports keep what they can', () => {
  it('CSV: an impossible or unreadable birthday goes to the notes and the contact is imported', async () => {
    const agent = await freshUser();
    const csv = ['First Name,Birthday,Notes', 'Feb,2/30/2020,', 'Nines,99999999,Old note', 'Good,1999-12-31,', 'Zero,0/0/00,'].join('\r\n');
    expect((await agent.post('/v1/contacts/import').type('text/csv').send(csv)).body).toMatchObject({
      imported: 4,
      merged: 0,
      unchanged: 0,
      skipped: [],
    });
    const byName = Object.fromEntries((await everything(agent)).map((c) => [c.firstName, c]));
    expect(byName.Feb).toMatchObject({ birthday: null, notes: 'Birthday: 2/30/2020' });
    expect(byName.Nines).toMatchObject({ birthday: null, notes: 'Old note\nBirthday: 99999999' });
    expect(byName.Good).toMatchObject({ birthday: '1999-12-31', notes: null });
    expect(byName.Zero).toMatchObject({ birthday: null, notes: null });
  });

  it('vCard: a VALUE= that does not fit its text keeps the text; an unparseable card is skipped; the rest imports', async () => {
    const agent = await freshUser();
    const card = (lines: string[]) => ['BEGIN:VCARD', 'VERSION:4.0', ...lines, 'END:VCARD', ''].join('\r\n');
    const typed = [
      card(['FN;VALUE=date-and-or-time:abc']),
      card(['N:Offset;Nora;;;', 'NOTE;VALUE=utc-offset:+99']),
      card(['N:Day;Bad;;;', 'BDAY:20200230']),
      card(['N:Fine;Fay;;;', 'EMAIL:fay@example.org']),
    ].join('');
    const res = await agent.post('/v1/contacts/import').type('text/vcard').send(typed);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ imported: 4, merged: 0, unchanged: 0, skipped: [] });
    const broken = [card(['N:Broken;Bob;;;', 'THIS LINE HAS NO COLON']), card(['N:After;Al;;;'])].join('');
    expect((await agent.post('/v1/contacts/import').type('text/vcard').send(broken)).body).toMatchObject({
      imported: 1,
      skipped: [{ index: 0, line: 1, name: null, reason: expect.stringMatching(/^the vCard could not be read/) }],
    });
    const [abc, nora, bad, fay] = await everything(agent);
    expect(abc).toMatchObject({ firstName: 'abc' });
    expect(nora).toMatchObject({ firstName: 'Nora', notes: expect.stringContaining('+99') });
    // ical.js reads the basic form as 2020-02-30: the date as it read it is kept.
    expect(bad).toMatchObject({ firstName: 'Bad', birthday: null, notes: 'Birthday: 2020-02-30' });
    expect(fay).toMatchObject({ firstName: 'Fay', emails: [{ value: 'fay@example.org', label: 'other' }] });
    expect((await everything(agent)).map((c) => c.firstName)).toEqual(['abc', 'Nora', 'Bad', 'Fay', 'Al']);
  });
});

describe('imports are bounded', () => {
  it('stops at the remaining capacity and says how many rows were left, in a short report', async () => {
    const agent = await freshUser();
    for (let i = 0; i < 10; i++) await agent.post('/v1/contacts').send({ firstName: `Existing ${i}` });
    const rows = Array.from({ length: 20_000 }, (_, i) => `Row ${i}`);
    const res = await agent
      .post('/v1/contacts/import')
      .type('text/csv')
      .send(['First Name', ...rows].join('\n'));
    expect(res.status).toBe(200);
    // 40 fit (the limit is 50); the first 5,000 rows were read (any of them
    // could have merged into a contact already there), 15,000 only counted.
    expect(res.body).toEqual({
      imported: 40,
      merged: 0,
      unchanged: 0,
      skipped: Array.from({ length: 25 }, (_, i) => ({
        index: 40 + i,
        line: 42 + i,
        name: `Row ${40 + i}`,
        reason: 'contact_limit_reached',
      })),
      skippedTotal: 19_960,
      unread: 15_000,
      changes: [],
    });
    expect(res.text.length).toBeLessThan(2_000);
    expect((await agent.get('/v1/limits')).body.contacts).toBe(50);
    const names = (await everything(agent)).map((c) => c.firstName);
    expect(names.slice(10)).toEqual(rows.slice(0, 40));
  });

  it('over the limit with few cards: the report lists each card, and nothing more', async () => {
    const agent = await freshUser();
    for (let i = 0; i < 45; i++) await agent.post('/v1/contacts').send({ firstName: `Existing ${i}` });
    const cards = Array.from(
      { length: 8 },
      (_, i) => `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Imported ${i}\r\nN:${i};Imported;;;\r\nEND:VCARD\r\n`,
    ).join('');
    const res = await agent.post('/v1/contacts/import').type('text/vcard').send(cards);
    expect(res.body).toEqual({
      imported: 5,
      merged: 0,
      unchanged: 0,
      skipped: [5, 6, 7].map((index) => ({ index, line: 1 + 5 * index, name: `Imported ${index}`, reason: 'contact_limit_reached' })),
      changes: [],
    });
  });

  it('reads at most 5,000 rows; invalid rows get one short reason each and only the first 25 are listed', async () => {
    const agent = await freshUser();
    const header = ['Notes', ...Array.from({ length: 20 }, (_, i) => `E-mail ${i + 1} - Value`)].join(',');
    const bad = ['n', ...Array.from({ length: 20 }, (_, i) => `not-an-email-${i}`)].join(',');
    const res = await agent
      .post('/v1/contacts/import')
      .type('text/csv')
      .send([header, ...Array.from({ length: 6_000 }, () => bad)].join('\n'));
    expect(res.status).toBe(200);
    expect(res.body.imported).toBe(0);
    expect(res.body.skipped).toHaveLength(25);
    expect(res.body.skipped.map((s: { index: number }) => s.index)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    for (const s of res.body.skipped) {
      expect(s).toMatchObject({ name: 'not-an-email-0', reason: 'it has no name, company, email or phone' });
      expect(s.reason.length).toBeLessThanOrEqual(120);
    }
    expect(res.body).toMatchObject({ skippedTotal: 6_000, unread: 1_000 });
    expect(res.text.length).toBeLessThan(8_000);
  });

  it('refuses a CSV header with more than 500 columns, a row over 100,000 characters and a quote never closed, importing nothing', async () => {
    const agent = await freshUser();
    const wide = await agent
      .post('/v1/contacts/import')
      .type('text/csv')
      .send(`${Array.from({ length: 4_000 }, (_, i) => `c${i}`).join(',')}\nx\n`);
    expect(wide.status).toBe(400);
    expect(wide.body.detail).toMatch(/4000 columns/);
    const long = await agent
      .post('/v1/contacts/import')
      .type('text/csv')
      .send(`First Name,Notes\nAnn,x\nBea,${'y'.repeat(200_000)}\n`);
    expect(long.status).toBe(400);
    expect(long.body.code).toBe('unparseable_import');
    const unclosed = await agent
      .post('/v1/contacts/import')
      .type('text/csv')
      .send(`First Name\nAnn\n"${'z'.repeat(1_000_000)}`);
    expect(unclosed.status).toBe(400);
    expect(unclosed.text.length).toBeLessThan(2_000);
    expect(await everything(agent)).toEqual([]);
  });

  it("CSV: a cell of more than 100 ' ::: ' values skips its row, named, and the rest imports", async () => {
    const agent = await freshUser();
    const many = Array.from({ length: 5_000 }, (_, i) => `a${i}@x.example`).join(' ::: ');
    const csv = ['First Name,E-mail 1 - Value', 'Ok,ok@x.example', `Many,${many}`, 'After,after@x.example'].join('\n');
    const res = await agent.post('/v1/contacts/import').type('text/csv').send(csv);
    expect(res.body).toMatchObject({
      imported: 2,
      skipped: [{ index: 1, line: 3, name: null, reason: 'a cell holds more than 100 values joined with " ::: "' }],
    });
  });

  it('vCard: a card without END:VCARD costs that card only; the cards after it import', async () => {
    const agent = await freshUser();
    const card = (name: string, end = true) => `BEGIN:VCARD\r\nVERSION:3.0\r\nN:${name};;;;\r\nFN:${name}\r\n${end ? 'END:VCARD\r\n' : ''}`;
    const body = [card('One'), card('Two', false), ...Array.from({ length: 20 }, (_, i) => card(`After${i}`))].join('');
    const res = await agent.post('/v1/contacts/import').type('text/vcard').send(body);
    expect(res.body).toMatchObject({
      imported: 21,
      skipped: [{ index: 1, line: 6, name: null, reason: 'the vCard has no END:VCARD before the next BEGIN:VCARD' }],
    });
    expect((await everything(agent)).map((c) => c.lastName)).toEqual(['One', ...Array.from({ length: 20 }, (_, i) => `After${i}`)]);
  });

  it('vCard 2.1: "END:VCARD" inside a quoted-printable note is text; AGENT with a blank line nests its card', async () => {
    const agent = await freshUser();
    const qp = [
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N:Quinn;Q',
      'NOTE;ENCODING=QUOTED-PRINTABLE:Card text follows=0D=0A=',
      'END:VCARD',
      'EMAIL:quinn@x.example',
      'TEL:+1 555 0142',
      'END:VCARD',
    ];
    const boss = [
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N:Boss;Bob',
      'AGENT:',
      '',
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N:Helper;Hal',
      'END:VCARD',
      'EMAIL:bob@x.example',
      'END:VCARD',
    ];
    const res = await agent
      .post('/v1/contacts/import')
      .type('text/vcard')
      .send([...qp, ...boss, ''].join('\r\n'));
    expect(res.body).toMatchObject({
      imported: 2,
      skipped: [],
      changes: [{ name: 'Bob Boss', notes: ['not kept: AGENT (a nested card)'] }],
    });
    const [quinn, bob] = await everything(agent);
    expect(quinn).toMatchObject({
      lastName: 'Quinn',
      notes: 'Card text follows\nEND:VCARD',
      emails: [{ value: 'quinn@x.example' }],
      phones: [{ value: '+1 555 0142' }],
    });
    expect(bob).toMatchObject({ lastName: 'Boss', emails: [{ value: 'bob@x.example' }] });
  });

  it('vCard 2.1: a photo in unindented base64 lines ended by a blank line is dropped, not counted against the card', async () => {
    const agent = await freshUser();
    const photo = Array.from({ length: 1_400 }, () => 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=').join('\r\n');
    const card = `BEGIN:VCARD\r\nVERSION:2.1\r\nN:Photo;Pat\r\nPHOTO;ENCODING=BASE64;JPEG:\r\n${photo}\r\n\r\nTEL;CELL:555 0100\r\nNOTE;ENCODING=QUOTED-PRINTABLE:ends with a soft break=\r\nEND:VCARD\r\n`;
    const res = await agent.post('/v1/contacts/import').type('text/vcard').send(card);
    expect(res.body).toMatchObject({ imported: 1, skipped: [], changes: [{ name: 'Pat Photo', notes: ['not kept: PHOTO'] }] });
    expect((await everything(agent))[0]).toMatchObject({
      phones: [{ value: '555 0100', label: 'mobile' }],
      notes: 'ends with a soft break',
    });
  });

  it('vCard: skips a card nested too deep, too long or of too many lines, drops embedded photos, and says why in a line', async () => {
    const agent = await freshUser();
    // vCard 2.1 nests a card only as an AGENT's value.
    const nested = `${'BEGIN:VCARD\r\nVERSION:2.1\r\nAGENT:\r\n'.repeat(6)}FN:Deep\r\n${'END:VCARD\r\n'.repeat(6)}`;
    const long = `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Long\r\nNOTE:${'x'.repeat(120_000)}\r\nEND:VCARD\r\n`;
    const many = `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Many\r\n${'X-A:1\r\n'.repeat(2_000)}END:VCARD\r\n`;
    const photo = `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Photo\r\nPHOTO;ENCODING=b;TYPE=JPEG:${'QUJD'.repeat(30_000)}\r\n ${'QUJD'.repeat(30_000)}\r\nEND:VCARD\r\n`;
    const res = await agent
      .post('/v1/contacts/import')
      .type('text/vcard')
      .send(nested + long + many + photo);
    expect(res.body).toMatchObject({
      imported: 1,
      skipped: [
        { index: 0, line: 1, name: null, reason: 'vCards nested more than 4 deep' },
        { index: 1, line: 26, name: null, reason: 'the vCard is longer than 100000 characters' },
        { index: 2, line: 31, name: null, reason: 'the vCard has more than 1000 lines' },
      ],
      changes: [{ index: 3, name: 'Photo', outcome: 'imported', notes: ['not kept: PHOTO'] }],
    });
    expect((await everything(agent)).map((c) => c.firstName)).toEqual(['Photo']);
  });
});
