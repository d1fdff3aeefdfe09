import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthScreen } from './auth.tsx';
import { answer, problem, stubFetch } from './test-support.ts';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

async function submit(fields: Record<string, string>) {
  for (const [label, value] of Object.entries(fields)) fireEvent.input(screen.getByLabelText(label), { target: { value } });
  fireEvent.submit(screen.getByRole('form'));
}

describe('AuthScreen', () => {
  it('signs in and hands the user over', async () => {
    const calls = stubFetch(answer(200, { user: { id: '1', email: 'a@b.co', name: 'A', createdAt: 'x' } }));
    const onSignedIn = vi.fn();
    render(<AuthScreen onSignedIn={onSignedIn} />);
    await submit({ Email: 'a@b.co', Password: 'secret-password' });
    await vi.waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(expect.objectContaining({ email: 'a@b.co' })));
    expect(calls[0]!.url).toBe('/v1/auth/login');
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ email: 'a@b.co', password: 'secret-password' });
    expect(calls[0]!.init.credentials).toBe('include');
  });

  it.each([
    [problem(401, 'invalid_credentials'), 'Wrong email or password.'],
    [problem(429, 'too_many_attempts', 'x'), 'Too many failed sign-ins. Try again in 10 minutes.'],
    [problem(503, 'sessions_unavailable'), 'The service is briefly unavailable. Please try again in a moment.'],
  ])('sign-in error %#: %s', async (response, message) => {
    if (message.includes('10 minutes')) response.headers.set('retry-after', '600');
    stubFetch(response);
    render(<AuthScreen onSignedIn={vi.fn()} />);
    await submit({ Email: 'a@b.co', Password: 'x' });
    expect((await screen.findByRole('alert')).textContent).toBe(message);
  });

  it('signup: a taken email is said at the email field; the user limit for the form', async () => {
    stubFetch(problem(409, 'email_taken', 'taken', [{ path: 'email', message: 'is already registered' }]), problem(403, 'user_limit_reached'));
    render(<AuthScreen onSignedIn={vi.fn()} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Create account' }));
    await submit({ 'Your name': 'Ada', Email: 'a@b.co', Password: 'long enough' });
    // Said once, in a sentence, at the email field; no fragment, no generic summary.
    expect((await screen.findByText('An account with this email already exists. Sign in instead?')).id).toBe('email-error');
    expect(screen.queryByText('is already registered')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.submit(screen.getByRole('form'));
    expect(await screen.findByText(/This contactfolio is full/)).toBeTruthy();
  });

  it('offline: says so', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    render(<AuthScreen onSignedIn={vi.fn()} />);
    await submit({ Email: 'a@b.co', Password: 'x' });
    expect((await screen.findByRole('alert')).textContent).toMatch(/offline/);
  });
});
