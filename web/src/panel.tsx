import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/** The element that had focus when a panel opened, else the search box: where focus goes back on close. */
function returnTarget(opener: Element | null): HTMLElement | null {
  if (opener instanceof HTMLElement && opener.isConnected && opener !== document.body) return opener;
  // The opener went away (a row that was re-rendered): the same row by its contact id, else the search box.
  const id = opener instanceof HTMLElement ? opener.dataset.contactId : undefined;
  return (id && document.querySelector<HTMLElement>(`.list [data-contact-id="${CSS.escape(id)}"]`)) || document.getElementById('search');
}

interface Props {
  label: string;
  onClose: () => void;
  children: ComponentChildren;
}

/**
 * The side panel (a contact, the editor, import, duplicates, the account):
 * focus moves into it when it opens (its [data-autofocus] element, else its
 * heading) and back to what opened it when it closes; Escape closes it. It
 * comes right after the toolbar in the DOM, so it is next in reading order.
 */
export function Panel({ label, onClose, children }: Props) {
  const ref = useRef<HTMLElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  // Read while rendering, before any effect (the panel's content focuses itself) moves focus.
  const [opener] = useState(() => document.activeElement);

  useEffect(() => {
    const el = ref.current;
    const first = el?.querySelector<HTMLElement>('[data-autofocus]') ?? el?.querySelector<HTMLElement>('h2');
    first?.focus();
    return () => {
      // After the panel is gone, so that focus does not land in it.
      const target = opener;
      requestAnimationFrame(() => {
        if (!document.activeElement || document.activeElement === document.body) returnTarget(target)?.focus();
      });
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    // A dialog inside the panel handles its own Escape.
    if (e.key !== 'Escape' || e.defaultPrevented || (e.target as Element | null)?.closest('dialog')) return;
    e.preventDefault();
    close.current();
  };

  return (
    <aside class="panel" aria-label={label} ref={ref} onKeyDown={onKeyDown}>
      {children}
    </aside>
  );
}
