import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, expect, it, vi } from 'vitest';
import { ImportPanel } from './import.tsx';
import { answer, stubFetch } from './test-support.ts';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

it('a dropped vCard is sent as text/vcard, and what was skipped is explained', async () => {
  const calls = stubFetch(answer(200, { imported: 1, skipped: [{ index: 1, reason: 'contact_limit_reached' }] }));
  const onImported = vi.fn();
  render(<ImportPanel onImported={onImported} onClose={vi.fn()} />);
  const file = new File(['BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n'], 'contacts.vcf', { type: '' });
  fireEvent.drop(screen.getByTestId('dropzone'), { dataTransfer: { files: [file] } });
  expect(await screen.findByText('Entry 2: over your contact limit')).toBeTruthy();
  expect(screen.getByRole('status').textContent).toContain('1 imported, 1 skipped');
  expect((calls[0]!.init.headers as Record<string, string>)['content-type']).toBe('text/vcard');
  expect(calls[0]!.init.body).toContain('FN:A');
  expect(onImported).toHaveBeenCalled();
});

it('refuses files that are neither vCard nor CSV without calling the server', async () => {
  const fetch = vi.fn();
  vi.stubGlobal('fetch', fetch);
  render(<ImportPanel onImported={vi.fn()} onClose={vi.fn()} />);
  fireEvent.change(screen.getByLabelText('Choose a file'), { target: { files: [new File(['x'], 'photo.png', { type: 'image/png' })] } });
  expect((await screen.findByRole('alert')).textContent).toBe('photo.png is neither a vCard (.vcf) nor a CSV file.');
  expect(fetch).not.toHaveBeenCalled();
});
