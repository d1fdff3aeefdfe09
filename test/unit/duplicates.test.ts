import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuplicateIndex, duplicateGroups, matchReason, mergeDrafts, sameDraft } from '../../app/contacts/duplicates.ts';
import { contactCreateSchema, type Contact, type ContactDraft } from '../../app/contacts/schemas.ts';

const draft = (input: Record<string, unknown>): ContactDraft => contactCreateSchema.parse(input);
const contact = (id: string, input: Record<string, unknown>): Contact => ({
  ...draft(input),
  id,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('matchReason', () => {
  it('an email in common, whatever its case', () => {
    expect(
      matchReason(
        draft({ firstName: 'A', emails: [{ value: 'Ana@Example.org' }] }),
        draft({ firstName: 'B', emails: [{ value: 'ana@example.org' }] }),
      ),
    ).toBe('email');
  });

  it('a phone number in common, written nationally or internationally', () => {
    const a = draft({ firstName: 'A', phones: [{ value: '+34 612 345 678' }] });
    expect(matchReason(a, draft({ firstName: 'B', phones: [{ value: '612-345-678' }] }))).toBe('phone');
    expect(
      matchReason(
        draft({ firstName: 'C', phones: [{ value: '0049 30 1234567' }] }),
        draft({ firstName: 'D', phones: [{ value: '030 1234567' }] }),
      ),
    ).toBe('phone');
    // Short numbers match only whole: "1234" is not the tail of every number ending in 1234.
    expect(
      matchReason(draft({ firstName: 'E', phones: [{ value: '1234' }] }), draft({ firstName: 'F', phones: [{ value: '555 1234' }] })),
    ).toBeNull();
  });

  it('the same folded name, unless emails or phones say they are two people', () => {
    expect(matchReason(draft({ firstName: 'Zoë', lastName: 'Ørsted' }), draft({ firstName: 'zoe', lastName: 'orsted' }))).toBe('name');
    expect(
      matchReason(
        draft({ firstName: 'Ana', emails: [{ value: 'a@one.example' }] }),
        draft({ firstName: 'Ana', emails: [{ value: 'a@two.example' }] }),
      ),
    ).toBeNull();
    expect(
      matchReason(
        draft({ firstName: 'Ana', emails: [{ value: 'a@one.example' }] }),
        draft({ firstName: 'Ana', phones: [{ value: '555 0100' }] }),
      ),
    ).toBe('name');
    expect(matchReason(draft({ firstName: 'Ana' }), draft({ firstName: 'Ana', middleName: 'María' }))).toBeNull();
  });
});

describe('duplicateGroups', () => {
  it('groups by any shared key, transitively, strongest reason first, each contact once', () => {
    const cs = [
      contact('1', { firstName: 'Ana', emails: [{ value: 'ana@example.org' }] }),
      contact('2', { firstName: 'Bob' }),
      contact('3', { firstName: 'Ana G', emails: [{ value: 'ANA@example.org' }], phones: [{ value: '+1 415 555 0100' }] }),
      contact('4', { company: 'Acme', phones: [{ value: '(415) 555-0100' }] }),
      contact('5', { firstName: 'Bob' }),
      contact('6', { firstName: 'Cy' }),
    ];
    const groups = duplicateGroups(cs);
    expect(groups.map((g) => [g.reason, g.contacts.map((c) => c.id)])).toEqual([
      ['email', ['1', '3', '4']],
      ['name', ['2', '5']],
    ]);
  });
});

describe('a group is one person', () => {
  it('two Johns whose emails differ stay apart, whatever the order, even beside a John without an email', () => {
    const acme = contact('a', { firstName: 'John', lastName: 'Smith', emails: [{ value: 'john.smith@acme.example' }] });
    const none = contact('n', { firstName: 'John', lastName: 'Smith' });
    const other = contact('o', { firstName: 'John', lastName: 'Smith', emails: [{ value: 'jsmith@othercorp.example' }] });
    for (const order of [
      [acme, none, other],
      [none, acme, other],
      [acme, other, none],
      [other, none, acme],
      [none, other, acme],
    ]) {
      for (const g of duplicateGroups(order)) {
        const ids = g.contacts.map((c) => c.id);
        expect(ids.includes('a') && ids.includes('o'), order.map((c) => c.id).join()).toBe(false);
      }
    }
  });

  it('an exact copy finds its own contact before another with the same name', () => {
    const index = new DuplicateIndex<ContactDraft>();
    const withEmail = draft({ firstName: 'Ana', emails: [{ value: 'ana@x.example' }] });
    const without = draft({ firstName: 'Ana', notes: 'same name, no email' });
    index.set('with', withEmail);
    index.set('without', without);
    expect(index.find(without)).toEqual({ id: 'without', reason: 'name' });
    expect(index.find(withEmail)).toEqual({ id: 'with', reason: 'email' });
  });
});

describe('mergeDrafts', () => {
  it('unites lists, keeps the target’s names and puts the other’s different ones in the notes', () => {
    const target = draft({ firstName: 'Ana', emails: [{ value: 'ana@example.org', label: 'work' }], notes: 'Met in Lisbon.', tags: ['a'] });
    const other = draft({
      firstName: 'Anna',
      lastName: 'Lima',
      emails: [{ value: 'ANA@example.org' }, { value: 'ana@home.example' }],
      phones: [{ value: '+34 612 345 678' }, { value: '612345678' }],
      birthday: '--08-23',
      notes: 'Likes tea.',
      tags: ['b', 'a'],
      favorite: true,
    });
    const merged = mergeDrafts(target, other);
    expect(merged).toMatchObject({
      firstName: 'Ana',
      lastName: 'Lima',
      emails: [
        { value: 'ana@example.org', label: 'work' },
        { value: 'ana@home.example', label: 'other' },
      ],
      phones: [{ value: '+34 612 345 678' }],
      birthday: '--08-23',
      notes: 'Met in Lisbon.\n\nLikes tea.\nFirst name (merged): Anna',
      tags: ['a', 'b'],
      favorite: true,
    });
    // A year-less birthday gains its year; a different date is kept in the notes.
    expect(mergeDrafts(draft({ firstName: 'A', birthday: '--08-23' }), draft({ firstName: 'A', birthday: '1990-08-23' })).birthday).toBe(
      '1990-08-23',
    );
    expect(mergeDrafts(draft({ firstName: 'A', birthday: '1990-08-23' }), draft({ firstName: 'A', birthday: '1991-01-01' }))).toMatchObject(
      {
        birthday: '1990-08-23',
        notes: 'Birthday (merged): 1991-01-01',
      },
    );
  });

  const item = (value: fc.Arbitrary<string>) => fc.record({ value, label: fc.constant('other' as const), customLabel: fc.constant(null) });
  const arbitraryDraft = fc
    .record({
      firstName: fc.option(fc.constantFrom('Ana', 'ana', 'Bob', 'Zoë'), { nil: null }),
      lastName: fc.option(fc.constantFrom('Lima', 'Ørsted'), { nil: null }),
      company: fc.option(fc.constantFrom('Acme', 'Initech'), { nil: null }),
      emails: fc.array(item(fc.constantFrom('a@x.example', 'A@X.example', 'b@y.example')), { maxLength: 3 }),
      phones: fc.array(item(fc.constantFrom('+34 612 345 678', '612345678', '555 0100', '1234')), { maxLength: 3 }),
      birthday: fc.option(fc.constantFrom('--08-23', '1990-08-23', '1985-01-31'), { nil: null }),
      notes: fc.option(fc.constantFrom('one', 'two', 'one two'), { nil: null }),
      tags: fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
      favorite: fc.boolean(),
    })
    .map((r) => draft({ ...r, firstName: r.firstName ?? 'X' }));

  it('merging the same thing twice changes nothing, and a contact into itself changes nothing (property)', () => {
    fc.assert(
      fc.property(arbitraryDraft, arbitraryDraft, (a, b) => {
        const once = mergeDrafts(a, b);
        expect(sameDraft(mergeDrafts(once, b), once)).toBe(true);
        expect(sameDraft(mergeDrafts(a, a), a)).toBe(true);
        // Nothing of b's lists is lost.
        for (const e of b.emails) expect(once.emails.some((x) => x.value.toLowerCase() === e.value.toLowerCase())).toBe(true);
        for (const t of b.tags) expect(once.tags).toContain(t);
      }),
      { numRuns: 300 },
    );
  });
});
