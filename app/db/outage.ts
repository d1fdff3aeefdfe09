import { DependencyUnavailable } from '../http/problem.ts';

// Error shapes that mean "the database cannot be reached", as opposed to a
// query that failed on its own merits. Prisma codes: P1001 can't reach,
// P1002 timed out, P1008 operation timed out, P1017 connection closed,
// P2024 pool timeout, P2028 a transaction that could not start or finish in
// time (a hung database: it was a 500). Driver adapters surface node/pg
// errors directly.
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
const MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection (is )?closed/i,
  /can't reach database server/i,
  /database( server)? (is )?not reachable/i,
  /Client has encountered a connection error/i,
  /the database system is (starting up|shutting down)/i,
  /terminating connection due to administrator command/i,
  /Query read timeout/i,
  /canceling statement due to statement timeout/i,
];
// PostgreSQL SQLSTATE class 08 (connection exception), 57P0x (shutdown) and
// 57014 (statement_timeout cancelled it: the database is too slow to answer).
const SQLSTATE = /^(08...|57P0[1-3]|57014)$/;

export function isDatabaseOutage(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errorCode?: unknown };
  if (e.name === 'PrismaClientInitializationError') return true;
  if (typeof e.code === 'string' && (PRISMA_CODES.has(e.code) || NODE_CODES.has(e.code) || SQLSTATE.test(e.code))) {
    return true;
  }
  if (typeof e.message === 'string' && MESSAGES.some((re) => re.test(e.message as string))) return true;
  return isDatabaseOutage(e.cause, depth + 1);
}

/**
 * Wraps every method of a repository so a database outage surfaces as
 * DependencyUnavailable (a 503), whichever query hit it.
 */
export function guardOutages<T extends object>(repo: T): T {
  return new Proxy(repo, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (err) {
          if (isDatabaseOutage(err)) throw new DependencyUnavailable('database', { cause: err });
          throw err;
        }
      };
    },
  });
}
