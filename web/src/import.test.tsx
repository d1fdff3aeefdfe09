import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, expect, it, vi } from 'vitest';
import { ImportPanel } from './import.tsx';
import { answer, stubFetch } from './test-support.ts';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

it('a dropped vCard is sent as it is, as text/vcard, with the duplicates choice, and what was skipped is explained', async () => {
  const calls = stubFetch(
    answer(200, {
      imported: 1,
      merged: 0,
      unchanged: 0,
      skipped: [{ index: 1, line: 5, name: 'Bo', reason: 'contact_limit_reached' }],
      changes: [],
    }),
  );
  const onImported = vi.fn();
  render(<ImportPanel onImported={onImported} onClose={vi.fn()} />);
  const file = new File(['BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n'], 'contacts.vcf', { type: '' });
  fireEvent.drop(screen.getByTestId('dropzone'), { dataTransfer: { files: [file] } });
  expect((await screen.findByText('Bo')).parentElement!.textContent).toBe('Bo: over your contact limit');
  expect(screen.getByRole('status').textContent).toBe('1 imported, 0 merged into existing contacts, 0 already there, 1 skipped.');
  expect(calls[0]!.url).toBe('/v1/contacts/import?duplicates=merge');
  expect((calls[0]!.init.headers as Record<string, string>)['content-type']).toBe('text/vcard');
  // The bytes as they are (the server finds their encoding), not the browser's UTF-8 reading of them.
  expect(calls[0]!.init.body).toBe(file);
  expect(onImported).toHaveBeenCalled();
});

it('offers merge (the default), skip or import as new for contacts already there', async () => {
  const empty = { imported: 0, merged: 0, unchanged: 0, skipped: [], changes: [] };
  const calls = stubFetch(answer(200, empty), answer(200, empty));
  render(<ImportPanel onImported={vi.fn()} onClose={vi.fn()} />);
  expect((screen.getByRole('radio', { name: /Merge it into the contact already there/ }) as HTMLInputElement).checked).toBe(true);
  const csv = () => new File(['First Name\nAda\n'], 'google.csv', { type: 'text/csv' });
  fireEvent.click(screen.getByRole('radio', { name: 'Skip it' }));
  fireEvent.change(screen.getByLabelText('Choose a file'), { target: { files: [csv()] } });
  await vi.waitFor(() => expect(calls).toHaveLength(1));
  fireEvent.click(screen.getByRole('radio', { name: 'Import it as a new contact' }));
  fireEvent.change(screen.getByLabelText('Choose a file'), { target: { files: [csv()] } });
  await vi.waitFor(() => expect(calls).toHaveLength(2));
  expect(calls.map((c) => c.url)).toEqual(['/v1/contacts/import?duplicates=skip', '/v1/contacts/import?duplicates=create']);
  expect((calls[1]!.init.headers as Record<string, string>)['content-type']).toBe('text/csv');
});

it('reports merged and unchanged records, skips by name or line, notes, and how many more there were', async () => {
  stubFetch(
    answer(200, {
      imported: 3,
      merged: 2,
      unchanged: 1,
      skipped: [
        { index: 2, line: 14, name: 'Grace Hopper', reason: "the email, 'grace@', is not an email address" },
        { index: 4, line: 30, name: null, reason: 'a contact needs a name, an email or a phone' },
      ],
      skippedTotal: 29,
      unread: 0,
      changes: [
        {
          index: 0,
          line: 1,
          name: 'Ada Lovelace',
          contactId: '00000000-0000-4000-8000-000000000001',
          outcome: 'merged',
          notes: ["merged into 'Ada Lovelace' (same email)"],
        },
        {
          index: 1,
          line: 7,
          name: 'Alan Turing',
          contactId: '00000000-0000-4000-8000-000000000002',
          outcome: 'imported',
          notes: ["the second phone number, 'abc', is not a phone number: kept in the notes", 'not kept: PHOTO'],
        },
      ],
      changesTotal: 12,
    }),
  );
  render(<ImportPanel onImported={vi.fn()} onClose={vi.fn()} />);
  fireEvent.change(screen.getByLabelText('Choose a file'), { target: { files: [new File(['x'], 'all.vcf')] } });
  expect(await screen.findByText('3 imported, 2 merged into existing contacts, 1 already there, 29 skipped.')).toBeTruthy();
  const lists = screen.getAllByRole('list');
  const skipped = within(lists[0]!)
    .getAllByRole('listitem')
    .map((li) => li.textContent);
  expect(skipped).toEqual([
    "Grace Hopper: the email, 'grace@', is not an email address",
    'Line 30: a contact needs a name, an email or a phone',
    '…and 27 more',
  ]);
  expect(screen.getByRole('heading', { name: 'Merged, already there, or changed on the way in' })).toBeTruthy();
  const turing = screen.getByText('Alan Turing').closest('li')!;
  expect(turing.textContent).toContain('Alan Turing (imported)');
  expect(
    within(turing)
      .getAllByRole('listitem')
      .map((li) => li.textContent),
  ).toEqual(["the second phone number, 'abc', is not a phone number: kept in the notes", 'not kept: PHOTO']);
  expect(screen.getByText("merged into 'Ada Lovelace' (same email)")).toBeTruthy();
  expect(screen.getByText('…and 10 more')).toBeTruthy();
});

it('refuses files that are neither vCard nor CSV without calling the server', async () => {
  const fetch = vi.fn();
  vi.stubGlobal('fetch', fetch);
  render(<ImportPanel onImported={vi.fn()} onClose={vi.fn()} />);
  fireEvent.change(screen.getByLabelText('Choose a file'), { target: { files: [new File(['x'], 'photo.png', { type: 'image/png' })] } });
  expect((await screen.findByRole('alert')).textContent).toBe('photo.png is neither a vCard (.vcf) nor a CSV file.');
  expect(fetch).not.toHaveBeenCalled();
});
