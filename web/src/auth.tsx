import { useRef, useState } from 'preact/hooks';
import { api, ApiError, type User } from './api.ts';
import { describeError, fieldErrors, fieldSentence } from './messages.ts';

type Field = 'name' | 'email' | 'password';
const LABELS: Record<Field, string> = { name: 'Your name', email: 'Email', password: 'Password' };
const MIN_PASSWORD = 8;

/** What is wrong with the form before it is sent, in sentences, by field. */
export function checkAuthForm(mode: 'login' | 'signup', v: Record<Field, string>): Partial<Record<Field, string>> {
  const out: Partial<Record<Field, string>> = {};
  if (mode === 'signup' && !v.name.trim()) out.name = 'Enter your name.';
  if (!v.email.trim()) out.email = 'Enter your email address.';
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email.trim())) out.email = 'Enter an email address like name@example.com.';
  if (!v.password) out.password = 'Enter your password.';
  else if (mode === 'signup' && [...v.password].length < MIN_PASSWORD)
    out.password = `Use at least ${MIN_PASSWORD} characters for your password.`;
  return out;
}

export function AuthScreen({ onSignedIn, notice }: { onSignedIn: (u: User) => void; notice?: string }) {
  const [mode, setMode] = useState<'login' | 'signup'>('login');
  const [values, setValues] = useState<Record<Field, string>>({ name: '', email: '', password: '' });
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Partial<Record<Field, string>>>({});
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const focusFirstError = () => requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());

  async function submit(e: Event) {
    e.preventDefault();
    setError(undefined);
    const problems = checkAuthForm(mode, values);
    setFields(problems);
    if (Object.keys(problems).length) return focusFirstError();
    setBusy(true);
    try {
      const { data } =
        mode === 'login' ? await api.login(values.email, values.password) : await api.signup(values.email, values.password, values.name);
      onSignedIn(data.user);
    } catch (err) {
      const byField: Partial<Record<Field, string>> = {};
      for (const [path, message] of Object.entries(fieldErrors(err)))
        if (path in LABELS) byField[path as Field] = fieldSentence(LABELS[path as Field], message);
      if (err instanceof ApiError && err.code === 'email_taken') byField.email = describeError(err);
      setFields(byField);
      // The summary only when no field says what is wrong.
      setError(Object.keys(byField).length ? undefined : describeError(err));
      focusFirstError();
    } finally {
      setBusy(false);
    }
  }

  const field = (
    id: Field,
    input: (a: {
      id: string;
      value: string;
      'aria-invalid': boolean;
      'aria-describedby'?: string;
      onInput: (e: Event) => void;
    }) => preact.JSX.Element,
    hint?: string,
  ) => {
    const described = [hint && `${id}-hint`, fields[id] && `${id}-error`].filter(Boolean).join(' ');
    return (
      <div class="field">
        <label for={id}>{LABELS[id]}</label>
        {hint && (
          <p class="hint" id={`${id}-hint`}>
            {hint}
          </p>
        )}
        {input({
          id,
          value: values[id],
          'aria-invalid': Boolean(fields[id]),
          'aria-describedby': described || undefined,
          onInput: (e) => setValues({ ...values, [id]: (e.currentTarget as HTMLInputElement).value }),
        })}
        {fields[id] && (
          <p class="field-error" id={`${id}-error`}>
            {fields[id]}
          </p>
        )}
      </div>
    );
  };

  const switchTo = (m: 'login' | 'signup') => {
    setMode(m);
    setFields({});
    setError(undefined);
  };

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
        <button role="tab" aria-selected={mode === 'login'} type="button" onClick={() => switchTo('login')}>
          Sign in
        </button>
        <button role="tab" aria-selected={mode === 'signup'} type="button" onClick={() => switchTo('signup')}>
          Create account
        </button>
      </div>
      <form ref={form} onSubmit={submit} aria-label={mode === 'login' ? 'Sign in' : 'Create account'} novalidate>
        {mode === 'signup' && field('name', (a) => <input {...a} autocomplete="name" />)}
        {field('email', (a) => (
          <input {...a} type="email" autocomplete="email" />
        ))}
        {field(
          'password',
          (a) => (
            <input {...a} type="password" autocomplete={mode === 'login' ? 'current-password' : 'new-password'} />
          ),
          mode === 'signup' ? `At least ${MIN_PASSWORD} characters. A few unrelated words make a strong one.` : undefined,
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
