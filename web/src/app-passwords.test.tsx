import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppPassword } from './api.ts';
import { AccountPage } from './account.tsx';
import { AppPasswords, davServer } from './app-passwords.tsx';
import { answer, problem } from './test-support.ts';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const EMAIL = 'ada@example.org';
const PASSWORD = 'abcdef-ghjkmn-pqrstu-vwxyz2';
const phone: AppPassword = {
  id: '00000000-0000-4000-8000-0000000000a1',
  name: 'iPhone',
  createdAt: '2026-01-05T09:30:00.000Z',
  lastUsedAt: '2026-02-10T18:45:00.000Z',
};
const laptop: AppPassword = {
  id: '00000000-0000-4000-8000-0000000000a2',
  name: 'Thunderbird',
  createdAt: '2026-02-01T12:00:00.000Z',
  lastUsedAt: null,
};

/**
 * /v1/app-passwords as the API keeps it: the list never holds a password, a
 * create answers it once. `refuse` answers a method with a problem instead.
 */
function fakeServer(initial: AppPassword[], refuse: { POST?: () => Response; DELETE?: () => Response } = {}) {
  const items = [...initial];
  const calls: { method: string; url: string; body?: unknown }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const method = init.method ?? 'GET';
      calls.push({ method, url, body: init.body === undefined ? undefined : JSON.parse(init.body as string) });
      expect(init.credentials).toBe('include');
      if (method === 'GET' && url === '/v1/app-passwords') return answer(200, { items });
      if (method === 'POST' && url === '/v1/app-passwords') {
        if (refuse.POST) return refuse.POST();
        const { name } = JSON.parse(init.body as string) as { name: string };
        const item = { id: '00000000-0000-4000-8000-0000000000b1', name, createdAt: '2026-03-01T08:00:00.000Z', lastUsedAt: null };
        items.push(item);
        return answer(201, { ...item, password: PASSWORD });
      }
      const del = /^\/v1\/app-passwords\/([^/]+)$/.exec(url);
      if (method === 'DELETE' && del) {
        if (refuse.DELETE) return refuse.DELETE();
        const at = items.findIndex((p) => p.id === del[1]);
        if (at < 0) return problem(404, 'not_found', 'No such app password.');
        items.splice(at, 1);
        return new Response(null, { status: 204 });
      }
      throw new Error(`unexpected fetch ${method} ${url}`);
    }),
  );
  return { calls, items };
}

const rows = () => within(screen.getByRole('list', { name: 'App passwords' })).getAllByRole('listitem');
const row = (name: string) => rows().find((li) => li.querySelector('.name')?.textContent === name)!;

async function createNamed(name: string) {
  fireEvent.input(screen.getByLabelText('Device name'), { target: { value: name } });
  fireEvent.click(screen.getByRole('button', { name: 'Create app password' }));
}

describe('AppPasswords', () => {
  it('lists each password by name, oldest first, with when it was made and last used, or never used', async () => {
    const { calls } = fakeServer([phone, laptop]);
    render(<AppPasswords email={EMAIL} />);
    await screen.findByRole('list', { name: 'App passwords' });
    expect(calls).toEqual([{ method: 'GET', url: '/v1/app-passwords', body: undefined }]);
    expect(rows().map((li) => li.querySelector('.name')!.textContent)).toEqual(['iPhone', 'Thunderbird']);

    const used = row('iPhone');
    expect([...used.querySelectorAll('time')].map((t) => t.getAttribute('datetime'))).toEqual([phone.createdAt, phone.lastUsedAt]);
    expect(used.textContent).toMatch(/^iPhoneCreated .+ · last used .+Revoke…$/);
    expect(used.textContent).not.toContain('never used');

    const unused = row('Thunderbird');
    expect([...unused.querySelectorAll('time')].map((t) => t.getAttribute('datetime'))).toEqual([laptop.createdAt]);
    expect(unused.querySelector('.meta')!.textContent).toMatch(/ · never used$/);
    // Each Revoke button says which password it revokes.
    expect(within(unused).getByRole('button', { name: 'Revoke Thunderbird…' })).toBeTruthy();
    expect(within(used).getByRole('button', { name: 'Revoke iPhone…' })).toBeTruthy();
  });

  it('says when there are none, and offers to try again when the list cannot load', async () => {
    let fail = true;
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => (fail ? problem(503, 'database_unavailable') : answer(200, { items: [] }))),
    );
    render(<AppPasswords email={EMAIL} />);
    expect((await screen.findByRole('alert')).textContent).toContain('The service is briefly unavailable.');
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No app passwords yet, so no phone or app syncs with this account.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('creates one named after the device and shows its password once, with what to type where, until dismissed', async () => {
    const { calls } = fakeServer([phone]);
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
    const view = render(<AppPasswords email={EMAIL} />);
    await screen.findByRole('list', { name: 'App passwords' });

    await createNamed('  Thunderbird  ');
    const secret = await screen.findByText(PASSWORD);
    expect(calls.at(-1)).toEqual({ method: 'POST', url: '/v1/app-passwords', body: { name: 'Thunderbird' } });

    // Read out as it appears: the password and the warning are in a live region.
    const live = secret.closest('[role="status"]')!;
    expect(live.textContent).toBe(
      `The app password for Thunderbird is${PASSWORD}It will not be shown again. Copy it now and enter it on the device.`,
    );
    // What goes where on the device: this site's origin, the account's email, this password.
    const facts = Object.fromEntries(
      [...document.querySelectorAll('.new-app-password dl > div')].map((d) => [
        d.querySelector('dt')!.textContent,
        d.querySelector('dd')!.textContent,
      ]),
    );
    expect(facts).toEqual({ Server: 'http://localhost:3000', 'User name': EMAIL, Password: 'this app password' });

    // It joins the list as never used, without its password; the name field is ready for the next device.
    expect(rows().map((li) => li.querySelector('.name')!.textContent)).toEqual(['iPhone', 'Thunderbird']);
    expect(row('Thunderbird').textContent).toContain('never used');
    expect(row('Thunderbird').textContent).not.toContain(PASSWORD);
    expect((screen.getByLabelText('Device name') as HTMLInputElement).value).toBe('');

    fireEvent.click(screen.getByRole('button', { name: 'Copy password' }));
    expect(await screen.findByText('Copied. Paste it into the password field on the device.')).toBeTruthy();
    expect(writeText).toHaveBeenCalledWith(PASSWORD);

    fireEvent.click(screen.getByRole('button', { name: 'Done: hide the password' }));
    expect(document.body.textContent).not.toContain(PASSWORD);
    expect(screen.queryByRole('button', { name: 'Copy password' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByLabelText('Device name'));

    // Back on the page later: the list comes from the server again, and the password is not in it.
    view.unmount();
    render(<AppPasswords email={EMAIL} />);
    await screen.findByRole('list', { name: 'App passwords' });
    expect(calls.filter((c) => c.method === 'GET')).toHaveLength(2);
    expect(document.body.textContent).not.toContain(PASSWORD);
    expect(screen.queryByRole('button', { name: 'Copy password' })).toBeNull();
  });

  it('selects the password for copying by hand when the clipboard is refused', async () => {
    fakeServer([]);
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new DOMException('denied', 'NotAllowedError'));
    render(<AppPasswords email={EMAIL} />);
    await screen.findByText(/No app passwords yet/);
    await createNamed('Pixel');
    fireEvent.click(await screen.findByRole('button', { name: 'Copy password' }));
    expect(await screen.findByText(/It could not be copied here\. It is selected/)).toBeTruthy();
    expect(getSelection()!.toString()).toBe(PASSWORD);
  });

  it('asks for a name before calling the server, and shows the API’s word on a name it refuses', async () => {
    const { calls } = fakeServer([], {
      POST: () => problem(400, 'validation_failed', 'x', [{ path: 'name', message: 'must be at most 60 characters' }]),
    });
    render(<AppPasswords email={EMAIL} />);
    await screen.findByText(/No app passwords yet/);
    const input = screen.getByLabelText('Device name');

    await createNamed('   ');
    expect(calls.map((c) => c.method)).toEqual(['GET']);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(input.getAttribute('aria-describedby')!.split(' ')[1]!)!.textContent).toBe(
      'Enter a name for the device, such as “iPhone”.',
    );

    await createNamed('A very long name');
    expect(await screen.findByText('The name must be at most 60 characters.')).toBeTruthy();
    expect(calls.map((c) => c.method)).toEqual(['GET', 'POST']);
    expect(document.body.textContent).not.toContain(PASSWORD);
  });

  it('at the limit, says to revoke one first, and shows no password', async () => {
    const { calls } = fakeServer([phone], {
      POST: () => problem(403, 'app_password_limit_reached', 'An account can have 20 app passwords; revoke one first.'),
    });
    render(<AppPasswords email={EMAIL} />);
    await screen.findByRole('list', { name: 'App passwords' });
    await createNamed('iPad');
    expect((await screen.findByRole('alert')).textContent).toBe(
      'You have as many app passwords as an account can have. Revoke one you no longer use, then create this one.',
    );
    expect(calls.at(-1)!.method).toBe('POST');
    expect(screen.queryByRole('button', { name: 'Copy password' })).toBeNull();
    expect(rows()).toHaveLength(1);
    // The name stays, to try again after revoking one.
    expect((screen.getByLabelText('Device name') as HTMLInputElement).value).toBe('iPad');
  });

  it('revokes one after a confirmation; keeping it sends nothing', async () => {
    const { calls, items } = fakeServer([phone, laptop]);
    render(<AppPasswords email={EMAIL} />);
    await screen.findByRole('list', { name: 'App passwords' });

    fireEvent.click(screen.getByRole('button', { name: 'Revoke iPhone…' }));
    let dialog = screen.getByRole('dialog', { name: 'Revoke “iPhone”?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.map((c) => c.method)).toEqual(['GET']);
    expect(rows()).toHaveLength(2);

    fireEvent.click(screen.getByRole('button', { name: 'Revoke iPhone…' }));
    dialog = screen.getByRole('dialog', { name: 'Revoke “iPhone”?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke app password' }));
    expect(await screen.findByText('“iPhone” is revoked: the device using it can no longer sync.')).toBeTruthy();
    expect(calls.at(-1)).toEqual({ method: 'DELETE', url: `/v1/app-passwords/${phone.id}`, body: undefined });
    expect(items.map((p) => p.name)).toEqual(['Thunderbird']);
    expect(rows().map((li) => li.querySelector('.name')!.textContent)).toEqual(['Thunderbird']);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('revoking the password just made hides it; one revoked meanwhile elsewhere leaves the list too', async () => {
    const { items } = fakeServer([phone]);
    render(<AppPasswords email={EMAIL} />);
    await screen.findByRole('list', { name: 'App passwords' });
    await createNamed('Work laptop');
    await screen.findByText(PASSWORD);

    fireEvent.click(screen.getByRole('button', { name: 'Revoke Work laptop…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Revoke app password' }));
    await screen.findByText(/“Work laptop” is revoked/);
    expect(document.body.textContent).not.toContain(PASSWORD);

    // Revoked meanwhile in another browser: the server answers 404, and it leaves the list here too.
    items.splice(
      items.findIndex((p) => p.id === phone.id),
      1,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Revoke iPhone…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Revoke app password' }));
    expect(await screen.findByText('“iPhone” had already been revoked.')).toBeTruthy();
    expect(screen.queryByRole('list', { name: 'App passwords' })).toBeNull();
    expect(screen.getByText('No app passwords yet, so no phone or app syncs with this account.')).toBeTruthy();
  });

  it('a revoke the server could not do keeps the password listed and says why', async () => {
    fakeServer([phone], { DELETE: () => problem(503, 'database_unavailable') });
    render(<AppPasswords email={EMAIL} />);
    await screen.findByRole('list', { name: 'App passwords' });
    fireEvent.click(screen.getByRole('button', { name: 'Revoke iPhone…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Revoke app password' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The service is briefly unavailable. Please try again in a moment.');
    expect(rows().map((li) => li.querySelector('.name')!.textContent)).toEqual(['iPhone']);
  });
});

describe('davServer', () => {
  it('is the API’s origin when the web app is served apart from it, else the page’s own', () => {
    expect(davServer('https://api.contactfolio.com/', 'https://contactfolio.com/account')).toBe('https://api.contactfolio.com');
    expect(davServer('', 'http://localhost:5173/account?x=1')).toBe('http://localhost:5173');
  });
});

it('the account page has the App passwords section, between the password and the sessions', async () => {
  fakeServer([laptop]);
  render(
    <AccountPage
      user={{ id: '00000000-0000-4000-8000-000000000009', email: EMAIL, name: 'Ada', createdAt: '2026-01-01T00:00:00.000Z' }}
      onUser={vi.fn()}
      onSignedOut={vi.fn()}
      onClose={vi.fn()}
    />,
  );
  await screen.findByRole('list', { name: 'App passwords' });
  const headings = screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent);
  expect(headings.slice(headings.indexOf('Password'), headings.indexOf('Sessions') + 1)).toEqual(['Password', 'App passwords', 'Sessions']);
});
