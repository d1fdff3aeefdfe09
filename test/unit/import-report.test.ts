import { describe, expect, it } from 'vitest';
import { describeIssue, prepareRecord } from '../../app/contacts/import-report.ts';
import { notKept } from '../../app/contacts/import.ts';

describe('the import report in words', () => {
  it('names the item, quotes it and says what is wrong', () => {
    const input = { firstName: 'Ana', phones: [{ value: '555 0100' }, { value: 'abc' }], emails: [{ value: 'nope' }] };
    expect(describeIssue('phones.1.value', 'may contain only digits, spaces and + ( ) - . / # * , ; x ext', input)).toBe(
      "the second phone number, 'abc', is not a phone number",
    );
    expect(describeIssue('emails.0.value', 'must be a valid email address', input)).toBe(
      "the first email address, 'nope', is not an email address",
    );
    expect(describeIssue('firstName', 'must be at most 100 characters', input)).toBe('the first name is longer than 100 characters');
    expect(describeIssue('emails', 'at most 20 emails', { emails: Array(21).fill({ value: 'a@b.c' }) })).toBe(
      'it has 21 email addresses; at most 20 can be kept',
    );
    expect(describeIssue('birthday', 'must be a real calendar date', { birthday: '2023-02-30' })).toBe(
      "the birthday, '2023-02-30', is not a date",
    );
  });

  it('moves a bad item of a list into the notes and keeps the contact, saying so', () => {
    const prepared = prepareRecord({
      firstName: 'Ana',
      notes: 'Old note',
      phones: [
        { value: '555 0100', label: 'home' },
        { value: 'call reception', label: 'work', customLabel: 'Desk' },
      ],
      urls: [{ value: 'has space.example' }],
    });
    expect(prepared).toEqual({
      ok: true,
      name: 'Ana',
      draft: expect.objectContaining({
        phones: [{ value: '555 0100', label: 'home', customLabel: null }],
        urls: [],
        notes: 'Old note\nPhone number (Desk): call reception\nWeb address: has space.example',
      }),
      changes: [
        "the second phone number, 'call reception', is not a phone number: kept in the notes",
        "the first web address, 'has space.example', is not a web address: kept in the notes",
      ],
    });
  });

  it('skips what cannot be kept, naming the person from the raw record', () => {
    expect(prepareRecord({ firstName: 'x'.repeat(101), emails: [{ value: 'a@b.example' }] })).toEqual({
      ok: false,
      name: `${'x'.repeat(59)}…`,
      reason: 'the first name is longer than 100 characters',
    });
    expect(prepareRecord({ notes: 'only notes', emails: [{ value: 'nope' }] })).toEqual({
      ok: false,
      name: 'nope',
      reason: 'it has no name, company, email or phone',
    });
  });
});

describe('not kept', () => {
  it('names what fits in one sentence and counts the rest', () => {
    expect(notKept(['PHOTO', 'IMPP'])).toBe('not kept: PHOTO, IMPP');
    const many = Array.from({ length: 40 }, (_, i) => `Custom Field ${i + 1}`);
    const said = notKept(many);
    expect(said.length).toBeLessThanOrEqual(120);
    expect(said).toMatch(/^not kept: Custom Field 1, Custom Field 2, .* and \d+ more$/);
    const named = said
      .replace('not kept: ', '')
      .replace(/ and \d+ more$/, '')
      .split(', ').length;
    expect(said.endsWith(` and ${40 - named} more`)).toBe(true);
  });

  it('names the longest list that fits, whatever the lengths (the plain definition as the oracle)', () => {
    // The slow definition it replaced: try every length from all names down.
    const oracle = (names: string[]) => {
      const text = (k: number) => `not kept: ${names.slice(0, k).join(', ')}${k < names.length ? ` and ${names.length - k} more` : ''}`;
      let k = names.length;
      while (k > 1 && text(k).length > 120) k--;
      return text(k);
    };
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let run = 0; run < 300; run++) {
      const names = Array.from({ length: 1 + random(run < 150 ? 30 : 400) }, () => 'x'.repeat(1 + random(run % 3 ? 12 : 150)));
      expect(notKept(names)).toBe(oracle(names));
    }
    expect(notKept([])).toBe('not kept: ');
  });
});

describe('lists over their cap', () => {
  it('keep the first ones and move the rest into the notes', () => {
    const phones = [...Array.from({ length: 21 }, (_, i) => ({ value: `555 01${String(i).padStart(2, '0')}` })), { value: 'abc' }];
    const prepared = prepareRecord({ firstName: 'Many', phones });
    expect(prepared).toMatchObject({
      ok: true,
      changes: ['it has 22 phone numbers: the first 20 are kept as such, the other 2 in the notes'],
    });
    if (!prepared.ok) throw new Error('skipped');
    expect(prepared.draft.phones).toHaveLength(20);
    expect(prepared.draft.notes).toBe('Phone number: 555 0120\nPhone number: abc');
    // A bad one among the first 20 is found once the list is within its cap.
    const mixed = prepareRecord({ firstName: 'Mixed', phones: [{ value: 'abc' }, ...phones.slice(0, 21)] });
    expect(mixed).toMatchObject({
      ok: true,
      changes: [
        'it has 22 phone numbers: the first 20 are kept as such, the other 2 in the notes',
        "the first phone number, 'abc', is not a phone number: kept in the notes",
      ],
    });
  });

  it('a record whose notes cannot take what did not fit says so', () => {
    expect(prepareRecord({ firstName: 'Full', notes: 'x'.repeat(9_990), emails: [{ value: 'not an email' }] })).toEqual({
      ok: false,
      name: 'Full',
      reason: 'its notes, with the values that could not be kept in their lists, would pass 10000 characters',
    });
    expect(prepareRecord({ firstName: 'Long', notes: 'x'.repeat(10_001) })).toMatchObject({
      ok: false,
      reason: 'the notes are longer than 10000 characters',
    });
  });
});
