import { useCallback } from 'preact/hooks';
import { useLocation, useSearch } from 'wouter-preact';

/*
 * Where things are in the app: the open contact, the editor and the other
 * panels are paths; the search, tag filter and order are the query, kept
 * while panels open and close so Back returns to the same list.
 */

export const paths = {
  list: '/',
  contact: (id: string) => `/contacts/${encodeURIComponent(id)}`,
  edit: (id: string) => `/contacts/${encodeURIComponent(id)}/edit`,
  newContact: '/contacts/new',
  import: '/import',
  duplicates: '/duplicates',
  account: '/account',
};

export type SortChoice = 'name' | 'favorites' | '-updatedAt' | 'createdAt';
const SORT_CHOICES: readonly SortChoice[] = ['name', 'favorites', '-updatedAt', 'createdAt'];

export interface ListQuery {
  q: string;
  tag: string;
  sort: SortChoice;
}

export function parseListQuery(search: string): ListQuery {
  const p = new URLSearchParams(search);
  const sort = p.get('sort') as SortChoice | null;
  return { q: p.get('q') ?? '', tag: p.get('tag') ?? '', sort: sort && SORT_CHOICES.includes(sort) ? sort : 'name' };
}

/** The query string for a list state, leaving out defaults ("" for the plain list). */
export function listSearch(q: ListQuery): string {
  const p = new URLSearchParams();
  if (q.q) p.set('q', q.q);
  if (q.tag) p.set('tag', q.tag);
  if (q.sort !== 'name') p.set('sort', q.sort);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * The list state in the URL, and `go(path)` to a panel keeping it.
 * `setQuery` replaces the history entry (typing a search is not a step Back
 * should undo letter by letter).
 */
export function useAppLocation() {
  const [location, navigate] = useLocation();
  const search = useSearch();
  const query = parseListQuery(search);
  const keep = search ? `?${search}` : '';
  const go = useCallback((path: string, opts?: { replace?: boolean }) => navigate(path + keep, opts), [navigate, keep]);
  const setQuery = useCallback(
    (patch: Partial<ListQuery>) => navigate(location + listSearch({ ...parseListQuery(search), ...patch }), { replace: true }),
    [navigate, location, search],
  );
  return { location, query, go, setQuery };
}
