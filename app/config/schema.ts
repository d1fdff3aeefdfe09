import { z } from 'zod';

/**
 * Every environment variable the service reads, parsed and validated once by
 * the entry points (handlers/). The app itself receives the parsed `Config`
 * and never touches process.env.
 */

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce.number().int().positive();

const originList = z
  .string()
  .transform((raw) => raw.split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(
    z.array(
      z
        .url({ protocol: /^https?$/ })
        .refine((u) => new URL(u).origin === u.replace(/\/$/, ''), 'must be an origin (scheme://host[:port]) without a path')
        .transform((u) => new URL(u).origin),
    ),
  );

const redisUrl = z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' });
const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' });

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_ORIGIN: originList.optional(),
  MAX_USERS: positiveInt.default(50),
  MAX_CONTACTS_PER_USER: positiveInt.default(50),
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).optional(),
  COOKIE_SECURE: booleanFlag.optional(),

  DATABASE_URL: postgresUrl.optional(),
  DATABASE_READER_URL: postgresUrl.optional(),
  PGHOST: z.string().min(1).optional(),
  PGREADERHOST: z.string().min(1).optional(),
  PGPORT: z.coerce.number().int().min(1).max(65535).default(5432),
  PGUSER: z.string().min(1).optional(),
  PGPASSWORD: z.string().optional(),
  PGDATABASE: z.string().min(1).default('postgres'),
  PGSSLMODE: z.enum(['disable', 'require', 'verify-full']).optional(),
  DB_POOL_MAX: positiveInt.max(100).optional(),
  MIGRATE_ON_BOOT: booleanFlag.optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  WEB_DIR: z.string().min(1).optional(),

  SESSION_SECRET: z.string().optional(),
  REDIS_URL: redisUrl.optional(),
  SECRETS_ID: z.string().min(1).optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface DatabaseConfig {
  /** Writer connection string; absent means "use the embedded PostgreSQL". */
  url?: string;
  readerUrl?: string;
  sslMode: 'disable' | 'require' | 'verify-full';
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

/** Parses the raw environment (or the env merged with Secrets Manager values). */
export function parseConfig(raw: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" (a common shell and compose idiom).
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';

  const url = env.DATABASE_URL ?? (env.PGHOST ? buildUrl(env, env.PGHOST) : undefined);
  const readerUrl = env.DATABASE_READER_URL ?? (env.PGREADERHOST ? buildUrl(env, env.PGREADERHOST) : undefined);

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
    database: {
      url,
      readerUrl,
      sslMode: env.PGSSLMODE ?? (production ? 'require' : 'disable'),
      poolMax: env.DB_POOL_MAX ?? 10,
      migrateOnBoot: env.MIGRATE_ON_BOOT ?? !production,
    },
    dataDir: env.DATA_DIR,
    webDir: env.WEB_DIR,
    sessionSecret: env.SESSION_SECRET,
    redisUrl: env.REDIS_URL,
  };
}
