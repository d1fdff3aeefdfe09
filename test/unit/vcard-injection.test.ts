import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { MAX_CARD_PARAMETERS, parameterCount, readCard } from '../../app/carddav/cards.ts';
import { contactToVCard, propertiesNotModelled, writesAsOneLine } from '../../app/contacts/vcard.ts';
import type { Contact } from '../../app/contacts/schemas.ts';

/*
 * A card a client PUT is written back to every client that syncs the book.
 * A line break that reaches the output unescaped starts a line of the
 * sender's choosing: "END:VCARD", then a second card. Found by a hostile
 * review: RFC 6868's ^n in a PHOTO's TYPE, a 4.0 text value that starts like
 * a data: URI, a URI value with an escaped "\n".
 */

const contact = {
  id: '0b9c7a52-4a51-4f0e-9a8e-2f0f7d4c1e11',
  firstName: 'Ada',
  emails: [],
  phones: [],
  addresses: [],
  urls: [],
  related: [],
  tags: [],
  favorite: false,
  createdAt: '2026-12-05T00:00:00.000Z',
  updatedAt: '2026-12-05T00:00:00.000Z',
} as unknown as Contact;

const cardOf = (version: '3.0' | '4.0', ...lines: string[]) =>
  ['BEGIN:VCARD', `VERSION:${version}`, 'UID:hostile-1', 'FN:Ada', ...lines, 'END:VCARD', ''].join('\r\n');
const keptFrom = (text: string) => propertiesNotModelled(new ICAL.Component(ICAL.parse(text) as unknown[]));

/** The card text parses as exactly one vCard whose properties are those named, each once. */
function oneCard(text: string) {
  expect(text.match(/^BEGIN:VCARD$/gim)).toHaveLength(1);
  expect(text.match(/^END:VCARD$/gim)).toHaveLength(1);
  const parsed = ICAL.parse(text) as unknown[];
  expect(parsed[0]).toBe('vcard');
  return new ICAL.Component(parsed);
}

const HOSTILE: [string, '3.0' | '4.0', string][] = [
  ['RFC 6868 line breaks in a 3.0 PHOTO TYPE', '3.0', 'PHOTO;ENCODING=b;TYPE="JPEG^nEND:VCARD^nBEGIN:VCARD^nFN:Evil":AAAA'],
  [
    'a 4.0 text PHOTO that starts like a data: URI',
    '4.0',
    'PHOTO;VALUE=text:data:image/png;base64,AAAA\\nEND:VCARD\\nBEGIN:VCARD\\nFN:Evil',
  ],
  ['an escaped line break in a 4.0 URI', '4.0', 'IMPP:xmpp:a@b.test\\nEND:VCARD\\nBEGIN:VCARD\\nFN:Evil'],
  ['line breaks in a VALUE type', '3.0', 'X-THING;VALUE="uri^nEND:VCARD^nBEGIN:VCARD":x'],
];

describe('a hostile kept property never starts a line of its own', () => {
  for (const [what, version, line] of HOSTILE) {
    it(`${what}: refused on PUT, and never written raw if stored`, () => {
      const text = cardOf(version, line);
      const read = readCard(text);
      const kept = keptFrom(text);
      // Either the card is refused, or what it keeps writes as one line in both versions.
      if (read.ok) expect(read.content.properties.every((p) => writesAsOneLine(p, '3.0') && writesAsOneLine(p, '4.0'))).toBe(true);
      else expect(read.problem).toMatch(/line break|control character/);
      // Kept properties stored before PUT checked them are left out of the card served, not written raw.
      for (const v of ['3.0', '4.0'] as const) {
        const out = oneCard(contactToVCard(contact, v, { properties: kept }));
        expect(out.getAllProperties('fn').map((p) => p.getFirstValue())).toEqual(['Ada']);
      }
    });
  }

  it('a UID with a line break is refused (4.0 writes a UID as an unescaped URI)', () => {
    const read = readCard(cardOf('3.0', 'UID:x\\nEND:VCARD').replace('UID:hostile-1\r\n', ''));
    expect(read).toEqual({ ok: false, problem: 'the UID contains a line break or another control character' });
  });

  it('a NUL anywhere is refused with a sentence (PostgreSQL cannot store it)', () => {
    expect(readCard(cardOf('3.0', 'X-NOTE:a\u0000b'))).toEqual({ ok: false, problem: 'the vCard contains a NUL character' });
  });
});

describe('the contact’s own fields never end a line either', () => {
  it('a CR or LF in a note, a name, a company, an address, a label, a related name or a tag never ends a line', () => {
    const hostile = 'x\rEND:VCARD\rBEGIN:VCARD\rFN:Evil';
    const c = {
      ...contact,
      firstName: `Ada${hostile}`,
      company: `Engines${hostile}`,
      notes: `line one\r\nline two${hostile}\u000B`,
      tags: [`tag${hostile}`],
      emails: [{ value: 'ada@example.test', label: 'other', customLabel: `label${hostile}` }],
      related: [{ value: `Byron${hostile}\nEND:VCARD`, label: 'father', customLabel: `dad\nEND:VCARD` }],
      addresses: [{ street: `1 Road${hostile}`, label: 'home' }],
    } as unknown as Contact;
    for (const v of ['3.0', '4.0'] as const) {
      const text = contactToVCard(c, v);
      // No CR but the line ends', which XML would read as line breaks of their own.
      // eslint-disable-next-line no-control-regex -- the control characters are what this finds
      expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\u000B]/);
      // Every line of the card is one of its own properties, none an injected one.
      expect(text.split('\r\n').filter((l) => /^(BEGIN|END):VCARD$|^FN:/i.test(l))).toHaveLength(3);
      const card = oneCard(text);
      expect(card.getAllProperties('fn')).toHaveLength(1);
      expect(card.getFirstPropertyValue('note')).toBe('line one\nline twox\nEND:VCARD\nBEGIN:VCARD\nFN:Evil ');
    }
  });
});

describe('media types in the 3.0/4.0 conversion', () => {
  const kept = (line: string) => keptFrom(cardOf('3.0', line));
  const v4 = (line: string) => contactToVCard(contact, '4.0', { properties: kept(line) }).split('\r\n');

  it('a TYPE that is already a media type is used as it is', () => {
    expect(v4('PHOTO;ENCODING=b;TYPE=image/png:iVBORw0K')).toContain('PHOTO:data:image/png;base64,iVBORw0K');
  });
  it('no TYPE: a photo is a JPEG, a sound is of a type we cannot tell', () => {
    expect(v4('PHOTO;ENCODING=b:/9j/4AAQ')).toContain('PHOTO:data:image/jpeg;base64,/9j/4AAQ');
    expect(v4('SOUND;ENCODING=b:T2dnUw')).toContain('SOUND:data:application/octet-stream;base64,T2dnUw');
  });
  it('a TYPE that is no media type word is not copied into the URI', () => {
    expect(v4('LOGO;ENCODING=b;TYPE="a b/c;d":iVBORw0K')).toContain('LOGO:data:image/jpeg;base64,iVBORw0K');
  });
  it('a value that is not base64 is kept as it came, not made a data: URI', () => {
    expect(v4('PHOTO;ENCODING=b;TYPE=JPEG:not base64!')).not.toContainEqual(expect.stringMatching(/^PHOTO:data:/));
  });
});

describe(`parameters are counted before a card is parsed (at most ${MAX_CARD_PARAMETERS})`, () => {
  it('counts every parameter and value, however the line hides them', () => {
    expect(parameterCount(cardOf('3.0', 'TEL;TYPE=CELL,VOICE;TYPE=pref:+1 555', 'N:;;;;'))).toBe(3);
    // Folded across lines, and after a quoted colon.
    expect(parameterCount(cardOf('3.0', 'X-A;P=":";Q=1\r\n ;R=2:v'))).toBe(3);
    // A quote that does not open a value (ical.js opens one only after "=") hides nothing.
    expect(parameterCount(cardOf('3.0', 'X-A;X=a";TYPE=a,b,c:v'))).toBe(4);
  });

  it(`a property of ${MAX_CARD_PARAMETERS * 100} parameters is refused at once; ${MAX_CARD_PARAMETERS} are read`, () => {
    const tooMany = cardOf('3.0', `X-A${';TYPE=b'.repeat(MAX_CARD_PARAMETERS * 100)}:v`);
    expect(readCard(tooMany)).toEqual({ ok: false, problem: `the vCard has more than ${MAX_CARD_PARAMETERS} parameters` });
    const folded = cardOf('3.0', `X-A${';TYPE=b\r\n '.repeat(MAX_CARD_PARAMETERS + 1)}:v`);
    expect(readCard(folded).ok).toBe(false);
    const strayQuote = cardOf('3.0', `X-FOO;X=a";TYPE=${'a,'.repeat(MAX_CARD_PARAMETERS * 100)}a:v`);
    // Counted before ical.js parses it (which took 510 ms), not only after.
    expect(parameterCount(strayQuote)).toBeGreaterThan(MAX_CARD_PARAMETERS);
    expect(readCard(strayQuote)).toEqual({ ok: false, problem: `the vCard has more than ${MAX_CARD_PARAMETERS} parameters` });
    const enough = cardOf('3.0', `X-A${';TYPE=b'.repeat(MAX_CARD_PARAMETERS)}:v`);
    expect(readCard(enough).ok).toBe(true);
  });
});
