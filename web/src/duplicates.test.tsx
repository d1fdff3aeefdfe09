import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Contact } from './api.ts';
import { DuplicatesPanel, reasonText } from './duplicates.tsx';
import { answer, contact, problem } from './test-support.ts';

const A = contact({
  id: '00000000-0000-4000-8000-00000000000a',
  firstName: 'Ada',
  lastName: 'Lovelace',
  emails: [{ value: 'ada@example.org', label: 'home', customLabel: null }],
});
const B = contact({
  id: '00000000-0000-4000-8000-00000000000b',
  firstName: 'Augusta Ada',
  lastName: 'King',
  emails: [{ value: 'ADA@example.org', label: 'work', customLabel: null }],
  phones: [{ value: '+44 20 7946 0000', label: 'other', customLabel: 'Boat' }],
});
const C = contact({
  id: '00000000-0000-4000-8000-00000000000c',
  firstName: 'Alan',
  phones: [{ value: '555 0100', label: 'mobile', customLabel: null }],
});
const D = contact({
  id: '00000000-0000-4000-8000-00000000000d',
  firstName: 'A. M. Turing',
  phones: [{ value: '555-0100', label: 'work', customLabel: null }],
});

type Handler = (method: string, url: string, init: RequestInit) => Response | undefined;

/** Answers fetch by method and path; records every call. */
function serve(handler: Handler) {
  const calls: { method: string; url: string; init: RequestInit }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const method = init.method ?? 'GET';
      calls.push({ method, url, init });
      const res = handler(method, url, init);
      if (!res) throw new Error(`unexpected fetch ${method} ${url}`);
      return res;
    }),
  );
  return calls;
}

/** GET /v1/contacts/{id} from a map of contacts and their versions. */
const reads = (store: Map<string, { c: Contact; v: number }>) => (method: string, url: string) => {
  const id = /^\/v1\/contacts\/([\w-]+)$/.exec(url)?.[1];
  if (method !== 'GET' || !id) return undefined;
  const found = store.get(id);
  return found ? answer(200, found.c, { etag: `"v${found.v}"` }) : problem(404, 'not_found');
};

/** A duplicates group as the server answers it: the contacts and their ETags. */
const dupGroup = (reason: string, store: Map<string, { c: Contact; v: number }>, ...contacts: Contact[]) => ({
  reason,
  contacts,
  etags: contacts.map((c) => `"v${store.get(c.id)?.v ?? 1}"`),
});

beforeEach(() => sessionStorage.clear());
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('DuplicatesPanel', () => {
  it('says why each group matches, merges into the contact picked with the ETags it read, and hands the result over', async () => {
    const store = new Map([
      [A.id, { c: A, v: 3 }],
      [B.id, { c: B, v: 1 }],
      [C.id, { c: C, v: 1 }],
      [D.id, { c: D, v: 2 }],
    ]);
    const merged = { ...B, emails: [...B.emails] };
    const calls = serve((method, url) => {
      if (url === '/v1/contacts/duplicates')
        return answer(200, { groups: [dupGroup('email', store, A, B), dupGroup('phone', store, C, D)] });
      if (method === 'POST' && url === `/v1/contacts/${B.id}/merge`) return answer(200, merged, { etag: '"v2"' });
      return reads(store)(method, url);
    });
    const onMerged = vi.fn();
    render(<DuplicatesPanel onMerged={onMerged} onClose={vi.fn()} />);
    const group = (await screen.findByRole('heading', { name: 'Same email: ada@example.org' })).closest('section')!;
    expect(screen.getByRole('heading', { name: 'Same phone number: 555 0100' })).toBeTruthy();
    // Each contact with what tells them apart; the first is kept unless the person picks another.
    const keepAda = within(group).getByRole('radio', { name: /^Ada Lovelace/ }) as HTMLInputElement;
    const keepAugusta = within(group).getByRole('radio', { name: /^Augusta Ada King/ }) as HTMLInputElement;
    expect(keepAda.checked).toBe(true);
    expect(keepAugusta.closest('label')!.textContent).toContain('+44 20 7946 0000 (Boat)');
    fireEvent.click(keepAugusta);
    expect(keepAugusta.checked).toBe(true);
    fireEvent.click(within(group).getByRole('button', { name: 'Merge 2 contacts' }));

    await vi.waitFor(() => expect(onMerged).toHaveBeenCalledWith(merged));
    // The ETags came with the groups: no contact was read one by one.
    expect(calls.filter((c) => c.method === 'GET').map((c) => c.url)).toEqual(['/v1/contacts/duplicates']);
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.url).toBe(`/v1/contacts/${B.id}/merge`);
    expect(JSON.parse(post.init.body as string)).toEqual({ others: [{ id: A.id, etag: '"v3"' }] });
    expect((post.init.headers as Record<string, string>)['if-match']).toBe('"v1"');
    expect(screen.getByRole('status').textContent).toBe('Merged 2 contacts into Augusta Ada King.');
    expect(screen.queryByRole('heading', { name: /Same email/ })).toBeNull();
    expect(screen.getByRole('heading', { name: /Same phone number/ })).toBeTruthy();
  });

  it('on 412 says the contacts changed, shows them as they are now, and merges with the new ETags', async () => {
    const store = new Map([
      [A.id, { c: A, v: 3 }],
      [B.id, { c: B, v: 1 }],
    ]);
    let merges = 0;
    const calls = serve((method, url) => {
      if (url === '/v1/contacts/duplicates') return answer(200, { groups: [dupGroup('email', store, A, B)] });
      if (method === 'POST') {
        merges++;
        if (merges === 1) {
          // Someone renamed B in another tab after the list was read.
          store.set(B.id, { c: { ...B, firstName: 'Countess Ada' }, v: 2 });
          return problem(412, 'precondition_failed', `Contact ${B.id} has changed since you read it; reload and retry.`);
        }
        return answer(200, A, { etag: '"v4"' });
      }
      return reads(store)(method, url);
    });
    const onMerged = vi.fn();
    render(<DuplicatesPanel onMerged={onMerged} onClose={vi.fn()} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Merge 2 contacts' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'These contacts were changed somewhere else since they were shown. Here they are as they are now: check them and merge again.',
    );
    expect(screen.getByRole('radio', { name: /^Countess Ada King/ })).toBeTruthy();
    expect((screen.getByRole('radio', { name: /^Ada Lovelace/ }) as HTMLInputElement).checked).toBe(true);
    expect(onMerged).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Merge 2 contacts' }));
    await vi.waitFor(() => expect(onMerged).toHaveBeenCalled());
    const posts = calls.filter((c) => c.method === 'POST').map((c) => JSON.parse(c.init.body as string));
    expect(posts).toEqual([{ others: [{ id: B.id, etag: '"v1"' }] }, { others: [{ id: B.id, etag: '"v2"' }] }]);
    expect(screen.getByText('No more duplicates to review.')).toBeTruthy();
  });

  it('when a contact of the group was deleted meanwhile, there is nothing left to merge', async () => {
    const store = new Map([
      [A.id, { c: A, v: 3 }],
      [B.id, { c: B, v: 1 }],
    ]);
    serve((method, url) => {
      if (url === '/v1/contacts/duplicates') return answer(200, { groups: [dupGroup('email', store, A, B)] });
      if (method === 'POST') {
        store.delete(B.id);
        return problem(404, 'not_found');
      }
      return reads(store)(method, url);
    });
    render(<DuplicatesPanel onMerged={vi.fn()} onClose={vi.fn()} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Merge 2 contacts' }));
    expect(
      await screen.findByText('Those contacts were changed somewhere else, and only one of them is left: nothing to merge.'),
    ).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Merge/ })).toBeNull();
  });

  it('a merge over the limits says why at its group', async () => {
    const store = new Map([
      [A.id, { c: A, v: 1 }],
      [B.id, { c: B, v: 1 }],
    ]);
    serve((method, url) => {
      if (url === '/v1/contacts/duplicates') return answer(200, { groups: [dupGroup('email', store, A, B)] });
      if (method === 'POST') {
        return problem(400, 'validation_failed', 'The merged contact would go over a limit: at most 20 emails.', [
          { path: 'others', message: 'at most 20 emails' },
        ]);
      }
      return reads(store)(method, url);
    });
    render(<DuplicatesPanel onMerged={vi.fn()} onClose={vi.fn()} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Merge 2 contacts' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The merged contact would go over a limit: at most 20 emails.');
    expect((screen.getByRole('button', { name: 'Merge 2 contacts' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('a dismissed group stays hidden for the rest of the session', async () => {
    const store = new Map([
      [A.id, { c: A, v: 1 }],
      [B.id, { c: B, v: 1 }],
    ]);
    const calls = serve((method, url) => {
      if (url === '/v1/contacts/duplicates') return answer(200, { groups: [dupGroup('email', store, B, A)] });
      return reads(store)(method, url);
    });
    const first = render(<DuplicatesPanel onMerged={vi.fn()} onClose={vi.fn()} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Dismiss' }));
    expect(screen.getByText('No duplicates found.')).toBeTruthy();
    first.unmount();

    calls.length = 0;
    render(<DuplicatesPanel onMerged={vi.fn()} onClose={vi.fn()} />);
    expect(await screen.findByText('No duplicates found.')).toBeTruthy();
    expect(calls.map((c) => c.url)).toEqual(['/v1/contacts/duplicates']); // its contacts are not even read
  });

  it('a failure to load says so and can be retried', async () => {
    let first = true;
    serve((_method, url) => {
      if (url !== '/v1/contacts/duplicates') return undefined;
      if (first) {
        first = false;
        return problem(503, 'database_unavailable');
      }
      return answer(200, { groups: [] });
    });
    render(<DuplicatesPanel onMerged={vi.fn()} onClose={vi.fn()} />);
    expect((await screen.findByRole('alert')).textContent).toContain('The service is briefly unavailable.');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No duplicates found.')).toBeTruthy();
  });
});

it('reasonText names what the group shares', () => {
  expect(
    reasonText('name', [contact({ firstName: 'Ada', lastName: 'Lovelace' }), contact({ firstName: 'ada', lastName: 'lovelace' })]),
  ).toBe('Same name: Ada Lovelace');
  expect(
    reasonText('phone', [
      contact({ phones: [{ value: '+34 612 345 678', label: 'mobile', customLabel: null }] }),
      contact({ phones: [{ value: '612345678', label: 'home', customLabel: null }] }),
    ]),
  ).toBe('Same phone number');
});
