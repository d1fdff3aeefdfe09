/** A list that could not load: what went wrong, and a way to try again. */
export function LoadError({ message, onRetry }: { message: string | undefined; onRetry: () => void }) {
  return (
    <div class="empty" role="alert">
      <p>{message}</p>
      <button type="button" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
