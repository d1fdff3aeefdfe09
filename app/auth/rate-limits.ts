import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { commonJsExports } from '../commonjs.ts';
import { DependencyUnavailable } from '../http/problem.ts';
import { loadOnce } from '../load-once.ts';
import type { RedisClient } from '../sessions/store.ts';

/** At most `points` hits per key within `seconds`. */
export interface Window {
  points: number;
  seconds: number;
}

/** Attempts counted per key, in Redis (every task shares them) or in memory (one dev process). */
export interface Counter {
  /**
   * Counts one attempt, atomically in the store, before the work it guards:
   * parallel requests cannot all pass a check made before any of them was
   * counted. Resolves to the seconds to wait when the key is over its limit, else 0.
   */
  hit(key: string): Promise<number>;
  /** The seconds to wait once the key has used all its points, else 0; counts nothing (for limits that count failures only). */
  wait(key: string): Promise<number>;
  /** Takes one attempt back (it turned out to be legitimate). */
  reward(key: string): Promise<void>;
  /** Forgets the key's attempts. */
  forget(key: string): Promise<void>;
}

export type CounterFactory = (name: string, window: Window) => Counter;

/**
 * Counters on rate-limiter-flexible (its consume is one Lua script in
 * Redis). The package loads on first use, not at start-up: its entry point
 * pulls in every store it supports and node:cluster, about 6 ms of a Lambda
 * cold start that answers a list. `namespace` keeps deployments that share
 * one Redis (staging beside production, test runs) from sharing counters.
 */
export function createCounters(redis?: RedisClient, namespace = 'default'): CounterFactory {
  const lib = loadOnce(async () => commonJsExports(await import('rate-limiter-flexible')));
  return (name, window) => {
    const limiter = loadOnce(async (): Promise<RateLimiterAbstract> => {
      const { RateLimiterMemory, RateLimiterRedis } = await lib();
      const options = { keyPrefix: `cf:limit:${namespace}:${name}`, points: window.points, duration: window.seconds };
      return redis ? new RateLimiterRedis({ ...options, storeClient: redis, useRedisPackage: true }) : new RateLimiterMemory(options);
    });
    // Over the limit the limiter rejects with a RateLimiterRes; a store that
    // is down rejects with an Error, which is an outage (503), not a limit.
    const call = async (fn: (l: RateLimiterAbstract) => Promise<unknown>): Promise<{ limitedMs?: number }> => {
      const l = await limiter();
      try {
        await fn(l);
        return {};
      } catch (err) {
        if (err instanceof (await lib()).RateLimiterRes) return { limitedMs: err.msBeforeNext };
        throw new DependencyUnavailable('sessions', { cause: err });
      }
    };
    return {
      async hit(key) {
        const { limitedMs } = await call((l) => l.consume(key, 1));
        return limitedMs === undefined ? 0 : Math.max(1, Math.ceil(limitedMs / 1000));
      },
      async wait(key) {
        let waitMs = 0;
        await call(async (l) => {
          const res = await l.get(key);
          if (res && res.consumedPoints >= window.points) waitMs = res.msBeforeNext;
        });
        return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : 0;
      },
      async reward(key) {
        await call((l) => l.reward(key, 1));
      },
      async forget(key) {
        await call((l) => l.delete(key));
      },
    };
  };
}
