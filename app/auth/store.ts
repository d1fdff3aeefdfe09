import type { PrismaProvider } from '../db/client.ts';
import type { User as UserRow } from '../db/generated/client.ts';
import { DB_DEADLINES } from '../db/deadlines.ts';
import { guardOutages } from '../db/outage.ts';
import type { User } from './schemas.ts';

export interface UserWithHash {
  user: User;
  passwordHash: string;
}

export type SignupOutcome = { ok: true; user: User } | { ok: false; reason: 'email_taken' | 'user_limit_reached' };

/** The persistence auth needs, and nothing more. */
export interface UserStore {
  /**
   * Creates the user while the deployment is under `maxUsers`. `beforeCommit`
   * runs inside the transaction (it starts the session): when it fails, no
   * user is created, so a signup never half-succeeds.
   */
  createWithinLimit(
    data: { email: string; name: string; passwordHash: string },
    maxUsers: number,
    beforeCommit?: (user: User) => Promise<void>,
  ): Promise<SignupOutcome>;
  findByEmail(email: string): Promise<UserWithHash | null>;
  findById(id: string): Promise<User | null>;
  findWithHashById(id: string): Promise<UserWithHash | null>;
  /** Changes the name or the password hash; null when the user is gone. */
  update(id: string, data: { name?: string; passwordHash?: string }): Promise<User | null>;
  count(): Promise<number>;
  /** Deletes the user and (by cascade) their contacts; false when already gone. */
  delete(id: string): Promise<boolean>;
}

// Any constant works; it only has to be the same in every task.
const SIGNUP_LOCK = 4_242_001;

function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, name: row.name, createdAt: row.createdAt.toISOString() };
}

export function createUserStore(prisma: PrismaProvider): UserStore {
  return guardOutages<UserStore>({
    async createWithinLimit(data, maxUsers, beforeCommit) {
      return (await prisma()).$transaction(async (tx) => {
        // Serialize signups so the count and the insert cannot interleave
        // across tasks: the cap holds under any concurrency.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SIGNUP_LOCK})`;
        if (await tx.user.findUnique({ where: { email: data.email }, select: { id: true } })) {
          return { ok: false, reason: 'email_taken' } as const;
        }
        if ((await tx.user.count()) >= maxUsers) return { ok: false, reason: 'user_limit_reached' } as const;
        const user = toUser(await tx.user.create({ data }));
        await beforeCommit?.(user);
        return { ok: true, user } as const;
      }, DB_DEADLINES.transaction);
    },
    async findByEmail(email) {
      const row = await (await prisma()).user.findUnique({ where: { email } });
      return row ? { user: toUser(row), passwordHash: row.passwordHash } : null;
    },
    async findById(id) {
      const row = await (await prisma()).user.findUnique({ where: { id } });
      return row ? toUser(row) : null;
    },
    async findWithHashById(id) {
      const row = await (await prisma()).user.findUnique({ where: { id } });
      return row ? { user: toUser(row), passwordHash: row.passwordHash } : null;
    },
    async update(id, data) {
      const rows = await (await prisma()).user.updateManyAndReturn({ where: { id }, data });
      return rows[0] ? toUser(rows[0]) : null;
    },
    async count() {
      return (await prisma()).user.count();
    },
    async delete(id) {
      const { count } = await (await prisma()).user.deleteMany({ where: { id } });
      return count === 1;
    },
  });
}
