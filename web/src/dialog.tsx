import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface Props {
  title: string;
  children: ComponentChildren;
  confirm: string;
  cancel?: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A question that needs an answer before going on, as the browser's modal
 * <dialog>: the page behind it is inert, Tab cycles inside it, Escape
 * cancels, and focus returns to what opened it (HTML's dialog focusing
 * steps). The safe answer has focus first.
 */
export function ConfirmDialog({ title, children, confirm, cancel = 'Cancel', danger, busy, onConfirm, onCancel }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby="confirm-title"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
      onKeyDown={(e) => {
        // A modal dialog makes the page inert, but Tab from its last control still leaves it for the
        // browser's own UI; wrap around instead (WAI-ARIA APG, modal dialog pattern).
        if (e.key !== 'Tab') return;
        const controls = [
          ...(ref.current?.querySelectorAll<HTMLElement>('button:not([disabled]), a[href], input, select, textarea') ?? []),
        ];
        const [first, last] = [controls[0], controls.at(-1)];
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last?.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first?.focus();
        }
      }}
    >
      <h2 id="confirm-title">{title}</h2>
      <div class="confirm-body">{children}</div>
      <div class="actions">
        <button type="button" autofocus onClick={onCancel}>
          {cancel}
        </button>
        <button type="button" class={danger ? 'danger' : 'primary'} disabled={busy} onClick={onConfirm}>
          {confirm}
        </button>
      </div>
    </dialog>
  );
}
