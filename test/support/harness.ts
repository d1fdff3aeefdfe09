import { randomBytes, randomInt } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createClient } from 'redis';
import supertest from 'supertest';
import { parseConfig } from '../../app/config/schema.ts';
import { createApp } from '../../app/create-app.ts';
import { createHttpServer } from '../../app/http/node-server.ts';
import { createLogger, startRuntime, type Runtime } from '../../handlers/bootstrap.ts';
import { APP_REDIS_COMMANDS, commandModulesByMethod } from '../../scripts/redis-commands.mjs';
import { PG_ADMIN_URL, REDIS_URL } from './env.ts';

export const TEST_DATABASE_PREFIX = 'cf_test_';

const REDIS_COMMAND_OF = commandModulesByMethod();
const LAMBDA_REDIS_COMMANDS = new Set(APP_REDIS_COMMANDS);

/**
 * Every Redis command the app sends must be in the Lambda bundle's reduced
 * command table (scripts/redis-commands.mjs), where a missing one is a
 * TypeError at run time, in production only: in the tests it throws, and is
 * remembered in case the app caught it.
 */
export function lambdaRedisGuard() {
  const refused = new Set<string>();
  return {
    refused,
    onRedisCommand(method: string) {
      const command = REDIS_COMMAND_OF.get(method);
      if (command && !LAMBDA_REDIS_COMMANDS.has(command)) {
        refused.add(command);
        throw new Error(`Redis ${command} is not in APP_REDIS_COMMANDS (scripts/redis-commands.mjs): the Lambda bundle would not have it`);
      }
    },
  };
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the real server, dropped by `drop()`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  // The creation time in the name lets a later run drop what an interrupted
  // one left behind without touching a database another run is using.
  const name = `${TEST_DATABASE_PREFIX}${Math.floor(Date.now() / 1000).toString(36)}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The URL with an application_name, so a client's connections can be told apart in pg_stat_activity. */
export function withAppName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
}

export interface TestApp {
  server: Server;
  baseUrl: string;
  runtime: Runtime;
  database: TestDatabase;
  /** A separate Redis connection for looking at what the app stored. */
  redis: ReturnType<typeof createClient>;
  /** A client with its own cookie jar and its own client IP. */
  client(): supertest.Agent;
  close(): Promise<void>;
}

export const TEST_SESSION_SECRET = 'test-session-secret-0123456789abcdef';

/**
 * The app as the server entry point builds it (same config parsing, same
 * bootstrap), against a fresh database on the real PostgreSQL and the real
 * Redis. `env` overrides variables (MAX_USERS, NODE_ENV, ...).
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = env.DATABASE_URL ? { url: env.DATABASE_URL, drop: async () => {} } : await createTestDatabase();
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL,
    SESSION_SECRET: TEST_SESSION_SECRET,
    // Each test client sends its own X-Forwarded-For, as clients behind the ALB would.
    TRUST_PROXY: '1',
    LOG_LEVEL: 'silent',
    MIGRATE_ON_BOOT: 'true',
    ...env,
  });
  const guard = lambdaRedisGuard();
  const runtime = await startRuntime(config, createLogger(config.logLevel), { onRedisCommand: guard.onRedisCommand });
  // The server production runs (handlers/server.ts), not app.listen.
  const server = createHttpServer(createApp(runtime.deps)).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  // Straight to Redis (never through a test's proxy), to look at what the app stored.
  const redis = createClient({ url: REDIS_URL });
  redis.on('error', () => undefined);
  await redis.connect();
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    baseUrl,
    runtime,
    database,
    redis,
    client() {
      const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
      return supertest.agent(server).set('X-Forwarded-For', ip);
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await runtime.close();
      await redis.close();
      await database.drop();
      // Also when the app caught the error and carried on.
      if (guard.refused.size) throw new Error(`The app sent Redis commands outside APP_REDIS_COMMANDS: ${[...guard.refused].join(', ')}`);
    },
  };
}

let counter = 0;
export function uniqueEmail(tag = 'user'): string {
  return `${tag}.${process.pid}.${Date.now()}.${counter++}@example.test`;
}

export const PASSWORD = 'correct horse battery staple';

/** Signs a client up (its cookie jar then holds the session); returns the user. */
export async function signUp(agent: supertest.Agent, email = uniqueEmail(), name = 'Test User') {
  const res = await agent.post('/v1/auth/signup').send({ email, password: PASSWORD, name });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.user as { id: string; email: string; name: string; createdAt: string };
}

export function sessionIdFromCookie(setCookie: string[] | string | undefined): string | undefined {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const raw = list
    .find((c) => c.startsWith('cf.sid='))
    ?.split(';')[0]
    ?.slice('cf.sid='.length);
  if (!raw) return undefined;
  // express-session cookie value: "s:" + id + "." + signature, URL-encoded.
  const decoded = decodeURIComponent(raw);
  return decoded.startsWith('s:') ? decoded.slice(2, decoded.lastIndexOf('.')) : undefined;
}
