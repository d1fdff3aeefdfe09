import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, type Contact, type ExportFormat, type Limits, type User } from './api.ts';
import { ContactDetail } from './detail.tsx';
import { DuplicatesPanel } from './duplicates.tsx';
import { ContactEditor, draftFrom, emptyDraft, type Draft } from './editor.tsx';
import { displayName } from './format.ts';
import { ImportPanel } from './import.tsx';
import { describeError } from './messages.ts';
import { LoadError } from './load-error.tsx';

type SortChoice = 'name' | 'favorites' | '-updatedAt' | 'createdAt';
const PAGE = 25;

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
  draft: Draft | undefined;
  setDraft: (d: Draft | undefined) => void;
  onSignOut: () => void;
}

export function ContactsScreen({ user, draft, setDraft, onSignOut }: Props) {
  const [q, setQ] = useState('');
  const [tag, setTag] = useState('');
  const [sort, setSort] = useState<SortChoice>('name');
  const [items, setItems] = useState<Contact[]>([]);
  const [total, setTotal] = useState(0);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string>();
  const [limits, setLimits] = useState<Limits>();
  // One side panel at a time: a contact, the import, or the duplicates (the editor is the draft, kept above).
  const [viewing, setViewing] = useState<{ contact: Contact; etag?: string }>();
  const [panel, setPanel] = useState<'import' | 'duplicates'>();
  const [exportFormat, setExportFormat] = useState<ExportFormat>('vcard3');
  const [online, setOnline] = useState(typeof navigator === 'undefined' ? true : navigator.onLine);
  const query = useDebounced(q, 200);
  const generation = useRef(0);
  const sentinel = useRef<HTMLLIElement>(null);

  const baseQuery = useCallback(
    (extra: Record<string, string> = {}): Record<string, string> => {
      const out: Record<string, string> = { limit: String(PAGE), sort, ...extra };
      if (query.trim()) out.q = query.trim();
      if (tag.trim()) out.tag = tag.trim();
      return out;
    },
    [query, tag, sort],
  );

  const load = useCallback(async () => {
    const mine = ++generation.current; // answers to older queries are dropped
    setState('loading');
    try {
      // Favorites first is the API's own sort (sort=favorites), paged like the others.
      const { data } = await api.list(baseQuery());
      const { items: list, nextCursor: next, total: count } = data;
      if (mine !== generation.current) return;
      setItems(list);
      setCursor(next);
      setTotal(count);
      setState('ready');
    } catch (err) {
      if (mine !== generation.current) return;
      setError(describeError(err));
      setState('error');
    }
  }, [baseQuery]);

  const loadMore = useCallback(async () => {
    if (!cursor || state === 'loading') return;
    const mine = generation.current;
    try {
      const { data } = await api.list(baseQuery({ cursor }));
      if (mine !== generation.current) return;
      setItems((prev) => [...prev, ...data.items]);
      setCursor(data.nextCursor);
    } catch (err) {
      setError(describeError(err));
    }
  }, [cursor, state, baseQuery]);

  const refreshLimits = useCallback(() => {
    api.limits().then(({ data }) => setLimits(data), () => undefined);
  }, []);

  useEffect(() => void load(), [load]);
  useEffect(refreshLimits, [refreshLimits]);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  // Infinite scroll: load the next page when the end of the list comes into view.
  useEffect(() => {
    if (!sentinel.current || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void loadMore());
    io.observe(sentinel.current);
    return () => io.disconnect();
  }, [loadMore]);

  async function open(c: Contact) {
    try {
      const { data, etag } = await api.get(c.id);
      setDraft(undefined);
      setPanel(undefined);
      setViewing({ contact: data, etag: etag ?? undefined });
    } catch (err) {
      setError(describeError(err));
    }
  }

  const openPanel = (p: 'import' | 'duplicates' | undefined) => {
    setViewing(undefined);
    setPanel(p);
  };

  const refresh = () => {
    void load();
    refreshLimits();
  };

  async function toggleFavorite(c: Contact) {
    setItems((prev) => prev.map((x) => (x.id === c.id ? { ...x, favorite: !c.favorite } : x)));
    try {
      const { data, etag } = await api.update(c.id, { favorite: !c.favorite });
      setViewing((v) => (v?.contact.id === c.id ? { contact: data, etag: etag ?? undefined } : v));
    } catch (err) {
      setItems((prev) => prev.map((x) => (x.id === c.id ? { ...x, favorite: c.favorite } : x)));
      setError(describeError(err));
    }
  }

  const atLimit = limits ? limits.contacts >= limits.maxContactsPerUser : false;

  return (
    <div class="layout">
      <header class="top">
        <h1>contactfolio</h1>
        <span class="who">{user.name}</span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {!online && (
        <p class="banner offline" role="status">
          You are offline. Changes will not be saved until you reconnect.
        </p>
      )}
      <main class="contacts">
        <div class="toolbar">
          <div class="field grow">
            <label for="search">Search</label>
            <input id="search" type="search" placeholder="Name, company, email, phone or tag" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="tag">Tag</label>
            <input id="tag" value={tag} placeholder="any" onInput={(e) => setTag(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="sort">Order</label>
            <select id="sort" value={sort} onChange={(e) => setSort(e.currentTarget.value as SortChoice)}>
              <option value="name">By name</option>
              <option value="favorites">Favorites first</option>
              <option value="-updatedAt">Recently changed</option>
              <option value="createdAt">Oldest first</option>
            </select>
          </div>
        </div>
        <div class="actions">
          <button
            class="primary"
            type="button"
            disabled={atLimit}
            onClick={() => {
              openPanel(undefined);
              setDraft(emptyDraft());
            }}
          >
            New contact
          </button>
          <button type="button" onClick={() => openPanel('import')}>
            Import
          </button>
          <button type="button" onClick={() => openPanel('duplicates')}>
            Duplicates
          </button>
          <span class="export">
            <label for="export-format">Export as</label>
            <select id="export-format" value={exportFormat} onChange={(e) => setExportFormat(e.currentTarget.value as ExportFormat)}>
              <option value="vcard3">vCard 3.0</option>
              <option value="vcard4">vCard 4.0</option>
              <option value="csv">CSV (Google)</option>
            </select>
            <a class="button" href={api.exportUrl(exportFormat)} download>
              Export
            </a>
          </span>
          {limits && (
            <span class="usage" aria-live="polite">
              {`${limits.contacts} of ${limits.maxContactsPerUser} contacts`}
            </span>
          )}
        </div>
        {atLimit && (
          <p class="notice" role="status">
            You have reached your limit of {limits?.maxContactsPerUser} contacts. Delete one to add another.
          </p>
        )}
        {error && state !== 'error' && (
          <p class="error" role="alert">
            {error}
          </p>
        )}

        {state === 'error' ? (
          <LoadError message={error} onRetry={() => void load()} />
        ) : state === 'loading' && items.length === 0 ? (
          <p class="empty" role="status">
            Loading contacts…
          </p>
        ) : items.length === 0 ? (
          <p class="empty">{q || tag ? 'No contacts match.' : 'No contacts yet. Add one, or import a vCard or CSV file.'}</p>
        ) : (
          <>
            <p class="count" aria-live="polite">{`${total} contact${total === 1 ? '' : 's'}`}</p>
            <ul class="list" aria-label="Contacts">
              {items.map((c) => (
                <li key={c.id}>
                  <button
                    type="button"
                    class={`star${c.favorite ? ' on' : ''}`}
                    aria-pressed={c.favorite}
                    aria-label={`Favorite ${displayName(c)}`}
                    onClick={() => void toggleFavorite(c)}
                  >
                    {c.favorite ? '★' : '☆'}
                  </button>
                  <button type="button" class="open" onClick={() => void open(c)}>
                    <span class="name">{displayName(c)}</span>
                    <span class="meta">
                      {[c.nickname && c.nickname !== displayName(c) ? `“${c.nickname}”` : null, c.company !== displayName(c) && c.company, c.emails[0]?.value, c.phones[0]?.value]
                        .filter(Boolean)
                        .join(' · ')}
                    </span>
                  </button>
                  <span class="tags">
                    {c.tags.map((t) => (
                      <button type="button" class="tag" key={t} onClick={() => setTag(t)} aria-label={`Show contacts tagged ${t}`}>
                        {t}
                      </button>
                    ))}
                  </span>
                </li>
              ))}
              {cursor && (
                <li ref={sentinel} class="more">
                  <button type="button" onClick={() => void loadMore()}>
                    Load more
                  </button>
                </li>
              )}
            </ul>
          </>
        )}
      </main>

      {draft ? (
        <aside class="panel">
          <ContactEditor
            draft={draft}
            onChange={setDraft}
            onSaved={(c, etag) => {
              // What was saved, as the contact reads.
              setDraft(undefined);
              setViewing({ contact: c, etag });
              refresh();
            }}
            onDeleted={() => {
              setDraft(undefined);
              refresh();
            }}
            onClose={() => setDraft(undefined)}
          />
        </aside>
      ) : viewing ? (
        <aside class="panel">
          <ContactDetail
            contact={viewing.contact}
            onEdit={() => {
              setDraft(draftFrom(viewing.contact, viewing.etag));
              setViewing(undefined);
            }}
            onClose={() => setViewing(undefined)}
          />
        </aside>
      ) : panel === 'import' ? (
        <aside class="panel">
          <ImportPanel onImported={refresh} onClose={() => setPanel(undefined)} />
        </aside>
      ) : panel === 'duplicates' ? (
        <aside class="panel">
          <DuplicatesPanel onMerged={refresh} onClose={() => setPanel(undefined)} />
        </aside>
      ) : null}
    </div>
  );
}
