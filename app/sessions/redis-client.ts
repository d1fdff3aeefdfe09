// node-redis's core client: the `redis` package re-exports it with the
// RediSearch, JSON, Bloom and TimeSeries modules attached, whose command
// tables cost start-up time (a Lambda cold start) and memory for nothing here.
import { createClient } from '@redis/client';

export type RedisClient = ReturnType<typeof createRedisClient>;

/**
 * node-redis with the settings an outage needs: commands fail at once while
 * disconnected (no offline queue, so requests get a 503 instead of hanging),
 * and the client keeps reconnecting in the background with capped backoff.
 * `rediss://` URLs enable TLS (ElastiCache in-transit encryption).
 */
export function createRedisClient(url: string, onError: (err: Error) => void) {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 3_000,
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000),
    },
  });
  client.on('error', onError);
  return client;
}
