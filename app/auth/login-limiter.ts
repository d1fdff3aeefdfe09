import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { DependencyUnavailable } from '../http/problem.ts';
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
 */
export function createLoginLimiter(limits: LoginLimits, redis?: RedisClient): LoginLimiter {
  const make = (keyPrefix: string, points: number): RateLimiterAbstract =>
    redis
      ? new RateLimiterRedis({ storeClient: redis, useRedisPackage: true, keyPrefix, points, duration: limits.windowSeconds })
      : new RateLimiterMemory({ keyPrefix, points, duration: limits.windowSeconds });
  const byAccount = make('cf:login:account', limits.failuresPerAccount);
  const byIp = make('cf:login:ip', limits.failuresPerIp);

  // The limiter rejects with a RateLimiterRes when over the limit and with an
  // Error when its store is down; only the latter is an outage.
  const guard = async <T>(p: Promise<T>): Promise<T | RateLimiterRes> => {
    try {
      return await p;
    } catch (err) {
      if (err instanceof RateLimiterRes) return err;
      throw new DependencyUnavailable('sessions', { cause: err });
    }
  };
  const wait = (res: RateLimiterRes | null, max: number) =>
    res && res.consumedPoints >= max ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;

  return {
    async retryAfter(ip, email) {
      const [a, i] = await Promise.all([guard(byAccount.get(email)), guard(byIp.get(ip))]);
      return Math.max(wait(a, limits.failuresPerAccount), wait(i, limits.failuresPerIp));
    },
    async recordFailure(ip, email) {
      await Promise.all([guard(byAccount.penalty(email, 1)), guard(byIp.penalty(ip, 1))]);
    },
    async recordSuccess(_ip, email) {
      await guard(byAccount.delete(email));
    },
  };
}
