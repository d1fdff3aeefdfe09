import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, type Contact } from './api.ts';
import { UNDO_MS } from './undo-time.ts';

/**
 * Delete with undo: the contact leaves the screen at once and is deleted on
 * the server when the undo time runs out, when another contact is deleted,
 * when the person signs out, or when the page goes away (a keepalive
 * request, which outlives the page).
 */
export function useUndoableDelete(onDeleted: () => void, onError: (err: unknown, c: Contact) => void) {
  const [pending, setPending] = useState<Contact>();
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const current = useRef<Contact>();
  const callbacks = useRef({ onDeleted, onError });
  callbacks.current = { onDeleted, onError };

  /** Deletes the pending contact now; resolves once the server has answered. */
  const commit = useCallback((keepalive = false): Promise<void> => {
    const c = current.current;
    if (!c) return Promise.resolve();
    clearTimeout(timer.current);
    current.current = undefined;
    setPending(undefined);
    return api.remove(c.id, { keepalive }).then(
      () => callbacks.current.onDeleted(),
      (err: unknown) => callbacks.current.onError(err, c),
    );
  }, []);

  const remove = useCallback(
    (c: Contact) => {
      void commit();
      current.current = c;
      setPending(c);
      timer.current = setTimeout(() => void commit(), UNDO_MS);
    },
    [commit],
  );

  const undo = useCallback(() => {
    clearTimeout(timer.current);
    current.current = undefined;
    setPending(undefined);
  }, []);

  useEffect(() => {
    const flush = () => void commit(true);
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [commit]);

  return { pending, remove, undo, commit };
}
