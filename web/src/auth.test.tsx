import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthScreen, checkAuthForm } from './auth.tsx';
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
    stubFetch(
      problem(409, 'email_taken', 'taken', [{ path: 'email', message: 'is already registered' }]),
      problem(403, 'user_limit_reached'),
    );
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

  it('says what is wrong before sending, in sentences, and focuses the first bad field', async () => {
    const calls = stubFetch();
    render(<AuthScreen onSignedIn={vi.fn()} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Create account' }));
    expect(screen.getByText(/^At least 8 characters\./)).toBeTruthy();
    await submit({ Email: 'ada@', Password: 'short' });
    expect(screen.getByText('Enter your name.')).toBeTruthy();
    expect(screen.getByText('Enter an email address like name@example.com.')).toBeTruthy();
    expect(screen.getByText('Use at least 8 characters for your password.')).toBeTruthy();
    await vi.waitFor(() => expect(document.activeElement?.id).toBe('name'));
    expect(calls).toHaveLength(0);
    expect(checkAuthForm('login', { name: '', email: 'a@b.co', password: 'x' })).toEqual({});
    expect(checkAuthForm('signup', { name: ' ', email: 'a@b.co', password: '1234567' })).toEqual({
      name: 'Enter your name.',
      password: 'Use at least 8 characters for your password.',
    });
  });

  it("the server's field errors become sentences at their fields", async () => {
    stubFetch(
      problem(400, 'validation_failed', 'The request is not valid.', [{ path: 'password', message: 'must be at most 1024 characters' }]),
    );
    render(<AuthScreen onSignedIn={vi.fn()} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Create account' }));
    await submit({ 'Your name': 'Ada', Email: 'a@b.co', Password: 'long enough' });
    expect((await screen.findByText('Password must be at most 1024 characters.')).id).toBe('password-error');
    expect(screen.queryByText('The request is not valid.')).toBeNull();
  });

  it('offline: says so', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))),
    );
    render(<AuthScreen onSignedIn={vi.fn()} />);
    await submit({ Email: 'a@b.co', Password: 'x' });
    expect((await screen.findByRole('alert')).textContent).toMatch(/offline/);
  });
});
