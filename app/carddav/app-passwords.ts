import { createHash, randomInt } from 'node:crypto';
import { Router, type Request } from 'express';
import type { PrismaProvider } from '../db/client.ts';
import { guardOutages } from '../db/outage.ts';
import { STORABLE_TEXT } from '../db/storable-text.ts';
import { DependencyUnavailable, HttpProblem } from '../http/problem.ts';
import { parseBody } from '../http/validate.ts';
import { requireUser, signInFirst, userIdOf } from '../auth/session.ts';
import { contactIdSchema } from '../contacts/schemas.ts';
import * as z from '../zod.ts';

/*
 * App passwords: what a CardDAV client (a phone, Thunderbird) signs in with
 * over HTTP Basic, since it cannot hold a cookie session. Each is named
 * after its device, shown once, revocable on its own, and accepted only on
 * /dav (never by the JSON API). The same pattern as Apple's app-specific
 * passwords, Nextcloud's app passwords and Fastmail's.
 */

/** More devices than a person syncs; a cap so a stolen session cannot mint thousands. */
export const MAX_APP_PASSWORDS = 20;

// 24 letters and digits without look-alikes (no 0/o, 1/l/i): 32 symbols, 120
// bits, typed on a phone in four groups of six (the shape Apple's have).
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUPS = 4;
const GROUP_LENGTH = 6;

export function newAppPassword(): string {
  const groups = Array.from({ length: GROUPS }, () =>
    Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
  );
  return groups.join('-');
}

/**
 * The stored form. SHA-256, not scrypt: the password is random (about 119
 * bits), so a fast hash cannot be searched, and every DAV request (a sync is
 * several) checks it; scrypt would cost each one 50 ms of CPU.
 */
export function appPasswordHash(password: string): string {
  // Spaces and case forgiven: people copy it from the screen in groups.
  const normal = password.toLowerCase().replace(/[\s-]/g, '');
  return createHash('sha256').update(`contactfolio-app-password:${normal}`).digest('base64url');
}

export const appPasswordNameSchema = z
  .string()
  .check(z.trim(), z.minLength(1, 'is required'), z.maxLength(60, 'must be at most 60 characters'), z.regex(...STORABLE_TEXT));

export const appPasswordCreateSchema = z
  .strictObject({ name: appPasswordNameSchema })
  .register(z.globalRegistry, { id: 'AppPasswordCreate' });

export const appPasswordSchema = z
  .object({ id: z.uuid(), name: z.string(), createdAt: z.iso.datetime(), lastUsedAt: z.nullable(z.iso.datetime()) })
  .register(z.globalRegistry, { id: 'AppPassword' });
export type AppPassword = z.infer<typeof appPasswordSchema>;

export const appPasswordListSchema = z.object({ items: z.array(appPasswordSchema) }).register(z.globalRegistry, { id: 'AppPasswordList' });
export const newAppPasswordSchema = z
  .object({ ...appPasswordSchema.def.shape, password: z.string() })
  .register(z.globalRegistry, { id: 'NewAppPassword' });

export interface AppPasswordStore {
  list(userId: string): Promise<AppPassword[]>;
  /** Stores the hash of `password` under `name`; null when the user already has MAX_APP_PASSWORDS (or is gone). */
  create(userId: string, name: string, password: string): Promise<AppPassword | null>;
  revoke(userId: string, id: string): Promise<boolean>;
  /** Revokes every one of the user's app passwords (signing out everywhere, a new password); resolves to how many. */
  revokeAll(userId: string): Promise<number>;
  /** The user an app password belongs to, if `email` is theirs; records the use. */
  verify(email: string, password: string): Promise<{ userId: string } | null>;
}

type Row = { id: string; name: string; createdAt: Date; lastUsedAt: Date | null };
const toAppPassword = (r: Row): AppPassword => ({
  id: r.id,
  name: r.name,
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
});
const COLUMNS = { id: true, name: true, createdAt: true, lastUsedAt: true } as const;
// "Last used" is for the person reviewing their devices, not an audit log:
// written at most once a minute per password, not on every request of a sync.
const LAST_USED_GRANULARITY_MS = 60_000;

export function createAppPasswordStore(prisma: PrismaProvider): AppPasswordStore {
  return guardOutages<AppPasswordStore>({
    async list(userId) {
      const rows = await (await prisma()).appPassword.findMany({ where: { userId }, orderBy: { createdAt: 'asc' }, select: COLUMNS });
      return rows.map(toAppPassword);
    },
    async create(userId, name, password) {
      return (await prisma()).$transaction(async (tx) => {
        // The owner's row locked, so parallel creates cannot pass the cap together.
        const owner = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "users" WHERE "id" = ${userId}::uuid FOR NO KEY UPDATE`;
        if (owner.length === 0 || (await tx.appPassword.count({ where: { userId } })) >= MAX_APP_PASSWORDS) return null;
        return toAppPassword(
          await tx.appPassword.create({ data: { userId, name, tokenHash: appPasswordHash(password) }, select: COLUMNS }),
        );
      });
    },
    async revoke(userId, id) {
      const { count } = await (await prisma()).appPassword.deleteMany({ where: { id, userId } });
      return count === 1;
    },
    async revokeAll(userId) {
      return (await (await prisma()).appPassword.deleteMany({ where: { userId } })).count;
    },
    async verify(email, password) {
      const client = await prisma();
      const row = await client.appPassword.findUnique({
        where: { tokenHash: appPasswordHash(password) },
        select: { id: true, lastUsedAt: true, user: { select: { id: true, email: true } } },
      });
      if (!row || row.user.email !== email.trim().toLowerCase()) return null;
      if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
        await client.appPassword.updateMany({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
      }
      return { userId: row.user.id };
    },
  });
}

/** Whether the request's session is still in the store (another request may have ended it meanwhile). */
function sessionStillExists(req: Request): Promise<boolean> {
  return new Promise((resolve, reject) =>
    req.sessionStore.get(req.sessionID, (err, data) =>
      err ? reject(new DependencyUnavailable('sessions', { cause: err })) : resolve(data?.userId === req.session.userId),
    ),
  );
}

/** /v1/app-passwords: the account page's list, create (the password shown once) and revoke. Session only. */
export function appPasswordRoutes(store: AppPasswordStore): Router {
  const router = Router();
  router.use(requireUser);
  router.get('/', async (req, res) => {
    res.json({ items: await store.list(userIdOf(req)) });
  });
  router.post('/', async (req, res) => {
    const { name } = parseBody(appPasswordCreateSchema, req.body);
    const password = newAppPassword();
    const userId = userIdOf(req);
    const created = await store.create(userId, name, password);
    if (!created)
      throw new HttpProblem('app_password_limit_reached', `An account can have ${MAX_APP_PASSWORDS} app passwords; revoke one first.`);
    // Signing out everywhere (or a new password) ends the sessions, then
    // revokes the app passwords. One created by a request that passed the
    // session check before that, and stored after the revocation, would
    // outlive it: so the session is looked up again once the password is
    // stored, and the password revoked, never shown, if the session is gone.
    const alive = await sessionStillExists(req).catch(async (err: unknown) => {
      await store.revoke(userId, created.id);
      throw err;
    });
    if (!alive) {
      await store.revoke(userId, created.id);
      throw signInFirst();
    }
    res.status(201).json({ ...created, password });
  });
  router.delete('/:id', async (req, res) => {
    const id = contactIdSchema.safeParse(req.params.id);
    if (!id.success || !(await store.revoke(userIdOf(req), id.data))) throw new HttpProblem('not_found', 'No such app password.');
    res.status(204).end();
  });
  return router;
}
