/*
 * How long the app waits on PostgreSQL before it answers 503. A database that
 * accepts connections and then says nothing (a hung server, a black-holed
 * route) must cost a request a few seconds, never the ALB's 60 s: every
 * connect, statement and transaction has one of these deadlines.
 */
export const DB_DEADLINES = {
  /** A new pool connection, TCP and authentication included. */
  connectMs: 3_000,
  /** One statement, enforced by the driver (client side) and by PostgreSQL (statement_timeout). */
  statementMs: 5_000,
  /** Prisma interactive transactions: waiting for a connection, and the whole transaction. */
  transaction: { maxWait: 3_000, timeout: 10_000 },
} as const;
