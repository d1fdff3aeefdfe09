import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, type Contact } from './api.ts';
import { describeError } from './messages.ts';
import type { ListQuery } from './routes.ts';

const PAGE = 25;

/**
 * One page of contacts for the list's query, the next pages as the end of
 * the list scrolls into view, and answers to older queries dropped.
 */
export function useContactList(query: ListQuery) {
  const [items, setItems] = useState<Contact[]>([]);
  const [total, setTotal] = useState(0);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string>();
  const generation = useRef(0);
  const sentinel = useRef<HTMLLIElement>(null);

  const params = useCallback(
    (extra: Record<string, string> = {}) => {
      const out: Record<string, string> = { limit: String(PAGE), sort: query.sort, ...extra };
      if (query.q.trim()) out.q = query.q.trim();
      if (query.tag) out.tag = query.tag;
      return out;
    },
    [query.q, query.tag, query.sort],
  );

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setState('loading');
    try {
      const { data } = await api.list(params());
      if (mine !== generation.current) return;
      setItems(data.items);
      setCursor(data.nextCursor);
      setTotal(data.total);
      setError(undefined);
      setState('ready');
    } catch (err) {
      if (mine !== generation.current) return;
      setError(describeError(err));
      setState('error');
    }
  }, [params]);

  const loadMore = useCallback(async () => {
    if (!cursor || state === 'loading') return;
    const mine = generation.current;
    try {
      const { data } = await api.list(params({ cursor }));
      if (mine !== generation.current) return;
      setItems((prev) => [...prev, ...data.items]);
      setCursor(data.nextCursor);
    } catch (err) {
      setError(describeError(err));
    }
  }, [cursor, state, params]);

  useEffect(() => void reload(), [reload]);
  useEffect(() => {
    if (!sentinel.current || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void loadMore());
    io.observe(sentinel.current);
    return () => io.disconnect();
  }, [loadMore]);

  /** Changes one contact in place (a favorite toggled, an edit saved). */
  const patch = (id: string, change: (c: Contact) => Contact) => setItems((prev) => prev.map((c) => (c.id === id ? change(c) : c)));
  return { items, total, cursor, state, error, setError, reload, loadMore, sentinel, patch };
}

/** True while the browser says it is online. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(typeof navigator === 'undefined' ? true : navigator.onLine);
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
  return online;
}
