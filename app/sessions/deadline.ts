/*
 * A deadline on every Redis command the app sends. node-redis has no reply
 * timeout: its `timeout` command option only covers the wait before a
 * command is written, and `socketTimeout` is reset by every write, so a
 * Redis that accepts and then says nothing (SIGSTOP, a black-holed route, a
 * failover) held each request until it answered: 75 s in a review.
 *
 * The wrapper races each command (and each MULTI's exec) with a timer. A late
 * reply still arrives in order and is dropped, so the connection stays in
 * step. Each timeout also reports to `onTimeout`, which the client uses to
 * replace a connection that answered nothing for a whole deadline.
 */

export class RedisDeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`Redis did not answer within ${ms} ms`);
    this.name = 'RedisDeadlineExceeded';
  }
}

function isThenable(v: unknown): v is Promise<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** `p`, or a RedisDeadlineExceeded after `ms`. */
export function race<T>(p: Promise<T>, ms: number, onTimeout: () => void = () => {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new RedisDeadlineExceeded(ms));
    }, ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/**
 * `client` with a deadline of `ms` on every method that returns a promise;
 * a MULTI chain (an object with `exec`) is wrapped the same way, so its
 * exec() has the deadline too. Properties and event methods pass through.
 * `onCall` sees each method called (the tests check them against the
 * Lambda bundle's command table: scripts/redis-commands.mjs).
 */
export function withDeadline<T extends object>(
  client: T,
  ms: number,
  onTimeout: () => void = () => {},
  onCall?: (method: string) => void,
): T {
  const wrap = <O extends object>(target: O): O => {
    const proxy: O = new Proxy(target, {
      get(t, prop, receiver) {
        const value: unknown = Reflect.get(t, prop, receiver);
        if (typeof value !== 'function' || prop === 'constructor') return value;
        return (...args: unknown[]) => {
          if (typeof prop === 'string') onCall?.(prop);
          const out: unknown = (value as (...a: unknown[]) => unknown).apply(t, args);
          if (out === t) return proxy; // chained calls (multi().get().pTTL()) keep the wrapper
          if (isThenable(out)) return race(out, ms, onTimeout);
          if (out && typeof out === 'object' && typeof (out as { exec?: unknown }).exec === 'function') return wrap(out);
          return out;
        };
      },
    });
    return proxy;
  };
  return wrap(client);
}
