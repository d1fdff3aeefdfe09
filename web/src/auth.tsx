import { useState } from 'preact/hooks';
import { api, type User } from './api.ts';
import { describeError, fieldErrors } from './messages.ts';

export function AuthScreen({ onSignedIn, notice }: { onSignedIn: (u: User) => void; notice?: string }) {
  const [mode, setMode] = useState<'login' | 'signup'>('login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setFields({});
    try {
      const { data } = mode === 'login' ? await api.login(email, password) : await api.signup(email, password, name);
      onSignedIn(data.user);
    } catch (err) {
      setError(describeError(err));
      setFields(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  }

  const field = (id: string, label: string, input: preact.JSX.Element) => (
    <div class="field">
      <label for={id}>{label}</label>
      {input}
      {fields[id] && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {fields[id]}
        </p>
      )}
    </div>
  );

  return (
    <main class="auth">
      <h1>contactfolio</h1>
      <p class="tagline">Your contacts, kept by people you trust.</p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <div class="tabs" role="tablist">
        <button role="tab" aria-selected={mode === 'login'} type="button" onClick={() => setMode('login')}>
          Sign in
        </button>
        <button role="tab" aria-selected={mode === 'signup'} type="button" onClick={() => setMode('signup')}>
          Create account
        </button>
      </div>
      <form onSubmit={submit} aria-label={mode === 'login' ? 'Sign in' : 'Create account'} novalidate>
        {mode === 'signup' &&
          field('name', 'Your name', <input id="name" autocomplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} required />)}
        {field('email', 'Email', <input id="email" type="email" autocomplete="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} required />)}
        {field(
          'password',
          'Password',
          <input
            id="password"
            type="password"
            autocomplete={mode === 'login' ? 'current-password' : 'new-password'}
            minLength={mode === 'signup' ? 8 : undefined}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />,
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Please wait…' : mode === 'login' ? 'Sign in' : 'Create account'}
        </button>
      </form>
    </main>
  );
}
