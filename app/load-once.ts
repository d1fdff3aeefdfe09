/** A value loaded on first use; see loadOnce. */
export interface LoadOnce<T> {
  (): Promise<T>;
  /** The load under way or done, if one was started; never starts one. */
  started(): Promise<T> | undefined;
  /** Forgets the value: the next call loads again. */
  reset(): void;
}

/**
 * Runs `load` on the first call and gives every later call the same
 * promise. A load that fails is forgotten, so the next call tries again (a
 * module that failed to load, a secret fixed since, a database back up).
 */
export function loadOnce<T>(load: () => Promise<T>): LoadOnce<T> {
  let current: Promise<T> | undefined;
  const get = () =>
    (current ??= load().catch((err: unknown) => {
      current = undefined;
      throw err;
    }));
  return Object.assign(get, {
    started: () => current,
    reset: () => {
      current = undefined;
    },
  });
}
