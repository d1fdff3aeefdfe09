import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Contact } from './api.ts';
import { ContactEditor, emptyDraft, errorsForForm, toInput, type Draft } from './editor.tsx';
import { answer, problem, stubFetch } from './test-support.ts';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('toInput', () => {
  it('drops blank rows, trims, splits tags, and maps body rows back to form rows', () => {
    const d: Draft = {
      ...emptyDraft(),
      firstName: '  Ada ',
      emails: [{ value: ' ', label: 'home', customLabel: null }, { value: 'ada@example.org ', label: 'work', customLabel: null }],
      phones: [{ value: '', label: 'mobile', customLabel: null }],
      tags: 'math, , engines ',
    };
    const { input, rows } = toInput(d);
    expect(input).toMatchObject({ firstName: 'Ada', lastName: null, emails: [{ value: 'ada@example.org', label: 'work', customLabel: null }], phones: [], tags: ['math', 'engines'], birthday: null });
    expect(rows.emails).toEqual([1]);
    expect(errorsForForm({ 'emails.0.value': 'bad', firstName: 'x', '': 'form' }, rows)).toEqual({ 'emails.1.value': 'bad', firstName: 'x', '': 'form' });
  });
});

function Harness({ initial, onSaved }: { initial: Draft; onSaved: (c: Contact) => void }) {
  const [draft, setDraft] = useState(initial);
  return <ContactEditor draft={draft} onChange={setDraft} onSaved={onSaved} onDeleted={vi.fn()} onClose={vi.fn()} />;
}

describe('ContactEditor', () => {
  it('shows a field error next to the field it belongs to', async () => {
    stubFetch(problem(400, 'validation_failed', 'The request is not valid.', [{ path: 'emails.0.value', message: 'must be a valid email address' }]));
    const onSaved = vi.fn();
    const initial = { ...emptyDraft(), emails: [{ value: '', label: 'home' as const, customLabel: null }, { value: 'nope', label: 'work' as const, customLabel: null }] };
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
    const calls = stubFetch(answer(201, { id: '1', firstName: 'A', lastName: null, company: null, jobTitle: null, emails: [], phones: [], addresses: [], birthday: null, notes: null, tags: [], favorite: false, createdAt: 'x', updatedAt: 'x' }));
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
