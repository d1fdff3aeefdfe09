// Where the tests find a real PostgreSQL and Redis (the machines' defaults).
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
// A logical database of its own. Runs share it: every key a test writes is its own (random ids),
// and nothing flushes it.
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/9';
