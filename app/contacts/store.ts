import type pg from 'pg';
import type { PrismaProvider } from '../db/client.ts';
import type { Contact as ContactRow, Prisma } from '../db/generated/client.ts';
import { DB_DEADLINES } from '../db/deadlines.ts';
import { guardOutages } from '../db/outage.ts';
import { HttpProblem } from '../http/problem.ts';
import { listContacts, type ListedPage } from './list-query.ts';
import type { Contact, ContactDraft, ContactPatch, ListQuery } from './schemas.ts';
import { hasIdentity } from './schemas.ts';
import { searchKeys } from './search-keys.ts';

/** A contact plus its version (the ETag source). */
export interface StoredContact {
  contact: Contact;
  version: number;
}
/** A page of the list, its items already JSON text (see list-query.ts). */
export type ContactPage = ListedPage;

export type UpdateOutcome =
  | { ok: true; stored: StoredContact }
  | { ok: false; reason: 'not_found' | 'precondition_failed' | 'no_identity' };

/** The persistence the contacts routes need, and nothing more. */
export interface ContactStore {
  list(userId: string, query: ListQuery): Promise<ContactPage>;
  all(userId: string): Promise<Contact[]>;
  get(userId: string, id: string): Promise<StoredContact | null>;
  count(userId: string): Promise<number>;
  /** Creates the drafts in order while the user stays under `max`; returns those created. */
  createWithinLimit(userId: string, drafts: ContactDraft[], max: number): Promise<StoredContact[]>;
  update(userId: string, id: string, patch: ContactPatch, ifMatchVersions?: number[] | '*'): Promise<UpdateOutcome>;
  delete(userId: string, id: string): Promise<boolean>;
}

/** The columns a contact is made of (not the derived search and sort columns). */
const CONTACT_COLUMNS = {
  id: true,
  prefix: true,
  firstName: true,
  middleName: true,
  lastName: true,
  suffix: true,
  nickname: true,
  company: true,
  jobTitle: true,
  emails: true,
  phones: true,
  addresses: true,
  urls: true,
  related: true,
  birthday: true,
  notes: true,
  tags: true,
  favorite: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} as const;
type ContactColumns = Pick<ContactRow, keyof typeof CONTACT_COLUMNS>;

function toContact(row: ContactColumns): StoredContact {
  return {
    version: row.version,
    contact: {
      id: row.id,
      prefix: row.prefix,
      firstName: row.firstName,
      middleName: row.middleName,
      lastName: row.lastName,
      suffix: row.suffix,
      nickname: row.nickname,
      company: row.company,
      jobTitle: row.jobTitle,
      // JSON columns are only ever written from zod-validated drafts.
      emails: row.emails as Contact['emails'],
      phones: row.phones as Contact['phones'],
      addresses: row.addresses as Contact['addresses'],
      urls: row.urls as Contact['urls'],
      related: row.related as Contact['related'],
      birthday: row.birthday,
      notes: row.notes,
      tags: row.tags,
      favorite: row.favorite,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    },
  };
}

export function draftOf(c: Contact): ContactDraft {
  return {
    prefix: c.prefix,
    firstName: c.firstName,
    middleName: c.middleName,
    lastName: c.lastName,
    suffix: c.suffix,
    nickname: c.nickname,
    company: c.company,
    jobTitle: c.jobTitle,
    emails: c.emails,
    phones: c.phones,
    addresses: c.addresses,
    urls: c.urls,
    related: c.related,
    birthday: c.birthday,
    notes: c.notes,
    tags: c.tags,
    favorite: c.favorite,
  };
}

function columns(d: ContactDraft) {
  return { ...d, ...searchKeys(d) };
}

const BY_NAME: Prisma.ContactOrderByWithRelationInput[] = [{ sortName: 'asc' }, { id: 'asc' }];

/**
 * Contacts in PostgreSQL through Prisma; the list and search read goes to
 * `readPool` directly (see list-query.ts).
 */
export function createContactStore(prisma: PrismaProvider, readPool: pg.Pool): ContactStore {
  const store: ContactStore = {
    list(userId, q) {
      return listContacts(readPool, userId, q);
    },

    async all(userId) {
      const rows = await (await prisma()).contact.findMany({ where: { userId }, orderBy: BY_NAME, select: CONTACT_COLUMNS });
      return rows.map((r) => toContact(r).contact);
    },

    async get(userId, id) {
      const row = await (await prisma()).contact.findFirst({ where: { id, userId }, select: CONTACT_COLUMNS });
      return row ? toContact(row) : null;
    },

    async count(userId) {
      return (await prisma()).contact.count({ where: { userId } });
    },

    async createWithinLimit(userId, drafts, max) {
      if (drafts.length === 0) return [];
      return (await prisma()).$transaction(async (tx) => {
        // Lock the owner's row: concurrent creates for one user queue here,
        // so the count below cannot go stale before the insert commits.
        const owner = await tx.$executeRaw`SELECT 1 FROM "users" WHERE "id" = ${userId}::uuid FOR UPDATE`;
        // A session that outlived its account (deleted meanwhile): a 401, not a foreign-key 500.
        if (owner === 0) throw new HttpProblem(401, 'unauthenticated', 'Your account no longer exists; sign in again.');
        const existing = await tx.contact.count({ where: { userId } });
        const room = Math.max(0, max - existing);
        const created: StoredContact[] = [];
        for (const d of drafts.slice(0, room)) {
          created.push(toContact(await tx.contact.create({ data: { userId, ...columns(d) } })));
        }
        return created;
      }, DB_DEADLINES.transaction);
    },

    async update(userId, id, patch, ifMatch) {
      return (await prisma()).$transaction(async (tx) => {
        // Lock the row so the If-Match check, the merge and the write see
        // one version; transactions always run on the writer.
        const locked = await tx.$queryRaw<{ version: number }[]>`
          SELECT "version" FROM "contacts" WHERE "id" = ${id}::uuid AND "user_id" = ${userId}::uuid FOR UPDATE`;
        const row = locked[0] ? await tx.contact.findFirst({ where: { id, userId } }) : null;
        if (!row) return { ok: false, reason: 'not_found' } as const;
        if (ifMatch && ifMatch !== '*' && !ifMatch.includes(row.version)) {
          return { ok: false, reason: 'precondition_failed' } as const;
        }
        const merged: ContactDraft = { ...draftOf(toContact(row).contact), ...definedOnly(patch) };
        if (!hasIdentity(merged)) return { ok: false, reason: 'no_identity' } as const;
        const updated = await tx.contact.update({
          where: { id },
          data: { ...columns(merged), version: { increment: 1 } },
        });
        return { ok: true, stored: toContact(updated) } as const;
      }, DB_DEADLINES.transaction);
    },

    async delete(userId, id) {
      const { count } = await (await prisma()).contact.deleteMany({ where: { id, userId } });
      return count === 1;
    },
  };
  return guardOutages(store);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
