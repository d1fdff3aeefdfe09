import { describe, expect, it } from 'vitest';
import { describeIssue, prepareRecord } from '../../app/contacts/import-report.ts';
import { notKept } from '../../app/contacts/import.ts';

describe('the import report in words', () => {
  it('names the item, quotes it and says what is wrong', () => {
    const input = { firstName: 'Ana', phones: [{ value: '555 0100' }, { value: 'abc' }], emails: [{ value: 'nope' }] };
    expect(describeIssue('phones.1.value', 'may contain only digits, spaces and + ( ) - . / # * , ; x ext', input)).toBe(
      "the second phone number, 'abc', is not a phone number",
    );
    expect(describeIssue('emails.0.value', 'must be a valid email address', input)).toBe("the first email address, 'nope', is not an email address");
    expect(describeIssue('firstName', 'must be at most 100 characters', input)).toBe('the first name is longer than 100 characters');
    expect(describeIssue('emails', 'at most 20 emails', { emails: Array(21).fill({ value: 'a@b.c' }) })).toBe(
      'it has 21 email addresses; at most 20 can be kept',
    );
    expect(describeIssue('birthday', 'must be a real calendar date', { birthday: '2023-02-30' })).toBe("the birthday, '2023-02-30', is not a date");
  });

  it('moves a bad item of a list into the notes and keeps the contact, saying so', () => {
    const prepared = prepareRecord({
      firstName: 'Ana',
      notes: 'Old note',
      phones: [{ value: '555 0100', label: 'home' }, { value: 'call reception', label: 'work', customLabel: 'Desk' }],
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
    const named = said.replace('not kept: ', '').replace(/ and \d+ more$/, '').split(', ').length;
    expect(said.endsWith(` and ${40 - named} more`)).toBe(true);
  });
});
