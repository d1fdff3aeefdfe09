import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contactsToCsv, parseCsv } from '../../app/contacts/csv.ts';
import type { FormatParser, ParsedRecord } from '../../app/contacts/import.ts';
import { prepareRecord } from '../../app/contacts/import-report.ts';
import {
  ADDRESS_LABELS,
  EMAIL_LABELS,
  PHONE_LABELS,
  RELATED_LABELS,
  URL_LABELS,
  contactCreateSchema,
  type Contact,
  type ContactDraft,
} from '../../app/contacts/schemas.ts';
import { draftOf } from '../../app/contacts/store.ts';
import { contactToVCard, parseVCards } from '../../app/contacts/vcard.ts';

/*
 * Round trips through each export format, for any contact the API can hold:
 * export, import, compare every field; export what came back and compare
 * the bytes. The strings are chosen to hit each format's syntax: vCard's
 * , ; \ and line folding, CSV's quotes, formula characters and Google's
 * " ::: ", and text beyond ASCII.
 */

const pieces = ['a', 'Zoë', ' ', ',', ';', '\\', ':', '"', "'", '=', '+', '-', '@', '日本', '🦊', 'x'.repeat(80), '\n'];
const text = (max: number) =>
  fc
    .array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 6 })
    .map((p) =>
      p
        .join('')
        .trim()
        .replace(/\s+/g, (w) => (w.includes('\n') ? '\n' : ' '))
        .slice(0, max)
        .trim(),
    )
    .filter((s) => s.length > 0);
const optional = (max: number) => fc.option(text(max), { nil: null });
const singleLine = (max: number) =>
  text(max)
    .map((s) => s.replace(/\n/g, ' ').replace(/\s+/g, ' ').trim())
    .filter(Boolean);
// Custom labels are words the enum has no equivalent for (a custom "Home" on a work email reads back as "home").
const customLabel = fc.option(fc.constantFrom('Boat', 'Lake house', 'Fax', 'Pager', 'Schwägerin', '出張先'), { nil: null });
const labelled = <L extends string>(labels: readonly L[], value: fc.Arbitrary<string>, max: number) =>
  fc.array(fc.record({ value, label: fc.constantFrom(...labels), customLabel }), { maxLength: max });

const contactArb: fc.Arbitrary<Contact> = fc
  .record({
    prefix: optional(50).map((s) => s && s.replace(/\n/g, ' ')),
    firstName: optional(100).map((s) => s && s.replace(/\n/g, ' ')),
    middleName: optional(100).map((s) => s && s.replace(/\n/g, ' ')),
    lastName: fc.option(singleLine(100), { nil: null }),
    suffix: fc.option(singleLine(50), { nil: null }),
    nickname: fc.option(singleLine(100), { nil: null }),
    company: fc.option(singleLine(200), { nil: null }),
    jobTitle: fc.option(singleLine(200), { nil: null }),
    emails: labelled(EMAIL_LABELS, fc.constantFrom('ana@example.org', 'o.brien+tag@sub.example.co.uk', 'zoe.o@xn--exmple-cua.org'), 3),
    phones: labelled(
      PHONE_LABELS,
      fc.constantFrom('+34 612 345 678', '(415) 555-0100 ext 12', '-5550100', '+1 555 0100;1234', '0800/123 45'),
      3,
    ),
    addresses: fc.array(
      fc
        .record({
          street: fc.option(singleLine(200), { nil: null }),
          city: fc.option(singleLine(100), { nil: null }),
          region: fc.option(singleLine(100), { nil: null }),
          postalCode: fc.option(fc.constantFrom('12345', 'SW1A 1AA', '-1'), { nil: null }),
          country: fc.option(singleLine(100), { nil: null }),
          label: fc.constantFrom(...ADDRESS_LABELS),
          customLabel,
        })
        .filter((a) => Boolean(a.street || a.city || a.region || a.postalCode || a.country)),
      { maxLength: 2 },
    ),
    urls: labelled(URL_LABELS, fc.constantFrom('https://example.org/a?b=c,d;e', 'example.com', 'http://日本.example/'), 2),
    related: labelled(RELATED_LABELS, fc.oneof(singleLine(200), fc.constantFrom('tel:123', 'mailto:a@b.example')), 2),
    birthday: fc.option(fc.constantFrom('1990-02-28', '--08-23', '--02-29', '0099-01-02', '2000-12-31'), { nil: null }),
    notes: optional(10_000),
    tags: fc.uniqueArray(fc.constantFrom('friends', 'work', '@mention', '=eq', 'ünï', 'two words'), { maxLength: 3 }),
    favorite: fc.boolean(),
  })
  // Only contacts the API would store (the create schema is the judge).
  .filter((c) => contactCreateSchema.safeParse(c).success)
  .map((c) => ({
    ...c,
    id: '7e57c0de-0000-4000-8000-000000000001',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  }));

async function importOne(parser: FormatParser, body: string): Promise<ContactDraft> {
  const records: ParsedRecord[] = [];
  await parser(
    body,
    (r) => (records.push(r), true),
    async () => {},
  );
  expect(records).toHaveLength(1);
  const r = records[0]!;
  if (!('input' in r)) throw new Error(`skipped: ${r.reason}`);
  expect(r.dropped ?? []).toEqual([]);
  const prepared = prepareRecord(r.input);
  if (!prepared.ok) throw new Error(`invalid: ${prepared.reason}`);
  expect(prepared.changes).toEqual([]);
  return prepared.draft;
}

const asContact = (c: Contact, d: ContactDraft): Contact => ({ ...c, ...d });

describe.each(['3.0', '4.0'] as const)('vCard %s round trip', (version) => {
  it('keeps every field, and the second export is byte-identical (property)', async () => {
    await fc.assert(
      fc.asyncProperty(contactArb, async (c) => {
        const exported = contactToVCard(c, version);
        const back = await importOne(parseVCards, exported);
        expect(back).toEqual(draftOf(c));
        expect(contactToVCard(asContact(c, back), version)).toBe(exported);
      }),
      { numRuns: 150 },
    );
  });
});

describe('Google CSV round trip', () => {
  // Google's CSV has one label per value: a custom label replaces the enum word.
  const csvContact = contactArb.map((c) => {
    const plain = <T extends { label: string; customLabel: string | null }>(items: T[], fallback: T['label']) =>
      items.map((i) => (i.customLabel ? { ...i, label: fallback } : i));
    return {
      ...c,
      emails: plain(c.emails, 'other'),
      phones: plain(c.phones, 'other'),
      addresses: plain(c.addresses, 'home'),
      urls: plain(c.urls, 'other'),
      related: plain(c.related, 'other'),
    };
  });

  // Nor has it an escape for ":::" inside a value of a multi-valued column: such a value cannot come back whole.
  const holdsSeparator = (c: Contact) =>
    [
      ...c.addresses.flatMap((a) => [a.street, a.city, a.region, a.postalCode, a.country]),
      ...c.urls.map((u) => u.value),
      ...c.related.map((r) => r.value),
    ].some((v) => v?.includes(':::'));

  it('keeps every field, and the second export is byte-identical (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        csvContact.filter((c) => !holdsSeparator(c)),
        async (c) => {
          const exported = contactsToCsv([c]);
          const back = await importOne(parseCsv, exported);
          expect(back).toEqual(draftOf(c));
          expect(contactsToCsv([asContact(c, back)])).toBe(exported);
        },
      ),
      { numRuns: 150 },
    );
  });
});
