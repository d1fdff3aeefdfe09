import { useEffect, useRef, useState } from 'preact/hooks';
import { API_BASE, ApiError, api, type AppPassword } from './api.ts';
import { ConfirmDialog } from './dialog.tsx';
import { LoadError } from './load-error.tsx';
import { describeError, fieldErrors, fieldSentence } from './messages.ts';
import { StatusLine, type Status } from './status-line.tsx';

/**
 * The server a CardDAV client is given: the API's origin (the web app's own
 * when they are served together). Clients find the address book from it
 * (/.well-known/carddav leads to /dav/).
 */
export function davServer(base: string = API_BASE, here: string = location.href): string {
  return new URL(base || '/', here).origin;
}

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const moment = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function When({ iso }: { iso: string }) {
  const d = new Date(iso);
  return (
    <time dateTime={iso} title={moment.format(d)}>
      {day.format(d)}
    </time>
  );
}

/** The one time a password is on screen: from its creation until "Done", a revoke, or leaving the page. */
type Created = { id: string; name: string; password: string };

/**
 * App passwords for CardDAV: one per phone or mail app, named after it,
 * shown once when made, each revocable on its own. Account passwords are
 * never accepted on /dav, so this is the only way a device can sync.
 */
export function AppPasswords({ email }: { email: string }) {
  const [items, setItems] = useState<AppPassword[]>();
  const [loadError, setLoadError] = useState<string>();
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string>();
  const [formStatus, setFormStatus] = useState<Status>();
  const [listStatus, setListStatus] = useState<Status>();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created>();
  const [copyStatus, setCopyStatus] = useState<string>();
  const [revoking, setRevoking] = useState<AppPassword>();
  const [revokeBusy, setRevokeBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  const secret = useRef<HTMLElement>(null);
  const copyButton = useRef<HTMLButtonElement>(null);
  const server = davServer();

  async function load() {
    setLoadError(undefined);
    try {
      const { data } = await api.appPasswords();
      setItems(data.items);
    } catch (err) {
      setLoadError(describeError(err));
    }
  }
  useEffect(() => void load(), []);

  async function create(e: Event) {
    e.preventDefault();
    setFormStatus(undefined);
    setListStatus(undefined);
    const trimmed = name.trim();
    if (!trimmed) {
      setNameError('Enter a name for the device, such as “iPhone”.');
      return nameInput.current?.focus();
    }
    setCreating(true);
    try {
      const { data } = await api.createAppPassword(trimmed);
      const { password, ...item } = data;
      // The list keeps the name and dates only; the password lives in this state until dismissed.
      setItems((list) => list && [...list, item]);
      setCreated({ id: item.id, name: item.name, password });
      setCopyStatus(undefined);
      setName('');
      setNameError(undefined);
      requestAnimationFrame(() => copyButton.current?.focus());
    } catch (err) {
      const f = fieldErrors(err).name;
      if (f) {
        setNameError(fieldSentence('The name', f));
        nameInput.current?.focus();
      } else setFormStatus({ kind: 'error', text: describeError(err) });
    } finally {
      setCreating(false);
    }
  }

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.password);
      setCopyStatus('Copied. Paste it into the password field on the device.');
    } catch {
      // No clipboard (an http:// page, a refused permission): select it, for the person to copy.
      const selection = getSelection();
      if (secret.current && selection) {
        const range = document.createRange();
        range.selectNodeContents(secret.current);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      setCopyStatus('It could not be copied here. It is selected: copy it with Ctrl+C (⌘C on a Mac), or type it in.');
    }
  }

  function dismiss() {
    setCreated(undefined);
    setCopyStatus(undefined);
    nameInput.current?.focus();
  }

  function gone(target: AppPassword, text: string) {
    setItems((list) => list?.filter((p) => p.id !== target.id));
    setCreated((c) => (c?.id === target.id ? undefined : c));
    setListStatus({ kind: 'ok', text });
    // Its Revoke button has gone with it: focus stays in the section.
    requestAnimationFrame(() => heading.current?.focus());
  }

  async function revoke() {
    const target = revoking;
    if (!target) return;
    setRevokeBusy(true);
    setListStatus(undefined);
    try {
      await api.revokeAppPassword(target.id);
      gone(target, `“${target.name}” is revoked: the device using it can no longer sync.`);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_found') gone(target, `“${target.name}” had already been revoked.`);
      else setListStatus({ kind: 'error', text: describeError(err) });
    } finally {
      setRevokeBusy(false);
      setRevoking(undefined);
    }
  }

  let list;
  if (!items) {
    list = loadError ? (
      <LoadError message={loadError} onRetry={() => void load()} />
    ) : (
      <p class="hint" role="status">
        Loading app passwords…
      </p>
    );
  } else if (items.length === 0) {
    list = <p class="hint">No app passwords yet, so no phone or app syncs with this account.</p>;
  } else {
    list = (
      <ul class="app-password-list" aria-labelledby="app-passwords-title">
        {items.map((p) => (
          <li key={p.id}>
            <div class="who">
              <span class="name">{p.name}</span>
              <span class="meta">
                Created <When iso={p.createdAt} />
                {' · '}
                {p.lastUsedAt ? (
                  <>
                    last used <When iso={p.lastUsedAt} />
                  </>
                ) : (
                  'never used'
                )}
              </span>
            </div>
            {/* Named for its password (it starts with the visible word, for speech input). */}
            <button type="button" class="danger" aria-label={`Revoke ${p.name}…`} onClick={() => setRevoking(p)}>
              Revoke…
            </button>
          </li>
        ))}
      </ul>
    );
  }

  return (
    <section class="app-passwords" aria-labelledby="app-passwords-title">
      <h3 id="app-passwords-title" ref={heading} tabIndex={-1}>
        App passwords
      </h3>
      <p class="hint">
        To sync your contacts with a phone or a mail app such as Thunderbird (CardDAV), give it an app password of its own: your account
        password does not work there. Revoke a lost device’s here; changing your password or signing out everywhere revokes them all.
      </p>
      {list}
      <StatusLine status={listStatus} />

      <form onSubmit={create} aria-label="Create an app password" novalidate>
        <div class="field">
          <label for="ap-name">Device name</label>
          <p class="hint" id="ap-name-hint">
            Name it after the phone or app that will use it, such as “iPhone” or “Thunderbird”.
          </p>
          <input
            id="ap-name"
            ref={nameInput}
            autocomplete="off"
            maxLength={60}
            value={name}
            aria-invalid={Boolean(nameError)}
            aria-describedby={nameError ? 'ap-name-hint ap-name-error' : 'ap-name-hint'}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          {nameError && (
            <p class="field-error" id="ap-name-error">
              {nameError}
            </p>
          )}
        </div>
        <button type="submit" disabled={creating}>
          Create app password
        </button>
        <StatusLine status={formStatus} />
      </form>

      {/* Always there, so the new password is read out when it appears (a live region added with its content may not be). */}
      <div class={created ? 'new-app-password' : undefined}>
        <div role="status">
          {created && (
            <>
              <p>
                The app password for <strong>{created.name}</strong> is
              </p>
              <p>
                <code class="secret" ref={secret}>
                  {created.password}
                </code>
              </p>
              <p>
                <strong>It will not be shown again.</strong> Copy it now and enter it on the device.
              </p>
            </>
          )}
        </div>
        {created && (
          <>
            <div class="actions">
              <button type="button" class="primary" ref={copyButton} onClick={() => void copy()}>
                Copy password
              </button>
            </div>
            <p class="status ok" role="status">
              {copyStatus}
            </p>
            <p>On the device, add a CardDAV account with:</p>
            <dl class="facts">
              <div>
                <dt>Server</dt>
                <dd>
                  <code>{server}</code>
                </dd>
              </div>
              <div>
                <dt>User name</dt>
                <dd>
                  <code>{email}</code>
                </dd>
              </div>
              <div>
                <dt>Password</dt>
                <dd>this app password</dd>
              </div>
            </dl>
            <p class="hint">
              Typing it on a phone? The dashes are optional and capitals do not matter. An app that asks for the address book’s full address
              takes <code>{server}/dav/</code>.
            </p>
            <button type="button" onClick={dismiss}>
              Done: hide the password
            </button>
          </>
        )}
      </div>

      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirm="Revoke app password"
          cancel="Keep it"
          danger
          busy={revokeBusy}
          onConfirm={() => void revoke()}
          onCancel={() => setRevoking(undefined)}
        >
          <p>The device using it stops syncing at once; your other devices keep theirs. To sync it again, create a new app password.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
