import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Contact, type DuplicateGroup } from './api.ts';
import { displayName, labelText } from './format.ts';
import { describeError } from './messages.ts';
import { LoadError } from './load-error.tsx';

/*
 * Groups of contacts that look like one person (GET /v1/contacts/duplicates):
 * the person picks the contact to keep and merges the group into it, or
 * dismisses the group for this browser session. Each contact is read again
 * for its ETag, so a merge fails (412) rather than merging a contact that
 * changed after it was shown.
 */

const DISMISSED_KEY = 'contactfolio.dismissedDuplicates';

/** A group's identity: its contacts' ids. A group that later gains a contact is a new group. */
const groupKey = (contacts: Pick<Contact, 'id'>[]) =>
  contacts
    .map((c) => c.id)
    .sort()
    .join(' ');

function dismissedKeys(): Set<string> {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(DISMISSED_KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

function dismiss(key: string): void {
  try {
    sessionStorage.setItem(DISMISSED_KEY, JSON.stringify([...dismissedKeys(), key]));
  } catch {
    /* private mode: dismissed until the panel closes */
  }
}

interface Group {
  /** Stable while the panel is open (the first key it was shown with). */
  id: string;
  reason: DuplicateGroup['reason'];
  contacts: Contact[];
  etags: Record<string, string | undefined>;
  keep: string;
  busy: boolean;
  message?: string;
}

/** Each contact as it is now, with its ETag; contacts deleted since are left out. */
async function readContacts(contacts: Contact[]): Promise<{ contacts: Contact[]; etags: Record<string, string | undefined> }> {
  const read = await Promise.all(
    contacts.map((c) =>
      api.get(c.id).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }),
    ),
  );
  const found = read.filter((r): r is NonNullable<typeof r> => r !== null);
  return { contacts: found.map((r) => r.data), etags: Object.fromEntries(found.map((r) => [r.data.id, r.etag ?? undefined])) };
}

/** Why the group is one person, naming the shared email or phone when one is shared as written. */
export function reasonText(reason: DuplicateGroup['reason'], contacts: Contact[]): string {
  const shared = (values: string[][]) => {
    const seen = new Map<string, number>();
    for (const list of values) for (const v of new Set(list)) seen.set(v, (seen.get(v) ?? 0) + 1);
    return [...seen].find(([, n]) => n > 1)?.[0];
  };
  if (reason === 'email') {
    const email = shared(contacts.map((c) => c.emails.map((e) => e.value.trim().toLowerCase())));
    return email ? `Same email: ${email}` : 'Same email address';
  }
  if (reason === 'phone') {
    const digits = shared(contacts.map((c) => c.phones.map((p) => p.value.replace(/\D/g, ''))));
    const phone = digits && contacts.flatMap((c) => c.phones).find((p) => p.value.replace(/\D/g, '') === digits)?.value;
    return phone ? `Same phone number: ${phone}` : 'Same phone number';
  }
  return `Same name: ${displayName(contacts[0]!)}`;
}

/** What a person needs to tell the contacts of a group apart. */
function summary(c: Contact): string[] {
  return [
    [c.jobTitle, c.company].filter(Boolean).join(', '),
    c.emails.map((e) => `${e.value} (${labelText(e)})`).join(', '),
    c.phones.map((p) => `${p.value} (${labelText(p)})`).join(', '),
    `changed ${new Date(c.updatedAt).toLocaleDateString()}`,
  ].filter(Boolean);
}

export function DuplicatesPanel({ onMerged, onClose }: { onMerged: (c: Contact) => void; onClose: () => void }) {
  const [groups, setGroups] = useState<Group[]>();
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();
  const heading = useRef<HTMLHeadingElement>(null);

  async function load() {
    setError(undefined);
    setGroups(undefined);
    try {
      const { data } = await api.duplicates();
      const hidden = dismissedKeys();
      const shown = data.groups.filter((g) => !hidden.has(groupKey(g.contacts)));
      // The answer carries each contact's ETag: a merge is of exactly what was shown.
      setGroups(
        shown.map((g) => ({
          contacts: g.contacts,
          etags: Object.fromEntries(g.contacts.map((c, i) => [c.id, g.etags[i]])),
          reason: g.reason,
          id: groupKey(g.contacts),
          keep: g.contacts[0]!.id,
          busy: false,
        })),
      );
    } catch (err) {
      setError(describeError(err));
    }
  }

  useEffect(() => {
    void load();
    heading.current?.focus();
  }, []);

  const patch = (id: string, p: Partial<Group>) => setGroups((gs) => gs?.map((g) => (g.id === id ? { ...g, ...p } : g)));
  const drop = (id: string) => {
    setGroups((gs) => gs?.filter((g) => g.id !== id));
    heading.current?.focus(); // the group's buttons are gone: keep the keyboard in the panel
  };

  async function merge(g: Group) {
    patch(g.id, { busy: true, message: undefined });
    setStatus(undefined);
    const others = g.contacts.filter((c) => c.id !== g.keep).map((c) => ({ id: c.id, etag: g.etags[c.id] }));
    try {
      const { data } = await api.merge(g.keep, others, g.etags[g.keep]);
      drop(g.id);
      setStatus(`Merged ${g.contacts.length} contacts into ${displayName(data)}.`);
      onMerged(data);
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 412 || err.status === 404))) {
        patch(g.id, { busy: false, message: describeError(err) });
        return;
      }
      // Changed or deleted somewhere else since they were read: show them as they are now.
      try {
        const fresh = await readContacts(g.contacts);
        if (fresh.contacts.length < 2) {
          drop(g.id);
          setStatus('Those contacts were changed somewhere else, and only one of them is left: nothing to merge.');
          return;
        }
        patch(g.id, {
          ...fresh,
          keep: fresh.contacts.some((c) => c.id === g.keep) ? g.keep : fresh.contacts[0]!.id,
          busy: false,
          message:
            'These contacts were changed somewhere else since they were shown. Here they are as they are now: check them and merge again.',
        });
      } catch (again) {
        patch(g.id, { busy: false, message: describeError(again) });
      }
    }
  }

  return (
    <section class="duplicates" aria-labelledby="duplicates-title">
      <header>
        <h2 id="duplicates-title" tabIndex={-1} ref={heading}>
          Duplicates
        </h2>
        <button type="button" class="icon" aria-label="Close duplicates" onClick={onClose}>
          ✕
        </button>
      </header>
      <p class="hint">
        Contacts that look like the same person. Merging keeps one contact and adds the others' emails, phones, addresses and other details
        to it; the others are deleted.
      </p>
      <p role="status" class="status">
        {status}
      </p>
      {error ? (
        <LoadError message={error} onRetry={() => void load()} />
      ) : !groups ? (
        <p class="empty" role="status">
          Looking for duplicates…
        </p>
      ) : groups.length === 0 ? (
        <p class="empty">{status ? 'No more duplicates to review.' : 'No duplicates found.'}</p>
      ) : (
        groups.map((g, n) => {
          const title = `dup-title-${n}`;
          return (
            <section class="dup-group" key={g.id} aria-labelledby={title} aria-busy={g.busy}>
              <h3 id={title}>{reasonText(g.reason, g.contacts)}</h3>
              <fieldset>
                <legend>Keep which contact?</legend>
                {g.contacts.map((c) => (
                  <label class="dup-choice" key={c.id}>
                    <input
                      type="radio"
                      name={`keep-${n}`}
                      value={c.id}
                      checked={g.keep === c.id}
                      onChange={() => patch(g.id, { keep: c.id })}
                    />
                    <span>
                      <span class="name">{displayName(c)}</span>
                      {summary(c).map((line, i) => (
                        <span class="meta" key={i}>
                          {line}
                        </span>
                      ))}
                    </span>
                  </label>
                ))}
              </fieldset>
              {g.message && (
                <p class="error" role="alert">
                  {g.message}
                </p>
              )}
              <div class="actions">
                <button type="button" class="primary" aria-describedby={title} disabled={g.busy} onClick={() => void merge(g)}>
                  {g.busy ? 'Merging…' : `Merge ${g.contacts.length} contacts`}
                </button>
                <button
                  type="button"
                  aria-describedby={title}
                  disabled={g.busy}
                  onClick={() => {
                    dismiss(groupKey(g.contacts));
                    drop(g.id);
                  }}
                >
                  Dismiss
                </button>
              </div>
            </section>
          );
        })
      )}
      {groups && groups.length > 0 && <p class="hint">A dismissed group stays hidden until you close this tab.</p>}
    </section>
  );
}
