export type Status = { kind: 'ok' | 'error'; text: string } | undefined;

/** What a form's last action did: read out politely when it went well, at once (an alert) when it did not. */
export function StatusLine({ status }: { status: Status }) {
  return (
    <p class={status?.kind === 'error' ? 'error' : 'status ok'} role={status?.kind === 'error' ? 'alert' : 'status'}>
      {status?.text}
    </p>
  );
}
