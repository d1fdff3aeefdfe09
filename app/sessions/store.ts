import { RedisStore } from 'connect-redis';
import session from 'express-session';
import { race, withDeadline } from './deadline.ts';
import { createRedisClient, type RedisClient } from './redis-client.ts';

export type { RedisClient } from './redis-client.ts';

/** The session store plus the probes the rest of the app needs. */
export interface SessionBackend {
  store: session.Store;
  /** The Redis client when sessions are in Redis (every command with a deadline); shared with the login limiter. */
  redis?: RedisClient;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const SESSION_PREFIX = 'cf:sess:';

/** The longest one Redis command may take before the request gets a 503. */
export const REDIS_DEADLINE_MS = 2_000;

export async function createRedisSessionBackend(
  url: string,
  onError: (err: Error) => void,
  onCommand?: (method: string) => void,
): Promise<SessionBackend> {
  const redis = createRedisClient(url, onError);
  const report = (err: unknown) => onError(err instanceof Error ? err : new Error(String(err)));
  // A connection that let a command pass its deadline is replaced: a hung
  // server or a black-holed route never errors the socket by itself. Until
  // the new one is ready, commands fail at once (no offline queue).
  let replacing = false;
  const replaceConnection = () => {
    if (replacing || !redis.isOpen) return;
    replacing = true;
    report(new Error(`Redis did not answer within ${REDIS_DEADLINE_MS} ms: reconnecting`));
    redis.destroy();
    redis
      .connect()
      .catch(report)
      .finally(() => (replacing = false));
  };
  const commands = withDeadline(redis, REDIS_DEADLINE_MS, replaceConnection, onCommand);
  // A Redis that is down or hung at boot is an outage like any other: serve
  // 503s and recover when it comes back, rather than refusing to start.
  await race(redis.connect(), REDIS_DEADLINE_MS).catch(report);
  return {
    // disableTouch: sessions have an absolute lifetime (cookie maxAge), and
    // requests do not pay a Redis EXPIRE round trip each.
    store: new RedisStore({ client: commands, prefix: SESSION_PREFIX, disableTouch: true }),
    redis: commands,
    async ping() {
      await commands.ping();
    },
    async close() {
      // A hung server would hold a graceful close (QUIT) for ever.
      if (redis.isOpen) await race(redis.close(), REDIS_DEADLINE_MS).catch(() => redis.destroy());
    },
  };
}

/** Development only: sessions vanish on restart and are not shared between processes. */
export function createMemorySessionBackend(): SessionBackend {
  return {
    store: new session.MemoryStore(),
    async ping() {},
    async close() {},
  };
}
