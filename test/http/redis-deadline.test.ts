import { createClient } from '@redis/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisDeadlineExceeded, withDeadline } from '../../app/sessions/deadline.ts';
import { REDIS_URL } from '../support/env.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

/* The deadline wrapper around a real node-redis client, through a proxy that can hang. */

const proxy = new TcpProxy({ host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) });
let client: ReturnType<typeof createClient>;
const key = `cf:test:deadline:${process.pid}:${Date.now()}`;

beforeAll(async () => {
  await proxy.start();
  const url = new URL(REDIS_URL);
  url.port = String(proxy.port);
  client = createClient({ url: url.toString() });
  client.on('error', () => undefined);
  await client.connect();
});
afterAll(async () => {
  proxy.resume();
  await client.del(key);
  client.destroy();
});

it('passes answers through, MULTI chains included, and keeps the client what it was', async () => {
  const timeouts: number[] = [];
  const r = withDeadline(client, 500, () => timeouts.push(1));
  expect(await r.set(key, '1', { EX: 60 })).toBe('OK');
  expect(await r.multi().incrBy(key, 2).pTTL(key).exec()).toEqual([3, expect.any(Number)]);
  expect(r.isReady).toBe(true);
  expect(r.constructor).toBe(client.constructor);
  expect(r.on('error', () => undefined)).toBe(r);
  expect(timeouts).toEqual([]);
});

it('rejects a command and a MULTI exec that get no answer within the deadline, then the late answers keep the connection in step', async () => {
  const timeouts: number[] = [];
  const r = withDeadline(client, 300, () => timeouts.push(Date.now()));
  await r.set(key, 'before');
  proxy.hang();
  const started = performance.now();
  const [get, multi] = await Promise.allSettled([r.get(key), r.multi().get(key).pTTL(key).exec()]);
  expect(performance.now() - started).toBeLessThan(1_000);
  expect(get.status === 'rejected' && get.reason).toBeInstanceOf(RedisDeadlineExceeded);
  expect(multi.status === 'rejected' && multi.reason).toBeInstanceOf(RedisDeadlineExceeded);
  expect(timeouts).toHaveLength(2);
  proxy.resume();
  // The replies to the timed-out commands arrive and are dropped; the next command gets its own.
  await r.set(key, 'after');
  expect(await r.get(key)).toBe('after');
});
