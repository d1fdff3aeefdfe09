import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { commonJsExports } from '../commonjs.ts';
import { DependencyUnavailable } from '../http/problem.ts';
import { loadOnce } from '../load-once.ts';
import type { RedisClient } from '../sessions/store.ts';

export interface LoginLimits {
  /** Failed logins for one account before it is locked for the window. */
  failuresPerAccount: number;
  /** Failed logins from one client IP before it is locked for the window. */
  failuresPerIp: number;
  windowSeconds: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { failuresPerAccount: 10, failuresPerIp: 50, windowSeconds: 15 * 60 };

export interface LoginLimiter {
  /** Seconds to wait when either key is locked, else 0. */
  retryAfter(ip: string, email: string): Promise<number>;
  recordFailure(ip: string, email: string): Promise<void>;
  recordSuccess(ip: string, email: string): Promise<void>;
}

/**
 * Failed-login counters in rate-limiter-flexible: Redis-backed in production
 * so every task shares them, in memory for the single-process dev mode.
 *
 * The package loads on the first login attempt, not at start-up: its entry
 * point pulls in every store it supports and node:cluster, about 6 ms of a
 * Lambda cold start that answers a list.
 */
export function createLoginLimiter(limits: LoginLimits, redis?: RedisClient): LoginLimiter {
  // A failed load is retried by the next login attempt.
  const limiters = loadOnce(async (): Promise<Limiters> => {
    const { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } = commonJsExports(await import('rate-limiter-flexible'));
    const make = (keyPrefix: string, points: number): RateLimiterAbstract =>
      redis
        ? new RateLimiterRedis({ storeClient: redis, useRedisPackage: true, keyPrefix, points, duration: limits.windowSeconds })
        : new RateLimiterMemory({ keyPrefix, points, duration: limits.windowSeconds });
    return {
      byAccount: make('cf:login:account', limits.failuresPerAccount),
      byIp: make('cf:login:ip', limits.failuresPerIp),
      isLimit: (err) => err instanceof RateLimiterRes,
    };
  });

  // The limiter rejects with a RateLimiterRes when over the limit and with an
  // Error when its store is down; only the latter is an outage.
  const guard = async <T>(isLimit: Limiters['isLimit'], p: Promise<T>): Promise<T | RateLimiterRes> => {
    try {
      return await p;
    } catch (err) {
      if (isLimit(err)) return err;
      throw new DependencyUnavailable('sessions', { cause: err });
    }
  };
  const wait = (res: RateLimiterRes | null, max: number) =>
    res && res.consumedPoints >= max ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;

  return {
    async retryAfter(ip, email) {
      const { byAccount, byIp, isLimit } = await limiters();
      const [a, i] = await Promise.all([guard(isLimit, byAccount.get(email)), guard(isLimit, byIp.get(ip))]);
      return Math.max(wait(a, limits.failuresPerAccount), wait(i, limits.failuresPerIp));
    },
    async recordFailure(ip, email) {
      const { byAccount, byIp, isLimit } = await limiters();
      await Promise.all([guard(isLimit, byAccount.penalty(email, 1)), guard(isLimit, byIp.penalty(ip, 1))]);
    },
    async recordSuccess(_ip, email) {
      const { byAccount, isLimit } = await limiters();
      await guard(isLimit, byAccount.delete(email));
    },
  };
}

interface Limiters {
  byAccount: RateLimiterAbstract;
  byIp: RateLimiterAbstract;
  isLimit(err: unknown): err is RateLimiterRes;
}
