import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { Link, useRoute } from 'wouter-preact';
import { api, type Contact, type Limits, type TagList, type User } from './api.ts';
import { AccountPage } from './account.tsx';
import { Avatar, ContactDetail } from './detail.tsx';
import { ConfirmDialog } from './dialog.tsx';
import { DuplicatesPanel } from './duplicates.tsx';
import { draftFrom, emptyDraft, isDirty, type Draft } from './draft.ts';
import { ContactEditor } from './editor.tsx';
import { avatarName, displayName } from './format.ts';
import { ExportLink } from './export-link.tsx';
import { ImportPanel } from './import.tsx';
import { LoadError } from './load-error.tsx';
import { describeError } from './messages.ts';
import { Panel } from './panel.tsx';
import { listSearch, paths, useAppLocation, type SortChoice } from './routes.ts';
import { useContactList, useOnline } from './use-contact-list.ts';
import { useUndoableDelete } from './use-undoable-delete.ts';

/** A panel's contact on its way, or why it could not be read. */
function PanelStatus({ error }: { error?: string }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : (
    <p class="empty" role="status">
      Loading…
    </p>
  );
}

/** Waits until typing pauses, so search-as-you-type asks once per pause. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

interface Props {
  user: User;
  onUser: (u: User) => void;
  draft: Draft | undefined;
  setDraft: (d: Draft | undefined) => void;
  onSignOut: () => void;
  /** The sessions ended on the server (signed out everywhere, account deleted). */
  onSignedOut: (message: string) => void;
}

type Viewing = { contact: Contact; etag?: string };

export function ContactsScreen({ user, onUser, draft, setDraft, onSignOut, onSignedOut }: Props) {
  const { query, go, setQuery } = useAppLocation();
  const [qInput, setQInput] = useState(query.q);
  const typed = useDebounced(qInput, 200);
  const list = useContactList(query);
  const online = useOnline();
  const [limits, setLimits] = useState<Limits>();
  const [tags, setTags] = useState<TagList['tags']>([]);
  const [viewing, setViewing] = useState<Viewing>();
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [askDiscard, setAskDiscard] = useState<() => void>();
  // Why the open panel's contact could not be read (gone, offline).
  const [panelError, setPanelError] = useState<string>();
  const undoButton = useRef<HTMLButtonElement>(null);

  const [isNew] = useRoute(paths.newContact);
  const [isEdit, editParams] = useRoute<{ id: string }>('/contacts/:id/edit');
  const [isCard, cardParams] = useRoute<{ id: string }>('/contacts/:id');
  const [isImport] = useRoute(paths.import);
  const [isDuplicates] = useRoute(paths.duplicates);
  const [isAccount] = useRoute(paths.account);
  const cardId = isCard && !isNew ? cardParams.id : undefined;
  const editId = isEdit ? editParams.id : undefined;
  const editing = isNew || Boolean(editId);

  // Typing writes the URL once it pauses; Back and Forward change the search in the URL, and the box
  // follows, but not for the URL's own echo of what was typed (the person may have typed on since).
  const written = useRef(query.q);
  useEffect(() => {
    if (query.q !== written.current) setQInput(query.q);
    written.current = query.q;
  }, [query.q]);
  useEffect(() => {
    if (typed === query.q) return;
    written.current = typed;
    setQuery({ q: typed });
  }, [typed]);

  const refreshSide = useCallback(() => {
    api.limits().then(
      ({ data }) => setLimits(data),
      () => undefined,
    );
    api.tags().then(
      ({ data }) => setTags(data.tags),
      () => undefined,
    );
  }, []);
  useEffect(refreshSide, [refreshSide]);
  const refresh = () => {
    void list.reload();
    refreshSide();
  };

  const deletion = useUndoableDelete(refresh, (err, c) => {
    list.setError(`${displayName(c)} could not be deleted: ${describeError(err)}`);
    refresh();
  });

  // The contact a path names, read again each time it opens (it may have changed elsewhere); a copy
  // already at hand shows meanwhile.
  useEffect(() => {
    setPanelError(undefined);
    if (!cardId) return;
    let live = true;
    api.get(cardId).then(
      ({ data, etag }) => live && setViewing({ contact: data, etag: etag ?? undefined }),
      (err: unknown) => live && setPanelError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [cardId]);

  // The editor's draft follows the path: the contact's for /contacts/:id/edit, unless the draft kept
  // (an expired session, a reload, Back and Forward) is already that one. /contacts/new shows the
  // kept new draft, else an empty one (see below).
  useEffect(() => {
    setPanelError(undefined);
    if (!editId || draft?.id === editId) return;
    if (viewing?.contact.id === editId) return setDraft(draftFrom(viewing.contact, viewing.etag));
    let live = true;
    api.get(editId).then(
      ({ data, etag }) => {
        if (!live) return;
        setViewing({ contact: data, etag: etag ?? undefined });
        setDraft(draftFrom(data, etag ?? undefined));
      },
      (err: unknown) => live && setPanelError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [editId]);
  // A draft with nothing unsaved is dropped when the editor is left.
  useEffect(() => {
    if (draft && !editing && !isDirty(draft)) setDraft(undefined);
  }, [editing]);

  const closeEditor = () => {
    const leave = () => {
      const id = draft?.id;
      setDraft(undefined);
      go(id ? paths.contact(id) : paths.list);
    };
    if (draft && isDirty(draft)) setAskDiscard(() => leave);
    else leave();
  };

  async function toggleFavorite(c: Contact) {
    const flip = (x: Contact) => ({ ...x, favorite: !c.favorite });
    list.patch(c.id, flip);
    setViewing((v) => (v?.contact.id === c.id ? { ...v, contact: flip(v.contact) } : v));
    try {
      const { data, etag } = await api.update(c.id, { favorite: !c.favorite });
      setViewing((v) => (v?.contact.id === c.id ? { contact: data, etag: etag ?? undefined } : v));
      if (query.sort === 'favorites') void list.reload();
    } catch (err) {
      list.patch(c.id, () => c);
      setViewing((v) => (v?.contact.id === c.id ? { ...v, contact: c } : v));
      list.setError(describeError(err));
    }
  }

  const remove = (c: Contact) => {
    if (draft?.id === c.id) setDraft(undefined);
    deletion.remove(c);
    go(paths.list);
    requestAnimationFrame(() => undoButton.current?.focus());
  };

  const atLimit = limits ? limits.contacts >= limits.maxContactsPerUser : false;
  const shown = list.items.filter((c) => c.id !== deletion.pending?.id);
  const total = list.total - (deletion.pending && list.items.some((c) => c.id === deletion.pending?.id) ? 1 : 0);
  const tagHref = (t: string) => paths.list + listSearch({ ...query, tag: t });
  const knownTags = tags.map((t) => t.name);
  const filtered = Boolean(query.q || query.tag);

  let panel = null;
  if (editing) {
    panel = (
      <Panel key={`edit-${editId ?? 'new'}`} label={isNew ? 'New contact' : 'Edit contact'} onClose={closeEditor}>
        {isNew || draft?.id === editId ? (
          <ContactEditor
            draft={isNew ? (draft && !draft.id ? draft : emptyDraft()) : draft!}
            knownTags={knownTags}
            onChange={setDraft}
            onSaved={(c, etag) => {
              setDraft(undefined);
              setViewing({ contact: c, etag });
              go(paths.contact(c.id), { replace: true });
              refresh();
            }}
            onDelete={() => {
              const id = draft!.id!;
              const c = viewing && viewing.contact.id === id ? viewing.contact : list.items.find((x) => x.id === id);
              if (c) remove(c);
              else
                api.get(id).then(
                  ({ data }) => remove(data),
                  (err: unknown) => setPanelError(describeError(err)),
                );
            }}
            onClose={closeEditor}
          />
        ) : (
          <PanelStatus error={panelError} />
        )}
      </Panel>
    );
  } else if (cardId) {
    panel = (
      <Panel key={`card-${cardId}`} label="Contact" onClose={() => go(paths.list)}>
        {viewing?.contact.id === cardId ? (
          <ContactDetail
            contact={viewing.contact}
            tagHref={tagHref}
            onEdit={() => go(paths.edit(cardId))}
            onClose={() => go(paths.list)}
            onFavorite={() => void toggleFavorite(viewing.contact)}
            onDelete={() => remove(viewing.contact)}
          />
        ) : (
          <PanelStatus error={panelError} />
        )}
      </Panel>
    );
  } else if (isImport) {
    panel = (
      <Panel key="import" label="Import" onClose={() => go(paths.list)}>
        <ImportPanel onImported={refresh} onClose={() => go(paths.list)} />
      </Panel>
    );
  } else if (isDuplicates) {
    panel = (
      <Panel key="duplicates" label="Duplicates" onClose={() => go(paths.list)}>
        <DuplicatesPanel onMerged={refresh} onClose={() => go(paths.list)} />
      </Panel>
    );
  } else if (isAccount) {
    panel = (
      <Panel key="account" label="Account" onClose={() => go(paths.list)}>
        <AccountPage user={user} limits={limits} onUser={onUser} onSignedOut={onSignedOut} onClose={() => go(paths.list)} />
      </Panel>
    );
  }

  return (
    <div class={`layout${panel ? ' with-panel' : ''}`}>
      <header class="top">
        <h1>contactfolio</h1>
        <nav class="account-nav" aria-label="Account">
          <Link href={paths.account} class="who">
            <Avatar name={user.name} />
            <span class="sr-only">Account: </span>
            <span class="who-name">{user.name}</span>
          </Link>
          <button type="button" onClick={() => void deletion.commit().finally(onSignOut)}>
            Sign out
          </button>
        </nav>
      </header>
      {!online && (
        <p class="banner offline" role="status">
          You are offline. Changes will not be saved until you reconnect.
        </p>
      )}
      <div class="toolbar" role="search">
        <div class="field grow">
          <label for="search">Search</label>
          <input
            id="search"
            type="search"
            placeholder="Name, email, phone, address, notes or tag"
            value={qInput}
            onInput={(e) => setQInput(e.currentTarget.value)}
          />
        </div>
        <button
          type="button"
          class="filters-toggle"
          aria-expanded={filtersOpen}
          aria-controls="filters"
          onClick={() => setFiltersOpen(!filtersOpen)}
        >
          {filtersOpen ? 'Fewer options' : 'More options'}
        </button>
        <button
          class="primary new"
          type="button"
          disabled={atLimit}
          onClick={() => {
            // A new contact left unsaved is picked up again; another contact's unsaved edit is asked about.
            const start = () => {
              if (draft?.id) setDraft(undefined);
              go(paths.newContact);
            };
            if (draft?.id && isDirty(draft)) setAskDiscard(() => start);
            else start();
          }}
        >
          New contact
        </button>
      </div>
      <div id="filters" class={`filters${filtersOpen ? ' open' : ''}`}>
        <div class="field">
          <label for="tag">Tag</label>
          <select id="tag" value={query.tag} onChange={(e) => setQuery({ tag: e.currentTarget.value })}>
            <option value="">Any tag</option>
            {query.tag && !tags.some((t) => t.name.toLowerCase() === query.tag.toLowerCase()) && (
              <option value={query.tag}>{query.tag}</option>
            )}
            {tags.map((t) => (
              <option key={t.name} value={t.name}>{`${t.name} (${t.count})`}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="sort">Order</label>
          <select id="sort" value={query.sort} onChange={(e) => setQuery({ sort: e.currentTarget.value as SortChoice })}>
            <option value="name">By name</option>
            <option value="favorites">Favorites first</option>
            <option value="-updatedAt">Recently changed</option>
            <option value="createdAt">Oldest first</option>
          </select>
        </div>
        <div class="more-actions">
          <button type="button" onClick={() => go(paths.import)}>
            Import
          </button>
          <button type="button" onClick={() => go(paths.duplicates)}>
            Duplicates
          </button>
          <ExportLink id="export-format" />
        </div>
      </div>
      {atLimit && (
        <p class="notice" role="status">
          You have reached your limit of {limits?.maxContactsPerUser} contacts. Delete one to add another.
        </p>
      )}
      {draft && !editing && isDirty(draft) && (
        <p class="notice draft-notice" role="status">
          {`You have unsaved changes to ${displayName(draft) === 'Unnamed' ? 'a new contact' : displayName(draft)}. `}
          <button type="button" onClick={() => go(draft.id ? paths.edit(draft.id) : paths.newContact)}>
            Continue editing
          </button>{' '}
          <button type="button" onClick={() => setDraft(undefined)}>
            Discard changes
          </button>
        </p>
      )}
      {list.error && list.state !== 'error' && (
        <p class="error" role="alert">
          {list.error}
        </p>
      )}

      {panel}

      <main class="contacts" aria-label="Contacts">
        {list.state === 'error' ? (
          <LoadError message={list.error} onRetry={() => void list.reload()} />
        ) : list.state === 'loading' && list.items.length === 0 ? (
          <p class="empty" role="status">
            Loading contacts…
          </p>
        ) : shown.length === 0 ? (
          <p class="empty">{filtered ? 'No contacts match.' : 'No contacts yet. Add one, or import a vCard or CSV file.'}</p>
        ) : (
          <>
            <p class="count" aria-live="polite">{`${total} contact${total === 1 ? '' : 's'}${filtered ? ' found' : ''}`}</p>
            <ul class="list" aria-label="Contacts">
              {shown.map((c) => {
                const name = displayName(c);
                return (
                  <li key={c.id} class={c.id === cardId || c.id === editId ? 'current' : undefined}>
                    <button
                      type="button"
                      class={`star${c.favorite ? ' on' : ''}`}
                      aria-pressed={c.favorite}
                      aria-label={`Favorite ${name}`}
                      onClick={() => void toggleFavorite(c)}
                    >
                      {c.favorite ? '★' : '☆'}
                    </button>
                    <Link
                      href={paths.contact(c.id) + listSearch(query)}
                      class="open"
                      data-contact-id={c.id}
                      aria-current={c.id === cardId ? 'page' : undefined}
                    >
                      <Avatar name={avatarName(c)} />
                      <span class="name">{name}</span>
                      <span class="meta">
                        {[
                          c.nickname && c.nickname !== name ? `“${c.nickname}”` : null,
                          c.company !== name && c.company,
                          c.emails[0]?.value,
                          c.phones[0]?.value,
                        ]
                          .filter(Boolean)
                          .join(' · ')}
                      </span>
                      <span class="col email">{c.emails[0]?.value}</span>
                      <span class="col phone">{c.phones[0]?.value}</span>
                      <span class="col company">{c.company !== name ? c.company : null}</span>
                    </Link>
                    <span class="tags">
                      {c.tags.map((t) => (
                        <Link class="tag" key={t} href={tagHref(t)} aria-label={`Show contacts tagged ${t}`}>
                          {t}
                        </Link>
                      ))}
                    </span>
                  </li>
                );
              })}
              {list.cursor && (
                <li ref={list.sentinel} class="more">
                  <button type="button" onClick={() => void list.loadMore()}>
                    Load more
                  </button>
                </li>
              )}
            </ul>
          </>
        )}
      </main>

      {deletion.pending && (
        <div class="toast" role="status">
          <span>{`Deleted ${displayName(deletion.pending)}.`}</span>
          <button
            ref={undoButton}
            type="button"
            onClick={() => {
              const c = deletion.pending!;
              deletion.undo();
              go(paths.contact(c.id));
            }}
          >
            Undo
          </button>
        </div>
      )}
      {askDiscard && (
        <ConfirmDialog
          title="Discard unsaved changes?"
          confirm="Discard changes"
          cancel="Keep editing"
          danger
          onConfirm={() => {
            const leave = askDiscard;
            setAskDiscard(undefined);
            leave();
          }}
          onCancel={() => setAskDiscard(undefined)}
        >
          <p>What you changed in this contact has not been saved.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
