import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DatabaseHandle } from '../db/client.ts';
import type { Contact as ContactRow, Prisma } from '../db/generated/client.ts';
import { DB_DEADLINES } from '../db/deadlines.ts';
import { guardOutages } from '../db/outage.ts';
import { HttpProblem } from '../http/problem.ts';
import { listContacts, type ListedPage } from './list-query.ts';
import type { Contact, ContactDraft, ContactPatch, ListQuery } from './schemas.ts';
import { hasIdentity } from './schemas.ts';
import { withSearchKeys } from './search-keys.ts';
import { DuplicateIndex, mergeDrafts, sameDraft, type MatchReason } from './duplicates.ts';
import { displayName } from './display-name.ts';
import { prepareRecord } from './import-report.ts';
import { insertContacts, updateContacts } from './bulk-write.ts';
import { contactCreateSchema, type DuplicateMode } from './schemas.ts';
import { zodFieldErrors } from '../http/problem.ts';

/** A contact plus its version (the ETag source). */
export interface StoredContact {
  contact: Contact;
  version: number;
}

export type UpdateOutcome =
  { ok: true; stored: StoredContact } | { ok: false; reason: 'not_found' | 'precondition_failed' | 'no_identity' };

/** The persistence the contacts routes need, and nothing more. */
export interface ContactStore {
  /** A page of the list, its items already JSON text (see list-query.ts). */
  list(userId: string, query: ListQuery): Promise<ListedPage>;
  all(userId: string): Promise<Contact[]>;
  /** Every contact with its version (the ETag source), in name order. */
  allStored(userId: string): Promise<StoredContact[]>;
  get(userId: string, id: string): Promise<StoredContact | null>;
  count(userId: string): Promise<number>;
  /** Every tag of the user's contacts with how many carry it, by name. */
  tags(userId: string): Promise<{ name: string; count: number }[]>;
  /** Creates the contact, or returns null when the user is at the cap (MAX_CONTACTS_PER_USER; see client.ts). */
  create(userId: string, draft: ContactDraft): Promise<StoredContact | null>;
  update(userId: string, id: string, patch: ContactPatch, ifMatchVersions?: number[] | '*'): Promise<UpdateOutcome>;
  delete(userId: string, id: string): Promise<boolean>;
  /** Creates or merges each record in one transaction (see import.ts); returns an outcome per record. */
  importRecords(userId: string, records: ImportRecord[], options: { max: number; duplicates: DuplicateMode }): Promise<ImportOutcome[]>;
  /** Merges `others` into `targetId` and deletes them, atomically; versions are checked when given. */
  merge(userId: string, targetId: string, others: MergeSource[], targetVersions?: number[] | '*'): Promise<MergeOutcome>;
}

export interface ImportRecord {
  draft: ContactDraft;
  /** The contact id in the record's UID (urn:uuid:...), when it names one: our own export coming back. */
  uid?: string;
}

export type ImportOutcome =
  | { kind: 'created'; id: string; mergedFrom?: undefined }
  | { kind: 'unchanged'; id: string; reason: MatchReason | 'uid'; name: string }
  /** `notes`: what the merge moved into the notes to stay within the caps. */
  | { kind: 'merged'; id: string; reason: MatchReason | 'uid'; name: string; notes: string[] }
  /** `earlier`: the contact it matches was created by an earlier record of the same file. */
  | { kind: 'duplicate'; id: string; reason: MatchReason | 'uid'; name: string; earlier: boolean }
  | { kind: 'merge_too_large'; id: string; name: string; problem: string }
  | { kind: 'over_limit' };

export interface MergeSource {
  id: string;
  versions?: number[] | '*';
}

export type MergeOutcome =
  | { ok: true; stored: StoredContact }
  | { ok: false; reason: 'not_found'; id: string }
  | { ok: false; reason: 'precondition_failed'; id: string }
  | { ok: false; reason: 'too_large'; problem: string };

/** The columns a contact is made of (not the derived search and sort columns). */
export const CONTACT_COLUMNS = {
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
export type ContactColumns = Pick<ContactRow, keyof typeof CONTACT_COLUMNS>;

export function toContact(row: ContactColumns): StoredContact {
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

const BY_NAME: Prisma.ContactOrderByWithRelationInput[] = [{ sortName: 'asc' }, { id: 'asc' }];

/** SQLSTATE the insert trigger raises past MAX_CONTACTS_PER_USER (migration 20261206000000_contact_cap_trigger). */
export const CONTACT_CAP_REACHED = 'CF001';
/** Optimistic PATCH tries before it takes the row lock (see update). */
const OPTIMISTIC_ATTEMPTS = 3;

/**
 * Contacts in PostgreSQL through Prisma; the list and search read goes to
 * `readPool` directly (see list-query.ts).
 */
export function createContactStore({ prisma, primary, readPool }: Pick<DatabaseHandle, 'prisma' | 'primary' | 'readPool'>): ContactStore {
  const store: ContactStore = {
    list(userId, q) {
      return listContacts(readPool, userId, q);
    },

    async all(userId) {
      return (await store.allStored(userId)).map((s) => s.contact);
    },

    async allStored(userId) {
      const rows = await (await prisma()).contact.findMany({ where: { userId }, orderBy: BY_NAME, select: CONTACT_COLUMNS });
      return rows.map(toContact);
    },

    async get(userId, id) {
      const row = await (await prisma()).contact.findFirst({ where: { id, userId }, select: CONTACT_COLUMNS });
      return row ? toContact(row) : null;
    },

    async tags(userId) {
      const { rows } = await readPool.query<{ name: string; count: number }>(
        // One entry per tag key; its name is the spelling most contacts carry.
        `SELECT mode() WITHIN GROUP (ORDER BY t.tag) AS name, count(*)::int AS count
           FROM contacts, unnest(tags, tag_keys) AS t(tag, key) WHERE user_id = $1::uuid GROUP BY t.key ORDER BY t.key`,
        [userId],
      );
      return rows;
    },

    async count(userId) {
      return (await prisma()).contact.count({ where: { userId } });
    },

    async create(userId, draft) {
      try {
        // One INSERT: the trigger locks the owner and checks the cap in the same statement.
        return toContact(await (await prisma()).contact.create({ data: { userId, ...withSearchKeys(draft) }, select: CONTACT_COLUMNS }));
      } catch (err) {
        if (sqlState(err) === CONTACT_CAP_REACHED) return null;
        // A session that outlived its account (deleted meanwhile): a 401, not a foreign-key 500.
        if ((err as { code?: unknown }).code === 'P2003') throw accountGone();
        throw err;
      }
    },

    async update(userId, id, patch, ifMatch) {
      // Optimistic: read, merge, and write only if the version is still the one
      // read; two statements and no transaction. Another writer in between
      // makes the write miss, and the loop reads again (If-Match is checked
      // against the version current then, RFC 9110 section 13.1.1).
      const client = await primary();
      for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
        const row = await client.contact.findFirst({ where: { id, userId }, select: CONTACT_COLUMNS });
        const outcome = mergePatch(row, patch, ifMatch);
        if (!outcome.ok) return outcome;
        const [updated] = await client.contact.updateManyAndReturn({
          where: { id, userId, version: row!.version },
          data: { ...withSearchKeys(outcome.merged), version: { increment: 1 } },
          select: CONTACT_COLUMNS,
        });
        if (updated) return { ok: true, stored: toContact(updated) };
      }
      // Still losing the race: wait for the row lock instead, which always ends.
      return client.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT 1 FROM "contacts" WHERE "id" = ${id}::uuid AND "user_id" = ${userId}::uuid FOR UPDATE`;
        const row = await tx.contact.findFirst({ where: { id, userId }, select: CONTACT_COLUMNS });
        const outcome = mergePatch(row, patch, ifMatch);
        if (!outcome.ok) return outcome;
        const updated = await tx.contact.update({
          where: { id },
          data: { ...withSearchKeys(outcome.merged), version: { increment: 1 } },
          select: CONTACT_COLUMNS,
        });
        return { ok: true, stored: toContact(updated) } as const;
      }, DB_DEADLINES.transaction);
    },

    async delete(userId, id) {
      const { count } = await (await prisma()).contact.deleteMany({ where: { id, userId } });
      return count === 1;
    },

    async importRecords(userId, records, { max, duplicates }) {
      if (records.length === 0) return [];
      return (await prisma()).$transaction(async (tx) => {
        await lockOwner(tx, userId);
        let room: number;
        const index = new DuplicateIndex<ContactDraft>();
        if (duplicates === 'create') {
          // Nothing is matched: the count is all this needs.
          room = Math.max(0, max - (await tx.contact.count({ where: { userId } })));
        } else {
          // Matching reads every contact of the user (MAX_CONTACTS_PER_USER bounds them).
          // The owner lock keeps a concurrent import from adding the same person;
          // locking the rows too (in id order, as merge does) keeps a PATCH,
          // DELETE or merge from changing one between this read and the write,
          // which would otherwise be overwritten with what was read. (A single
          // create takes the owner lock only in its insert's trigger, so one racing
          // this import can add the same person: two contacts, never over the cap.)
          await tx.$executeRaw`SELECT 1 FROM "contacts" WHERE "user_id" = ${userId}::uuid ORDER BY "id" FOR UPDATE`;
          const rows = await tx.contact.findMany({ where: { userId }, select: CONTACT_COLUMNS });
          for (const r of rows) index.set(r.id, draftOf(toContact(r).contact));
          room = Math.max(0, max - rows.length);
        }
        const created = new Set<string>();
        const changed = new Set<string>();
        const outcomes: ImportOutcome[] = [];
        for (const [n, { draft, uid }] of records.entries()) {
          // Matching is CPU work inside the transaction: other requests get a turn now and then.
          if (n % 250 === 249) await nextTurn();
          outcomes.push(outcomeOf(draft, uid));
        }
        function outcomeOf(draft: ContactDraft, uid: string | undefined): ImportOutcome {
          const match = duplicates === 'create' ? null : uid && index.get(uid) ? { id: uid, reason: 'uid' as const } : index.find(draft);
          if (match) {
            const current = index.get(match.id)!;
            const name = displayName(current);
            if (duplicates === 'skip')
              return { kind: 'duplicate', id: match.id, reason: match.reason, name, earlier: created.has(match.id) };
            let merged = mergeDrafts(current, draft);
            if (sameDraft(merged, current)) return { kind: 'unchanged', id: match.id, reason: match.reason, name };
            let notes: string[] = [];
            if (capProblem(merged)) {
              // Over a cap (a 21st email): what does not fit goes into the notes, as for a new contact.
              const repaired = prepareRecord(merged);
              if (!repaired.ok) return { kind: 'merge_too_large', id: match.id, name, problem: capProblem(merged)! };
              merged = repaired.draft;
              notes = repaired.changes;
            }
            index.set(match.id, merged);
            if (!created.has(match.id)) changed.add(match.id);
            return { kind: 'merged', id: match.id, reason: match.reason, name, notes };
          }
          if (room === 0) return { kind: 'over_limit' };
          room--;
          const id = randomUUID();
          index.set(id, draft);
          created.add(id);
          return { kind: 'created', id };
        }
        // Creation times a millisecond apart, ending now, so sort=createdAt lists an
        // import in file order (one statement would give all one time).
        const start = Date.now() - created.size;
        await insertContacts(
          tx,
          userId,
          [...created].map((id, i) => ({ id, draft: index.get(id)!, at: new Date(start + i + 1) })),
        );
        const now = new Date();
        await updateContacts(
          tx,
          userId,
          [...changed].map((id) => ({ id, draft: index.get(id)!, at: now })),
        );
        return outcomes;
      }, DB_DEADLINES.transaction);
    },

    async merge(userId, targetId, others, targetVersions) {
      return (await prisma()).$transaction(async (tx) => {
        const ids = [targetId, ...others.map((o) => o.id)];
        // Rows locked in id order, so two merges over the same contacts cannot deadlock.
        const locked = await tx.$queryRaw<{ id: string; version: number }[]>`
          SELECT "id"::text, "version" FROM "contacts"
          WHERE "user_id" = ${userId}::uuid AND "id" = ANY(${ids}::uuid[]) ORDER BY "id" FOR UPDATE`;
        const version = new Map(locked.map((r) => [r.id, r.version]));
        for (const id of ids) if (!version.has(id)) return { ok: false, reason: 'not_found', id } as const;
        const wanted: [string, number[] | '*' | undefined][] = [
          [targetId, targetVersions],
          ...others.map((o) => [o.id, o.versions] as [string, number[] | '*' | undefined]),
        ];
        for (const [id, v] of wanted) {
          if (v && v !== '*' && !v.includes(version.get(id)!)) return { ok: false, reason: 'precondition_failed', id } as const;
        }
        const rows = await tx.contact.findMany({ where: { userId, id: { in: ids } }, select: CONTACT_COLUMNS });
        const byId = new Map(rows.map((r) => [r.id, draftOf(toContact(r).contact)]));
        let merged = byId.get(targetId)!;
        for (const o of others) merged = mergeDrafts(merged, byId.get(o.id)!);
        const problem = capProblem(merged);
        if (problem) return { ok: false, reason: 'too_large', problem } as const;
        await tx.contact.deleteMany({ where: { userId, id: { in: others.map((o) => o.id) } } });
        const updated = await tx.contact.update({
          where: { id: targetId },
          data: { ...withSearchKeys(merged), version: { increment: 1 } },
        });
        return { ok: true, stored: toContact(updated) } as const;
      }, DB_DEADLINES.transaction);
    },
  };
  return guardOutages(store);
}

/**
 * Locks the owner's row: concurrent creates and imports for one user queue
 * here, so a count or a duplicate check cannot go stale before the insert commits.
 */
async function lockOwner(tx: Prisma.TransactionClient, userId: string): Promise<void> {
  // NO KEY UPDATE, as the insert trigger takes it: it does not wait for the
  // foreign-key checks of inserts in flight.
  const owner = await tx.$executeRaw`SELECT 1 FROM "users" WHERE "id" = ${userId}::uuid FOR NO KEY UPDATE`;
  // A session that outlived its account (deleted meanwhile): a 401, not a foreign-key 500.
  if (owner === 0) throw accountGone();
}

export const accountGone = () => new HttpProblem('unauthenticated', 'Your account no longer exists; sign in again.');

/** The PostgreSQL error code behind a Prisma error (through the pg adapter), if any. */
export function sqlState(err: unknown): string | undefined {
  const cause = (err as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } }).meta?.driverAdapterError?.cause;
  return typeof cause?.originalCode === 'string' ? cause.originalCode : undefined;
}

type MergeResult = { ok: true; merged: ContactDraft } | { ok: false; reason: 'not_found' | 'precondition_failed' | 'no_identity' };

/** A PATCH applied to the row read: the If-Match check, the merge, the identity rule. */
function mergePatch(row: ContactColumns | null, patch: ContactPatch, ifMatch: number[] | '*' | undefined): MergeResult {
  if (!row) return { ok: false, reason: 'not_found' };
  if (ifMatch && ifMatch !== '*' && !ifMatch.includes(row.version)) return { ok: false, reason: 'precondition_failed' };
  const merged: ContactDraft = { ...draftOf(toContact(row).contact), ...definedOnly(patch) };
  if (!hasIdentity(merged)) return { ok: false, reason: 'no_identity' };
  return { ok: true, merged };
}

/** Why a merged contact would break the caps (20 emails, 10,000 characters of notes...), or undefined. */
function capProblem(d: ContactDraft): string | undefined {
  const parsed = contactCreateSchema.safeParse(d);
  if (parsed.success) return undefined;
  return zodFieldErrors(parsed.error)
    .slice(0, 2)
    .map((e) => `${e.path}: ${e.message}`)
    .join('; ');
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
