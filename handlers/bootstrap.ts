import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { createLoginLimiter, DEFAULT_LOGIN_LIMITS, DEFAULT_SIGNUP_LIMIT } from '../app/auth/login-limiter.ts';
import { createAppPasswordStore } from '../app/carddav/app-passwords.ts';
import { createDavStore } from '../app/carddav/store.ts';
import { createCounters } from '../app/auth/rate-limits.ts';
import { createUserStore } from '../app/auth/store.ts';
import type { Config } from '../app/config/schema.ts';
import { createContactStore } from '../app/contacts/store.ts';
import { DEFAULT_SESSION_MAX_AGE_MS, type AppDeps } from '../app/create-app.ts';
import { createDatabase } from '../app/db/client.ts';
import { sslOptions } from '../app/db/ssl.ts';
import { startEmbeddedPostgres } from '../app/db/embedded.ts';
import { applyMigrations } from '../app/db/migrate.ts';
import { createMemorySessionRegistry, createRedisSessionRegistry } from '../app/sessions/registry.ts';
import { createMemorySessionBackend, createRedisSessionBackend, SESSION_PREFIX } from '../app/sessions/store.ts';
import { MIGRATIONS_DIR } from './migrate-database.ts';

export { loadConfig } from './config.ts';
export { createLogger } from './logger.ts';
export { MIGRATIONS_DIR } from './migrate-database.ts';

/*
 * The one place that turns the environment into running dependencies; every
 * entry point (server, lambda, migrate) goes through it.
 */

/** WEB_DIR, else the web build beside the project (npm start builds it) when present. */
function webDirectory(config: Config): string | undefined {
  const dir = path.resolve(config.webDir ?? path.join(path.dirname(MIGRATIONS_DIR), '../web/dist'));
  return existsSync(path.join(dir, 'index.html')) ? dir : undefined;
}

export interface Runtime {
  config: Config;
  deps: AppDeps;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  poolMax?: number;
  /**
   * Load the Prisma client on its first use instead of at start-up (Lambda:
   * a cold start answering a list never loads it). A server loads it at
   * start-up, so a broken build fails before it takes traffic.
   */
  lazyOrm?: boolean;
  /** Sees every method the app calls on its Redis client (the tests hold them to the Lambda bundle's commands). */
  onRedisCommand?: (method: string) => void;
}

export async function startRuntime(config: Config, logger: Logger, overrides: RuntimeOptions = {}): Promise<Runtime> {
  const closers: (() => Promise<void>)[] = [];

  let url = config.database.url;
  let poolMax = overrides.poolMax ?? config.database.poolMax;
  if (!url) {
    const dir = path.resolve(config.dataDir, 'pglite');
    const started = Date.now();
    const embedded = await startEmbeddedPostgres(dir);
    closers.push(() => embedded.stop());
    url = embedded.url;
    poolMax = 1; // PGlite is a single-connection database.
    logger.warn(
      { dataDir: dir, ms: Date.now() - started },
      'no DATABASE_URL/PGHOST: using the embedded PostgreSQL (PGlite); for development only',
    );
  }
  // The embedded database speaks plain TCP on loopback.
  const sslMode = config.database.url ? config.database.sslMode : 'disable';
  if (config.database.migrateOnBoot || !config.database.url) {
    const result = await applyMigrations(url, MIGRATIONS_DIR, sslOptions(sslMode, config.database.sslRootCert));
    logger.info(
      { applied: result.applied, modified: result.modified, refreshedSearchKeys: result.refreshedSearchKeys },
      'migrations up to date',
    );
  }

  const db = createDatabase(
    { ...config.database, url, poolMax, sslMode, sharedSession: !config.database.url, maxContactsPerUser: config.maxContactsPerUser },
    (err) => logger.warn({ err: err.message }, 'database connection error'),
  );
  closers.unshift(() => db.close());
  // Open the first connection of the pool that lists and search read from
  // (the replica's when there is one) while Redis connects and the ORM
  // loads, not in the first request. A database that is down is not fatal
  // here: requests get 503s until it is back.
  void db.readPool.query('SELECT 1').catch(() => undefined);
  if (!overrides.lazyOrm) await db.prisma();

  let redisDown = false;
  const onRedisError = (err: Error) => {
    // node-redis reports every failed reconnect; log the outage once.
    if (!redisDown) logger.error({ err: err.message }, 'redis connection error');
    redisDown = true;
  };
  const sessions = config.redisUrl
    ? await createRedisSessionBackend(config.redisUrl, onRedisError, overrides.onRedisCommand)
    : createMemorySessionBackend();
  sessions.redis?.on('ready', () => {
    if (redisDown) logger.info('redis connection restored');
    redisDown = false;
  });
  if (!config.redisUrl) logger.warn('no REDIS_URL: sessions and login limits are kept in memory; for development only');
  closers.unshift(() => sessions.close());

  let sessionSecret = config.sessionSecret;
  if (!sessionSecret) {
    sessionSecret = randomBytes(32).toString('hex');
    logger.warn('no SESSION_SECRET: using a random one, so sessions end when the process restarts');
  }

  // Rate-limit counters are per database: deployments sharing one Redis do not share them.
  const counters = createCounters(sessions.redis, URL.parse(url)?.pathname.slice(1) || 'default');
  const deps: AppDeps = {
    settings: {
      production: config.production,
      secureCookies: config.secureCookies,
      corsOrigins: config.corsOrigins,
      maxUsers: config.maxUsers,
      maxContactsPerUser: config.maxContactsPerUser,
      trustProxyHops: config.trustProxyHops,
      sessionSecret,
      staticDir: webDirectory(config),
    },
    users: createUserStore(db.prisma),
    contacts: createContactStore(db),
    sessionStore: sessions.store,
    // On the client whose commands have deadlines (sessions/store.ts).
    sessions: sessions.redis
      ? createRedisSessionRegistry(sessions.redis, SESSION_PREFIX, Math.ceil(DEFAULT_SESSION_MAX_AGE_MS / 1000))
      : createMemorySessionRegistry(sessions.store),
    loginLimiter: createLoginLimiter(DEFAULT_LOGIN_LIMITS, counters),
    appPasswords: createAppPasswordStore(db.prisma),
    dav: createDavStore(db),
    counters,
    signupLimiter: counters('signup-ip', DEFAULT_SIGNUP_LIMIT),
    health: { database: () => db.ping(), sessions: () => sessions.ping() },
    logger,
  };

  return {
    config,
    deps,
    async close() {
      for (const close of closers) await close().catch((err: unknown) => logger.warn({ err }, 'error while closing'));
    },
  };
}
