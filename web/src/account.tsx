import { useRef, useState } from 'preact/hooks';
import { api, type Limits, type User } from './api.ts';
import { AppPasswords } from './app-passwords.tsx';
import { ConfirmDialog } from './dialog.tsx';
import { ExportLink } from './export-link.tsx';
import { describeError, fieldErrors, fieldSentence } from './messages.ts';
import { StatusLine, type Status } from './status-line.tsx';

interface Props {
  user: User;
  limits?: Limits;
  onUser: (u: User) => void;
  /** The account's sessions are gone (signed out everywhere, or deleted). */
  onSignedOut: (message: string) => void;
  onClose: () => void;
}

/** The account: name, password, app passwords for CardDAV, sessions, everything exported, and leaving. */
export function AccountPage({ user, limits, onUser, onSignedOut, onClose }: Props) {
  const [name, setName] = useState(user.name);
  const [nameStatus, setNameStatus] = useState<Status>();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [pwErrors, setPwErrors] = useState<{ currentPassword?: string; newPassword?: string }>({});
  const [pwStatus, setPwStatus] = useState<Status>();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const pwForm = useRef<HTMLFormElement>(null);

  async function saveName(e: Event) {
    e.preventDefault();
    if (!name.trim()) return setNameStatus({ kind: 'error', text: 'Enter your name.' });
    try {
      const { data } = await api.updateMe({ name });
      onUser(data.user);
      setNameStatus({ kind: 'ok', text: 'Name saved.' });
    } catch (err) {
      const f = fieldErrors(err).name;
      setNameStatus({ kind: 'error', text: f ? fieldSentence('Your name', f) : describeError(err) });
    }
  }

  async function changePassword(e: Event) {
    e.preventDefault();
    setPwStatus(undefined);
    const problems: typeof pwErrors = {};
    if (!current) problems.currentPassword = 'Enter your current password.';
    if ([...next].length < 8) problems.newPassword = 'Use at least 8 characters for your new password.';
    setPwErrors(problems);
    if (Object.keys(problems).length)
      return requestAnimationFrame(() => pwForm.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    setBusy(true);
    try {
      await api.changePassword(current, next);
      setCurrent('');
      setNext('');
      setPwStatus({ kind: 'ok', text: 'Password changed. Every other browser and device has been signed out.' });
    } catch (err) {
      const f = fieldErrors(err);
      const byField = {
        currentPassword: f.currentPassword && describeError(err),
        newPassword: f.newPassword && fieldSentence('The new password', f.newPassword),
      };
      setPwErrors(byField);
      if (!byField.currentPassword && !byField.newPassword) setPwStatus({ kind: 'error', text: describeError(err) });
      requestAnimationFrame(() => pwForm.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    } finally {
      setBusy(false);
    }
  }

  async function signOutEverywhere() {
    try {
      await api.logoutAll();
      onSignedOut('You have been signed out on every browser and device.');
    } catch (err) {
      setPwStatus({ kind: 'error', text: describeError(err) });
    }
  }

  async function deleteAccount() {
    setBusy(true);
    try {
      await api.deleteMe();
      onSignedOut('Your account and its contacts have been deleted.');
    } catch (err) {
      setConfirming(false);
      setPwStatus({ kind: 'error', text: describeError(err) });
    } finally {
      setBusy(false);
    }
  }

  const pwField = (id: 'currentPassword' | 'newPassword', label: string, value: string, set: (v: string) => void, hint?: string) => (
    <div class="field">
      <label for={`a-${id}`}>{label}</label>
      {hint && (
        <p class="hint" id={`a-${id}-hint`}>
          {hint}
        </p>
      )}
      <input
        id={`a-${id}`}
        type="password"
        autocomplete={id === 'currentPassword' ? 'current-password' : 'new-password'}
        value={value}
        aria-invalid={Boolean(pwErrors[id])}
        aria-describedby={[hint && `a-${id}-hint`, pwErrors[id] && `a-${id}-error`].filter(Boolean).join(' ') || undefined}
        onInput={(e) => set(e.currentTarget.value)}
      />
      {pwErrors[id] && (
        <p class="field-error" id={`a-${id}-error`}>
          {pwErrors[id]}
        </p>
      )}
    </div>
  );

  const count = limits?.contacts;
  return (
    <section class="account" aria-labelledby="account-title">
      <header>
        <h2 id="account-title" tabIndex={-1}>
          Your account
        </h2>
        <button type="button" class="icon" aria-label="Close account" onClick={onClose}>
          ✕
        </button>
      </header>
      <p class="hint">Signed in as {user.email}.</p>

      <form onSubmit={saveName} aria-labelledby="name-title">
        <h3 id="name-title">Name</h3>
        <div class="field">
          <label for="a-name">Your name</label>
          <input id="a-name" autocomplete="name" value={name} data-autofocus onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <button type="submit">Save name</button>
        <StatusLine status={nameStatus} />
      </form>

      <form ref={pwForm} onSubmit={changePassword} aria-labelledby="password-title" novalidate>
        <h3 id="password-title">Password</h3>
        {pwField('currentPassword', 'Current password', current, setCurrent)}
        {pwField(
          'newPassword',
          'New password',
          next,
          setNext,
          'At least 8 characters. Changing it signs out every other browser and device.',
        )}
        <button type="submit" disabled={busy}>
          Change password
        </button>
        <StatusLine status={pwStatus} />
      </form>

      <AppPasswords email={user.email} />

      <h3>Sessions</h3>
      <p class="hint">
        Lost a phone, or signed in on a shared computer? This signs you out everywhere, here too, and revokes every app password: phones and
        mail apps stop syncing until you give them a new one.
      </p>
      <button type="button" onClick={() => void signOutEverywhere()}>
        Sign out everywhere
      </button>

      <h3>Your contacts</h3>
      <ExportLink id="a-export-format" label="Export everything" />

      <h3>Delete account</h3>
      <p class="hint">
        Deletes your account and all your contacts at once. It cannot be undone; export them first if you want to keep them.
      </p>
      <button type="button" class="danger" onClick={() => setConfirming(true)}>
        Delete account…
      </button>
      {confirming && (
        <ConfirmDialog
          title="Delete your account?"
          confirm="Delete account and contacts"
          cancel="Keep my account"
          danger
          busy={busy}
          onConfirm={() => void deleteAccount()}
          onCancel={() => setConfirming(false)}
        >
          <p>
            {`This deletes ${user.email} and ${count === undefined ? 'all its contacts' : `its ${count} contact${count === 1 ? '' : 's'}`}, and signs you out everywhere. It cannot be undone.`}
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
