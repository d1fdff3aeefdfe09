import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Contact } from './api.ts';
import {
  birthdayParts,
  birthdayValue,
  draftFrom,
  emptyDraft,
  errorsForForm,
  isDirty,
  normalizeDraft,
  toInput,
  type Draft,
} from './draft.ts';
import { ContactEditor } from './editor.tsx';
import { CUSTOM_LABEL } from './label-picker.tsx';
import { answer, contact, problem, stubFetch } from './test-support.ts';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('toInput', () => {
  it('drops blank rows, trims, splits tags, and maps body rows back to form rows', () => {
    const d: Draft = {
      ...emptyDraft(),
      firstName: '  Ada ',
      emails: [
        { value: ' ', label: 'home', customLabel: null },
        { value: 'ada@example.org ', label: 'work', customLabel: null },
      ],
      phones: [{ value: '', label: 'mobile', customLabel: null }],
      tags: ['math'],
      // Typed, not yet a chip: saved too, once per tag whatever its case.
      tagText: ' , engines, Math ',
    };
    const { input, rows } = toInput(d);
    expect(input).toMatchObject({
      firstName: 'Ada',
      lastName: null,
      emails: [{ value: 'ada@example.org', label: 'work', customLabel: null }],
      phones: [],
      tags: ['math', 'engines'],
      birthday: null,
    });
    expect(rows.emails).toEqual([1]);
    expect(errorsForForm({ 'emails.0.value': 'bad', firstName: 'x', '': 'form' }, rows)).toEqual({
      'emails.1.value': 'bad',
      firstName: 'x',
      '': 'form',
    });
  });

  it('a contact read from the API comes back unchanged: name parts, custom labels, web addresses, related people, a year-less birthday', () => {
    const c = contact({
      prefix: 'Dr.',
      firstName: 'Ada',
      middleName: 'King',
      lastName: 'Lovelace',
      suffix: 'Jr.',
      nickname: 'Countess',
      emails: [{ value: 'ada@example.org', label: 'work', customLabel: null }],
      phones: [{ value: '+44 20 7946 0000', label: 'other', customLabel: 'Boat' }],
      addresses: [
        { street: '1 Lake Rd', city: null, region: null, postalCode: null, country: 'UK', label: 'home', customLabel: 'Lake house' },
      ],
      urls: [{ value: 'example.org/ada', label: 'home', customLabel: null }],
      related: [
        { value: 'Annabella Milbanke', label: 'mother', customLabel: null },
        { value: 'Charles Babbage', label: 'other', customLabel: 'Mentor' },
      ],
      birthday: '--12-10',
      notes: 'Wrote the first program.',
      tags: ['math'],
    });
    const { input } = toInput(draftFrom(c));
    const { id: _id, createdAt: _c, updatedAt: _u, ...content } = c;
    expect(input).toEqual(content);
  });

  it('a "Custom…" label left empty is no custom label', () => {
    const { input } = toInput({ ...emptyDraft(), firstName: 'A', phones: [{ value: '1', label: 'other', customLabel: '  ' }] });
    expect(input.phones).toEqual([{ value: '1', label: 'other', customLabel: null }]);
  });
});

describe('birthdays', () => {
  it.each([
    [{ day: '', month: '', year: '' }, null],
    [{ day: '23', month: '8', year: '' }, '--08-23'],
    [{ day: '5', month: '1', year: '1990' }, '1990-01-05'],
    [{ day: ' 29', month: '2', year: '' }, '--02-29'],
    [{ day: '29', month: '2', year: '2000' }, '2000-02-29'],
  ])('%j is %s', (parts, value) => {
    expect(birthdayValue(parts)).toEqual({ ok: true, value });
    if (value) expect(birthdayParts(value)).toEqual({ day: parts.day.trim(), month: parts.month, year: parts.year });
  });

  it.each([
    [{ day: '', month: '8', year: '' }, 'day', 'Enter the day of the month, from 1 to 31.'],
    [{ day: '32', month: '8', year: '' }, 'day', 'Enter the day of the month, from 1 to 31.'],
    [{ day: '23', month: '', year: '1990' }, 'month', 'Choose the month.'],
    [{ day: '23', month: '8', year: '90' }, 'year', 'Enter the year with four digits, like 1990, or leave it empty if you do not know it.'],
    [{ day: '31', month: '4', year: '' }, 'day', 'April has only 30 days.'],
    [{ day: '30', month: '2', year: '' }, 'day', 'February has only 29 days.'],
    [{ day: '29', month: '2', year: '1991' }, 'day', 'February 1991 has only 28 days.'],
  ])('%j is refused at its %s', (parts, part, message) => {
    expect(birthdayValue(parts)).toEqual({ ok: false, part, message });
  });

  it('a draft is dirty once anything that would be saved differs from the contact as opened', () => {
    expect(isDirty(emptyDraft())).toBe(false);
    expect(isDirty({ ...emptyDraft(), firstName: '  ' })).toBe(false); // only blanks: nothing to save
    expect(isDirty({ ...emptyDraft(), tagText: 'x' })).toBe(true);
    const opened = draftFrom(contact({ firstName: 'Ada', tags: ['Family'] }), '"1"');
    expect(isDirty(opened)).toBe(false);
    expect(isDirty({ ...opened, tags: [] })).toBe(true);
    expect(isDirty({ ...opened, emails: [...opened.emails, { value: '', label: 'home', customLabel: null }] })).toBe(false);
  });

  it('a draft kept by the previous version (birthday as text, no custom labels) is made whole', () => {
    const old = {
      id: '7',
      firstName: 'Ada',
      lastName: '',
      company: '',
      jobTitle: '',
      emails: [{ value: 'a@b.co', label: 'home' }],
      phones: [],
      addresses: [],
      birthday: '1990-02-28',
      notes: '',
      tags: '',
      favorite: false,
    };
    expect(normalizeDraft(old)).toEqual({
      ...emptyDraft(),
      id: '7',
      firstName: 'Ada',
      emails: [{ value: 'a@b.co', label: 'home', customLabel: null }],
      phones: [],
      birthday: { day: '28', month: '2', year: '1990' },
    });
    // Tags were one comma-separated text: they become chips.
    expect(normalizeDraft({ ...old, tags: 'math, Engines, engines' })?.tags).toEqual(['math', 'Engines']);
    expect(normalizeDraft('nonsense')).toBeUndefined();
  });
});

function Harness({ initial, onSaved }: { initial: Draft; onSaved: (c: Contact) => void }) {
  const [draft, setDraft] = useState(initial);
  return <ContactEditor draft={draft} knownTags={[]} onChange={setDraft} onSaved={onSaved} onDelete={vi.fn()} onClose={vi.fn()} />;
}

describe('ContactEditor', () => {
  it('edits the new fields: rarer name parts, custom labels, web addresses, related people, a birthday without a year', async () => {
    const calls = stubFetch(answer(201, contact({ firstName: 'Ada' })));
    const onSaved = vi.fn();
    render(<Harness initial={emptyDraft()} onSaved={onSaved} />);
    const more = screen.getByRole('button', { name: 'More name fields' });
    expect(more.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByLabelText('Prefix')).toBeNull();
    fireEvent.click(more);
    expect(screen.getByRole('button', { name: 'Fewer name fields' }).getAttribute('aria-expanded')).toBe('true');
    const type = (label: string, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } });
    type('Prefix', 'Dr.');
    type('First name', 'Ada');
    type('Middle name', 'King');
    type('Last name', 'Lovelace');
    type('Suffix', 'Jr.');
    type('Nickname', 'Countess');
    type('Phone 1', '+44 20 7946 0000');
    fireEvent.change(screen.getByLabelText('Phone 1 label'), { target: { value: CUSTOM_LABEL } });
    type('Phone 1 custom label', 'Boat');
    expect((screen.getByLabelText('Phone 1 custom label') as HTMLInputElement).maxLength).toBe(50);
    fireEvent.click(screen.getByRole('button', { name: 'Add web address' }));
    type('Web address 1', 'example.org/ada');
    fireEvent.change(screen.getByLabelText('Web address 1 label'), { target: { value: 'work' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add related person' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add related person' }));
    type('Related person 1', 'Annabella Milbanke');
    fireEvent.change(screen.getByLabelText('Related person 1 label'), { target: { value: 'mother' } });
    type('Related person 2', 'Charles Babbage');
    fireEvent.change(screen.getByLabelText('Related person 2 label'), { target: { value: CUSTOM_LABEL } });
    type('Related person 2 custom label', 'Mentor');
    fireEvent.click(screen.getByRole('button', { name: 'Add address' }));
    type('City (address 1)', 'Ockham');
    fireEvent.change(screen.getByLabelText('Label (address 1)'), { target: { value: CUSTOM_LABEL } });
    type('Custom label (address 1)', 'Lake house');
    type('Day', '10');
    fireEvent.change(screen.getByLabelText('Month'), { target: { value: '12' } });
    fireEvent.submit(screen.getByRole('form'));
    await vi.waitFor(() => expect(onSaved).toHaveBeenCalled());
    const body = JSON.parse(calls[0]!.init.body as string);
    expect(body).toMatchObject({
      prefix: 'Dr.',
      firstName: 'Ada',
      middleName: 'King',
      lastName: 'Lovelace',
      suffix: 'Jr.',
      nickname: 'Countess',
      emails: [],
      phones: [{ value: '+44 20 7946 0000', label: 'other', customLabel: 'Boat' }],
      addresses: [
        { street: null, city: 'Ockham', region: null, postalCode: null, country: null, label: 'other', customLabel: 'Lake house' },
      ],
      urls: [{ value: 'example.org/ada', label: 'work', customLabel: null }],
      related: [
        { value: 'Annabella Milbanke', label: 'mother', customLabel: null },
        { value: 'Charles Babbage', label: 'other', customLabel: 'Mentor' },
      ],
      birthday: '--12-10',
    });
  });

  it('opens the rarer name fields by itself when one is set, and shows a stored birthday without a year', () => {
    render(
      <Harness
        initial={draftFrom(
          contact({
            firstName: 'Ada',
            middleName: 'King',
            birthday: '--08-23',
            phones: [{ value: '1', label: 'other', customLabel: 'Boat' }],
          }),
        )}
        onSaved={vi.fn()}
      />,
    );
    expect(screen.getByRole('button', { name: 'Fewer name fields' }).getAttribute('aria-expanded')).toBe('true');
    expect((screen.getByLabelText('Middle name') as HTMLInputElement).value).toBe('King');
    expect((screen.getByLabelText('Day') as HTMLInputElement).value).toBe('23');
    expect((screen.getByLabelText('Month') as HTMLSelectElement).value).toBe('8');
    expect((screen.getByLabelText('Year (optional)') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('Phone 1 label') as HTMLSelectElement).selectedOptions[0]!.textContent).toBe('Custom…');
    expect((screen.getByLabelText('Phone 1 custom label') as HTMLInputElement).value).toBe('Boat');
    // Back to an enum word: the custom label goes.
    fireEvent.change(screen.getByLabelText('Phone 1 label'), { target: { value: 'work' } });
    expect(screen.queryByLabelText('Phone 1 custom label')).toBeNull();
  });

  it('says what is wrong with a birthday at the birthday, without asking the server', async () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    render(<Harness initial={{ ...emptyDraft(), firstName: 'Ada' }} onSaved={vi.fn()} />);
    fireEvent.input(screen.getByLabelText('Day'), { target: { value: '30' } });
    fireEvent.change(screen.getByLabelText('Month'), { target: { value: '2' } });
    fireEvent.submit(screen.getByRole('form'));
    const error = await screen.findByText('February has only 29 days.');
    expect(error.id).toBe('err-birthday');
    expect(screen.getByLabelText('Day').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Day').getAttribute('aria-describedby')).toBe('err-birthday');
    expect(screen.getByLabelText('Month').getAttribute('aria-invalid')).toBe('false');
    await vi.waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Day')));
    expect(fetch).not.toHaveBeenCalled();
  });

  it("shows the server's errors for web addresses, related people and custom labels at their inputs", async () => {
    stubFetch(
      problem(400, 'validation_failed', 'The request is not valid.', [
        { path: 'urls.0.value', message: 'must be a web address without spaces' },
        { path: 'related.0.customLabel', message: 'must be at most 50 characters' },
        { path: 'middleName', message: 'must be at most 100 characters' },
      ]),
    );
    const initial: Draft = {
      ...emptyDraft(),
      firstName: 'Ada',
      urls: [
        { value: '', label: 'home', customLabel: null },
        { value: 'not a url', label: 'home', customLabel: null },
      ],
      related: [{ value: 'Charles', label: 'other', customLabel: 'x'.repeat(51) }],
    };
    render(<Harness initial={initial} onSaved={vi.fn()} />);
    fireEvent.submit(screen.getByRole('form'));
    expect((await screen.findByText('must be a web address without spaces')).id).toBe('err-urls.1.value');
    expect(screen.getByLabelText('Web address 2').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('must be at most 50 characters').id).toBe('err-related.0.customLabel');
    expect(screen.getByLabelText('Related person 1 custom label').getAttribute('aria-invalid')).toBe('true');
    // An error in a hidden name field opens them.
    expect(screen.getByLabelText('Middle name').getAttribute('aria-invalid')).toBe('true');
    await vi.waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Middle name')));
  });

  it('shows a field error next to the field it belongs to', async () => {
    stubFetch(
      problem(400, 'validation_failed', 'The request is not valid.', [
        { path: 'emails.0.value', message: 'must be a valid email address' },
      ]),
    );
    const onSaved = vi.fn();
    const initial = {
      ...emptyDraft(),
      emails: [
        { value: '', label: 'home' as const, customLabel: null },
        { value: 'nope', label: 'work' as const, customLabel: null },
      ],
    };
    render(<Harness initial={initial} onSaved={onSaved} />);
    fireEvent.input(screen.getByLabelText('First name'), { target: { value: 'Ada' } });
    fireEvent.submit(screen.getByRole('form'));
    const error = await screen.findByText('must be a valid email address');
    expect(error.id).toBe('err-emails.1.value'); // the second row, where "nope" was typed
    expect(screen.getByLabelText('Email 2').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Email 1').getAttribute('aria-invalid')).toBe('false');
    expect(screen.getByText('Some fields need attention: see the highlighted fields.')).toBeTruthy();
    await vi.waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Email 2')));
    expect(onSaved).not.toHaveBeenCalled();
  });

  it('updates with If-Match and says when someone else changed the contact', async () => {
    const calls = stubFetch(problem(412, 'precondition_failed'));
    render(<Harness initial={{ ...emptyDraft(), id: '7', etag: '"v3"', firstName: 'Ada' }} onSaved={vi.fn()} />);
    fireEvent.submit(screen.getByRole('form'));
    expect(await screen.findByText(/changed somewhere else/)).toBeTruthy();
    expect(calls[0]!.init.method).toBe('PATCH');
    expect((calls[0]!.init.headers as Record<string, string>)['if-match']).toBe('"v3"');
  });

  it('adds and removes rows', async () => {
    const calls = stubFetch(answer(201, contact({ firstName: 'A' })));
    const onSaved = vi.fn();
    render(<Harness initial={emptyDraft()} onSaved={onSaved} />);
    fireEvent.click(screen.getByText('Add phone'));
    fireEvent.input(screen.getByLabelText('Phone 2'), { target: { value: '555 0100' } });
    fireEvent.click(screen.getByLabelText('Remove phone 1'));
    fireEvent.input(screen.getByLabelText('First name'), { target: { value: 'A' } });
    fireEvent.submit(screen.getByRole('form'));
    await vi.waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(JSON.parse(calls[0]!.init.body as string).phones).toEqual([{ value: '555 0100', label: 'mobile', customLabel: null }]);
  });
});
