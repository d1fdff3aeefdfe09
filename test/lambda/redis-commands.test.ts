import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { createClient as CreateClient } from '@redis/client';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaFunction } from '../../scripts/esbuild-options.mjs';
import { APP_REDIS_COMMANDS, commandTableSource } from '../../scripts/redis-commands.mjs';
import { REDIS_URL } from '../support/env.ts';

/*
 * The Lambda bundle gives node-redis a command table with only the commands
 * the app sends (scripts/redis-commands.mjs). The table must be node-redis's
 * own entries, and a client bundled with it must still talk to Redis with
 * every command connect-redis, the login limiter and the health probe use.
 */
const require = createRequire(import.meta.url);
const indexFile = require.resolve('@redis/client/dist/lib/commands/index.js');
type Table = { default: Record<string, unknown> } & Record<string, unknown>;
const original = require(indexFile) as Table;

function evaluate(source: string): Table {
  const module = { exports: {} as Table };
  new Function('exports', 'require', 'module', source)(module.exports, require, module);
  return module.exports;
}

describe('the reduced command table', () => {
  const reduced = evaluate(commandTableSource(indexFile, APP_REDIS_COMMANDS));

  it("holds node-redis's own entries for the kept commands, under both their names, and nothing else", () => {
    const keys = Object.keys(reduced.default);
    // Both spellings node-redis gives a command, its odd casing included.
    expect(keys).toEqual(expect.arrayContaining(['GET', 'get', 'PTTL', 'pTTL', 'MGET', 'mGet', 'INCRBY', 'incrBy', 'EVAL', 'eval']));
    // What the client itself looks up in the table when it connects.
    expect(keys).toEqual(expect.arrayContaining(['AUTH', 'CLIENT_SETNAME', 'READONLY']));
    expect(keys.length).toBeLessThan(40);
    for (const key of keys) expect(reduced.default[key], key).toBe(original.default[key]);
    expect(Object.keys(original.default).length).toBeGreaterThan(500);
  });

  it('keeps every named export of the original, with the same values', () => {
    const named = Object.keys(original).filter((k) => k !== 'default' && k !== '__esModule' && k !== 'NON_STICKY_COMMANDS');
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(reduced[name], name).toBe(original[name]);
    expect(Object.keys(reduced.NON_STICKY_COMMANDS as object).sort()).toEqual(Object.keys(reduced.default).sort());
  });

  it('fails the build, naming the command, when a kept command is not in node-redis', () => {
    expect(() => commandTableSource(indexFile, ['GET', 'NO_SUCH_COMMAND'])).toThrow(/not found: NO_SUCH_COMMAND/);
  });
});

describe('a client bundled as in the Lambda function', () => {
  let dir: string;
  let client: ReturnType<typeof CreateClient>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cf-redis-subset-'));
    await build({
      ...lambdaFunction,
      stdin: {
        contents: "export { createClient } from '@redis/client';",
        resolveDir: path.resolve(import.meta.dirname, '../..'),
        loader: 'js',
      },
      outfile: path.join(dir, 'client.mjs'),
    });
    const { createClient } = (await import(pathToFileURL(path.join(dir, 'client.mjs')).href)) as { createClient: typeof CreateClient };
    client = createClient({ url: REDIS_URL });
    await client.connect();
  });
  afterAll(async () => {
    await client?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends what connect-redis, the login limiter and the health probe send, against a real Redis', async () => {
    const key = `cf:test:subset:${process.pid}`;
    expect(await client.ping()).toBe('PONG');
    expect(await client.set(key, '{"a":1}', { expiration: { type: 'EX', value: 60 } })).toBe('OK');
    expect(await client.get(key)).toBe('{"a":1}');
    expect(await client.mGet([key, `${key}:none`])).toEqual(['{"a":1}', null]);
    expect(await client.expire(key, 120)).toBe(1);
    const scanned: string[] = [];
    for await (const keys of client.scanIterator({ MATCH: key, COUNT: 100 })) scanned.push(...keys);
    expect(scanned).toEqual([key]);
    expect(await client.eval("return redis.call('incrby', KEYS[1], ARGV[1])", { keys: [`${key}:n`], arguments: ['3'] })).toBe(3);
    expect(await client.multi().incrBy(`${key}:n`, 2).pTTL(`${key}:n`).get(`${key}:n`).exec()).toEqual([5, -1, '5']);
    expect(await client.del([key, `${key}:n`])).toBe(2);
  });

  it('has no method for a command the app does not send', () => {
    const methods = client as unknown as Record<string, unknown>;
    expect(typeof methods.get).toBe('function');
    expect(methods.geoSearch).toBeUndefined();
    expect(methods.hSet).toBeUndefined();
  });
});

describe('the guard every API test runs the app with', () => {
  it('lets the kept commands through and refuses another, naming it, before it reaches Redis', async () => {
    const { createRedisSessionBackend } = await import('../../app/sessions/store.ts');
    const { lambdaRedisGuard } = await import('../support/harness.ts');
    const guard = lambdaRedisGuard();
    const backend = await createRedisSessionBackend(REDIS_URL, () => undefined, guard.onRedisCommand);
    try {
      const redis = backend.redis!;
      const key = `cf:test:guard:${process.pid}:${Date.now()}`;
      await redis.set(key, '1', { EX: 10 });
      expect(await redis.get(key)).toBe('1');
      expect(await redis.multi().incrBy(key, 1).pTTL(key).exec()).toEqual([2, expect.any(Number)]);
      expect(() => redis.hSet(`${key}:h`, 'f', 'v')).toThrow('Redis HSET is not in APP_REDIS_COMMANDS');
      expect(() => redis.exists(`${key}:h`)).toThrow('Redis EXISTS is not in APP_REDIS_COMMANDS');
      expect([...guard.refused].sort()).toEqual(['EXISTS', 'HSET']);
      await redis.del(key);
    } finally {
      await backend.close();
    }
  });
});
