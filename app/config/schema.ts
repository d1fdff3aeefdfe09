import * as z from '../zod.ts';

/**
 * Every environment variable the service reads, parsed and validated once by
 * the entry points (handlers/). The app itself receives the parsed `Config`
 * and never touches process.env.
 */

const booleanFlag = z.pipe(
  z.enum(['true', 'false', '1', '0', 'yes', 'no']),
  z.transform((v) => v === 'true' || v === '1' || v === 'yes'),
);

const positiveInt = (...checks: z.core.$ZodCheck<number>[]) => z.coerce.number().check(z.int(), z.positive(), ...checks);
const intBetween = (min: number, max: number) => z.coerce.number().check(z.int(), z.gte(min), z.lte(max));
const nonEmpty = () => z.string().check(z.minLength(1));

const originList = z.pipe(
  z.pipe(
    z.string(),
    z.transform((raw: string) =>
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ),
  z.array(
    z.pipe(
      z
        .url({ protocol: /^https?$/ })
        .check(z.refine((u) => new URL(u).origin === u.replace(/\/$/, ''), 'must be an origin (scheme://host[:port]) without a path')),
      z.transform((u: string) => new URL(u).origin),
    ),
  ),
);

const redisUrl = z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' });
const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' });

export const envSchema = z.object({
  NODE_ENV: z._default(z.enum(['development', 'test', 'production']), 'development'),
  PORT: z._default(intBetween(0, 65535), 3000),
  HOST: z._default(nonEmpty(), '0.0.0.0'),
  LOG_LEVEL: z._default(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
  CORS_ORIGIN: z.optional(originList),
  MAX_USERS: z._default(positiveInt(), 50),
  MAX_CONTACTS_PER_USER: z._default(positiveInt(), 50),
  TRUST_PROXY: z.optional(intBetween(0, 10)),
  COOKIE_SECURE: z.optional(booleanFlag),

  DATABASE_URL: z.optional(postgresUrl),
  DATABASE_READER_URL: z.optional(postgresUrl),
  PGHOST: z.optional(nonEmpty()),
  PGREADERHOST: z.optional(nonEmpty()),
  PGPORT: z._default(intBetween(1, 65535), 5432),
  PGUSER: z.optional(nonEmpty()),
  PGPASSWORD: z.optional(z.string()),
  PGDATABASE: z._default(nonEmpty(), 'postgres'),
  PGSSLMODE: z.optional(z.enum(['disable', 'require', 'verify-full'])),
  PGSSLROOTCERT: z.optional(nonEmpty()),
  DB_POOL_MAX: z.optional(positiveInt(z.lte(100))),
  MIGRATE_ON_BOOT: z.optional(booleanFlag),
  DATA_DIR: z._default(nonEmpty(), '.data'),
  WEB_DIR: z.optional(nonEmpty()),

  SESSION_SECRET: z.optional(z.string()),
  REDIS_URL: z.optional(redisUrl),
  SECRETS_ID: z.optional(nonEmpty()),
});

export type Env = z.infer<typeof envSchema>;

export interface DatabaseConfig {
  /** Writer connection string; absent means "use the embedded PostgreSQL". */
  url?: string;
  readerUrl?: string;
  sslMode: 'disable' | 'require' | 'verify-full';
  /** A PEM file with a private CA that verify-full also trusts. */
  sslRootCert?: string;
  poolMax: number;
  migrateOnBoot: boolean;
}

export interface Config {
  env: Env['NODE_ENV'];
  production: boolean;
  port: number;
  host: string;
  logLevel: Env['LOG_LEVEL'];
  corsOrigins: string[];
  maxUsers: number;
  maxContactsPerUser: number;
  /** Number of proxies in front of the app (1 behind the ALB), never `true`. */
  trustProxyHops: number;
  /** Secure session cookie; on in production unless an HTTP-only endpoint (LocalStack) needs it off. */
  secureCookies: boolean;
  database: DatabaseConfig;
  dataDir: string;
  /** The web build to serve; undefined means web/dist when it exists. */
  webDir?: string;
  /** Undefined outside production means "generate a throwaway one". */
  sessionSecret?: string;
  redisUrl?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const MIN_SESSION_SECRET_LENGTH = 32;

function buildUrl(env: Env, host: string): string {
  const url = new URL('postgresql://localhost');
  url.hostname = host;
  url.port = String(env.PGPORT);
  url.username = env.PGUSER ?? 'postgres';
  if (env.PGPASSWORD) url.password = env.PGPASSWORD;
  url.pathname = `/${env.PGDATABASE}`;
  return url.toString();
}

function parseEnv(raw: Record<string, string | undefined>): Env {
  // Empty strings mean "unset" (a common shell and compose idiom).
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  return parsed.data;
}

function databaseConfig(env: Env, production: boolean): Config['database'] {
  return {
    url: env.DATABASE_URL ?? (env.PGHOST ? buildUrl(env, env.PGHOST) : undefined),
    readerUrl: env.DATABASE_READER_URL ?? (env.PGREADERHOST ? buildUrl(env, env.PGREADERHOST) : undefined),
    // Production verifies the server (Aurora's certificate chains to the RDS CAs).
    sslMode: env.PGSSLMODE ?? (production ? 'verify-full' : 'disable'),
    sslRootCert: env.PGSSLROOTCERT,
    poolMax: env.DB_POOL_MAX ?? 10,
    migrateOnBoot: env.MIGRATE_ON_BOOT ?? !production,
  };
}

/**
 * Only what a migration needs: the database's address and TLS settings. The
 * migration job does not serve requests, so it is not asked for CORS_ORIGIN,
 * REDIS_URL or SESSION_SECRET.
 */
export function parseDatabaseConfig(raw: Record<string, string | undefined>): Config['database'] & { url: string } {
  const env = parseEnv(raw);
  const database = databaseConfig(env, env.NODE_ENV === 'production');
  if (!database.url) throw new ConfigError(['DATABASE_URL or PGHOST: required to migrate']);
  return { ...database, url: database.url };
}

/** Parses the raw environment (or the env merged with Secrets Manager values). */
export function parseConfig(raw: Record<string, string | undefined>): Config {
  const env = parseEnv(raw);
  const production = env.NODE_ENV === 'production';
  const database = databaseConfig(env, production);
  const { url, readerUrl } = database;

  const problems: string[] = [];
  if (production) {
    if (!url) problems.push('DATABASE_URL or PGHOST: required in production (no embedded database there)');
    if (!env.REDIS_URL) problems.push('REDIS_URL: required in production (no in-memory sessions there)');
    if (!env.SESSION_SECRET || env.SESSION_SECRET.length < MIN_SESSION_SECRET_LENGTH) {
      problems.push(`SESSION_SECRET: required in production, at least ${MIN_SESSION_SECRET_LENGTH} characters`);
    }
    if (!env.CORS_ORIGIN?.length) problems.push('CORS_ORIGIN: required in production (the web app origin)');
  } else if (env.SESSION_SECRET !== undefined && env.SESSION_SECRET.length < MIN_SESSION_SECRET_LENGTH) {
    problems.push(`SESSION_SECRET: at least ${MIN_SESSION_SECRET_LENGTH} characters`);
  }
  if (readerUrl && !url) problems.push('DATABASE_READER_URL or PGREADERHOST: needs a writer (DATABASE_URL or PGHOST) too');
  if (problems.length) throw new ConfigError(problems);

  return {
    env: env.NODE_ENV,
    production,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    corsOrigins: env.CORS_ORIGIN ?? [],
    maxUsers: env.MAX_USERS,
    maxContactsPerUser: env.MAX_CONTACTS_PER_USER,
    trustProxyHops: env.TRUST_PROXY ?? (production ? 1 : 0),
    secureCookies: env.COOKIE_SECURE ?? production,
    database,
    dataDir: env.DATA_DIR,
    webDir: env.WEB_DIR,
    sessionSecret: env.SESSION_SECRET,
    redisUrl: env.REDIS_URL,
  };
}
