import type session from 'express-session';
import { DependencyUnavailable } from '../http/problem.ts';
import type { RedisClient } from './store.ts';

/**
 * Which sessions each user has, so that deleting the account (or, later,
 * changing the password) ends all of them, not just the one that asked.
 * Kept beside the sessions: a set of session ids per user in Redis, a map
 * in the development process. Requests that only read (the list) pay
 * nothing: the cost is at sign-in, sign-out and deletion (OWASP Session
 * Management Cheat Sheet: end sessions when the account changes).
 */
export interface SessionRegistry {
  add(userId: string, sessionId: string): Promise<void>;
  remove(userId: string, sessionId: string): Promise<void>;
  /** Ends every session of the user. */
  endAll(userId: string): Promise<void>;
}

export const USER_SESSIONS_PREFIX = 'cf:user-sessions:';

/*
 * Lua through EVAL, a command the app already sends (rate-limiter-flexible's
 * script), so the Lambda bundle's reduced node-redis command table
 * (scripts/redis-commands.mjs) needs nothing new. Each script is atomic: a
 * sign-in racing a deletion cannot add an id between the read and the
 * delete. The set lives as long as the newest session can; older ids in it
 * name sessions Redis already expired, and deleting those is harmless.
 */
const ADD = `redis.call('SADD', KEYS[1], ARGV[1]) redis.call('EXPIRE', KEYS[1], ARGV[2]) return 1`;
const REMOVE = `return redis.call('SREM', KEYS[1], ARGV[1])`;
const END_ALL = `
local ids = redis.call('SMEMBERS', KEYS[1])
for _, id in ipairs(ids) do redis.call('DEL', ARGV[1] .. id) end
redis.call('DEL', KEYS[1])
return #ids`;

/** `redis` must be the client whose commands have deadlines (sessions/store.ts). */
export function createRedisSessionRegistry(redis: RedisClient, sessionPrefix: string, maxAgeSeconds: number): SessionRegistry {
  const run = async (script: string, userId: string, args: string[]) => {
    try {
      await redis.eval(script, { keys: [`${USER_SESSIONS_PREFIX}${userId}`], arguments: args });
    } catch (err) {
      // A session-store outage (503), like the session middleware's.
      throw new DependencyUnavailable('sessions', { cause: err });
    }
  };
  return {
    add: (userId, sessionId) => run(ADD, userId, [sessionId, String(maxAgeSeconds)]),
    remove: (userId, sessionId) => run(REMOVE, userId, [sessionId]),
    endAll: (userId) => run(END_ALL, userId, [sessionPrefix]),
  };
}

export function createMemorySessionRegistry(store: session.Store): SessionRegistry {
  const byUser = new Map<string, Set<string>>();
  return {
    async add(userId, sessionId) {
      byUser.set(userId, (byUser.get(userId) ?? new Set()).add(sessionId));
    },
    async remove(userId, sessionId) {
      byUser.get(userId)?.delete(sessionId);
    },
    async endAll(userId) {
      const ids = [...(byUser.get(userId) ?? [])];
      byUser.delete(userId);
      await Promise.all(ids.map((id) => new Promise<void>((resolve) => store.destroy(id, () => resolve()))));
    },
  };
}
