import type { DatabaseHandle } from '../db/client.ts';
import type { Prisma } from '../db/generated/client.ts';
import { guardOutages } from '../db/outage.ts';
import type { ContactDraft } from '../contacts/schemas.ts';
import { withSearchKeys } from '../contacts/search-keys.ts';
import { accountGone, CONTACT_CAP_REACHED, CONTACT_COLUMNS, sqlState, toContact, type StoredContact } from '../contacts/store.ts';
import { contactIdOfUid } from '../contacts/uid.ts';
import type { JCalProperty } from '../contacts/vcard.ts';
import { contactEtag, failedPrecondition, type Preconditions } from './etag.ts';

/** A contact as a resource of the user's address book. */
export interface DavCard {
  /** The resource name: the last segment of its URL ("<id>.vcf", or the name a client PUT it under). */
  name: string;
  stored: StoredContact;
  /** The client's UID, when not our urn:uuid:<id>. */
  uid: string | null;
  properties: JCalProperty[];
}

/**
 * Where a sync stands: `xmin`, the sync point (changes at or above it are
 * sent; see the carddav migration), and `newest`, the book's newest change.
 * The point can stay put while the book changes (a long transaction anywhere
 * in the cluster holds it back), so a token names both: it still changes
 * with the book, which is how a client polling it knows to sync.
 */
export interface SyncPoint {
  xmin: string;
  newest: string;
}

/** The address book's state: its sync point, and `ctag`, which changes with any change. */
export interface CollectionState extends SyncPoint {
  ctag: string;
  count: number;
}

/** What changed since a sync point; `expired` when deletions after it were pruned (the client syncs again from scratch). */
export type Changes = { expired: true } | ({ expired: false; changed: string[]; deleted: string[] } & SyncPoint);

/** What a PUT stores: the contact, and what the client's card had beyond it. */
export interface CardContent {
  draft: ContactDraft;
  uid: string | null;
  properties: JCalProperty[];
}

export type PutOutcome =
  | { ok: true; created: boolean; card: DavCard }
  | { ok: false; reason: 'precondition_failed' }
  | { ok: false; reason: 'contact_limit_reached' }
  | { ok: false; reason: 'uid_conflict'; name: string };

/** The persistence the CardDAV routes need. Every read is on the writer: a client that just wrote must see it. */
export interface DavStore {
  state(userId: string): Promise<CollectionState>;
  /** The cards named (ask for at most CARD_PAGE at once). */
  cards(userId: string, names: string[]): Promise<DavCard[]>;
  /** The next CARD_PAGE cards in name order after `after` (a page at a time: a card can hold a photo of most of a megabyte). */
  cardsAfter(userId: string, after: string | null): Promise<DavCard[]>;
  /** Names changed and deleted since `xmin` (at or above it), and the new sync point, from one snapshot; bounded, as tombstones are (the tombstone_cap migration). */
  changesSince(userId: string, xmin: string): Promise<Changes>;
  put(userId: string, name: string, content: CardContent, conditions: Preconditions): Promise<PutOutcome>;
  delete(userId: string, name: string, conditions: Preconditions): Promise<'deleted' | 'not_found' | 'precondition_failed'>;
}

const DAV_COLUMNS = { ...CONTACT_COLUMNS, davName: true, davUid: true, davExtra: true } as const;

const OPTIMISTIC_ATTEMPTS = 3;

/**
 * Cards read from the database at once when an answer names many. A card can
 * hold most of a megabyte (a photo). Two parallel syncs of 50 such cards
 * (43 MB each) ran in a 120 MB heap at 10 a page, needed 200 MB at 25, and
 * more than 200 MB when each answer was built whole.
 */
export const CARD_PAGE = 10;

/** Which of the two unique keys (user, name) and (user, UID) an insert or update broke (Prisma's P2002 names the columns). */
function violated(err: unknown): 'uid' | 'name' {
  return JSON.stringify((err as { meta?: unknown }).meta ?? {}).includes('dav_uid') ? 'uid' : 'name';
}

export function createDavStore({ primary }: Pick<DatabaseHandle, 'primary'>): DavStore {
  type Row = Parameters<typeof toContact>[0] & { davName: string; davUid: string | null; davExtra: unknown };
  const toCard = (r: Row): DavCard => ({
    name: r.davName,
    stored: toContact(r),
    uid: r.davUid,
    // Written only from propertiesNotModelled's jCal.
    properties: r.davExtra as JCalProperty[],
  });
  const store: DavStore = {
    async state(userId) {
      // The sync point ("xmin"): the oldest transaction still running (every
      // change below it is committed and seen by this read), but no later than
      // just above the book's last change. Both bounds are safe: a change at or
      // above the point is sent again, never lost. The second keeps the point
      // still while the book does not change, so a client polling sync-token
      // does not sync because another account changed. (The same expression is
      // in changesSince; Prisma.sql to share it would load the Prisma client's
      // module at start-up, which the Lambda cold start defers.)
      const [row] = await (
        await primary()
      ).$queryRaw<{ xmin: string; newest: string; count: number; sum: string; gone: string }[]>`
        WITH newest AS (
          SELECT coalesce(greatest((SELECT max("changed_xid")::text::numeric FROM "contacts" WHERE "user_id" = ${userId}::uuid),
                                   (SELECT max("deleted_xid")::text::numeric FROM "contact_tombstones" WHERE "user_id" = ${userId}::uuid)), 0) AS n)
        SELECT least(pg_snapshot_xmin(pg_current_snapshot())::text::numeric, n + 1)::text AS xmin, n::text AS newest,
               (SELECT count(*)::int FROM "contacts" WHERE "user_id" = ${userId}::uuid) AS count,
               (SELECT coalesce(sum("changed_xid"::text::numeric), 0)::text FROM "contacts" WHERE "user_id" = ${userId}::uuid) AS sum,
               (SELECT coalesce(sum("deleted_xid"::text::numeric), 0)::text FROM "contact_tombstones" WHERE "user_id" = ${userId}::uuid) AS gone
          FROM newest`;
      return { xmin: row!.xmin, newest: row!.newest, count: row!.count, ctag: `${row!.count}-${row!.sum}-${row!.gone}` };
    },

    async cardsAfter(userId, after) {
      const rows = await (
        await primary()
      ).contact.findMany({
        where: { userId, ...(after === null ? {} : { davName: { gt: after } }) },
        orderBy: { davName: 'asc' },
        take: CARD_PAGE,
        select: DAV_COLUMNS,
      });
      return rows.map(toCard);
    },

    async cards(userId, names) {
      const rows = await (
        await primary()
      ).contact.findMany({
        where: { userId, davName: { in: names } },
        orderBy: { davName: 'asc' },
        select: DAV_COLUMNS,
      });
      return rows.map(toCard);
    },

    async changesSince(userId, xmin) {
      // One statement, one snapshot: nothing committed between the lists and the new point is missed.
      const [row] = await (
        await primary()
      ).$queryRaw<{ expired: boolean; xmin: string; newest: string; changed: string[] | null; deleted: string[] | null }[]>`
        WITH newest AS (
          SELECT coalesce(greatest((SELECT max("changed_xid")::text::numeric FROM "contacts" WHERE "user_id" = ${userId}::uuid),
                                   (SELECT max("deleted_xid")::text::numeric FROM "contact_tombstones" WHERE "user_id" = ${userId}::uuid)), 0) AS n)
        SELECT coalesce((SELECT "dav_sync_floor" >= ${xmin}::xid8 FROM "users" WHERE "id" = ${userId}::uuid), false) AS expired,
               least(pg_snapshot_xmin(pg_current_snapshot())::text::numeric, n + 1)::text AS xmin, n::text AS newest,
               (SELECT array_agg("dav_name" ORDER BY "dav_name") FROM "contacts"
                 WHERE "user_id" = ${userId}::uuid AND "changed_xid" >= ${xmin}::xid8) AS changed,
               (SELECT array_agg("dav_name" ORDER BY "dav_name") FROM "contact_tombstones"
                 WHERE "user_id" = ${userId}::uuid AND "deleted_xid" >= ${xmin}::xid8) AS deleted
          FROM newest`;
      if (row!.expired) return { expired: true };
      return { expired: false, xmin: row!.xmin, newest: row!.newest, changed: row!.changed ?? [], deleted: row!.deleted ?? [] };
    },

    async put(userId, name, { draft, uid, properties }, conditions) {
      const client = await primary();
      const data = { ...withSearchKeys(draft), davExtra: properties as Prisma.InputJsonValue };
      // A contact made by the JSON API or an import is served with UID urn:uuid:<id> and
      // no stored UID: a card PUT elsewhere with that UID would be a second card with it.
      const ours = uid ? contactIdOfUid(uid) : undefined;
      for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
        const current = await client.contact.findFirst({ where: { userId, davName: name }, select: { id: true, version: true } });
        if (failedPrecondition(conditions, current && contactEtag(current.id, current.version))) {
          return { ok: false, reason: 'precondition_failed' };
        }
        // Its own UID given back is the default again: stored as none.
        const davUid = ours && ours === current?.id ? null : uid;
        if (ours && ours !== current?.id) {
          const owner = await client.contact.findFirst({
            where: { userId, id: ours, OR: [{ davUid: null }, { davUid: uid }] },
            select: { davName: true },
          });
          if (owner) return { ok: false, reason: 'uid_conflict', name: owner.davName };
        }
        if (!current) {
          try {
            const row = await client.contact.create({ data: { userId, davName: name, davUid, ...data }, select: DAV_COLUMNS });
            return { ok: true, created: true, card: toCard(row) };
          } catch (err) {
            if (sqlState(err) === CONTACT_CAP_REACHED) return { ok: false, reason: 'contact_limit_reached' };
            if ((err as { code?: unknown }).code === 'P2003') throw accountGone();
            if ((err as { code?: unknown }).code === 'P2002') {
              if (violated(err) === 'uid') return uidConflict(userId, uid);
              // The same name created meanwhile: read it again (If-None-Match: * then fails, a plain PUT updates it).
              continue;
            }
            throw err;
          }
        }
        try {
          const [row] = await client.contact.updateManyAndReturn({
            where: { id: current.id, userId, version: current.version },
            data: { ...data, davUid, version: { increment: 1 } },
            select: DAV_COLUMNS,
          });
          if (row) return { ok: true, created: false, card: toCard(row) };
        } catch (err) {
          if ((err as { code?: unknown }).code === 'P2002') return uidConflict(userId, uid);
          throw err;
        }
      }
      // Lost the race three times: the client retries (412 is what it would get after a change anyway).
      return { ok: false, reason: 'precondition_failed' };
    },

    async delete(userId, name, conditions) {
      const client = await primary();
      for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
        const current = await client.contact.findFirst({ where: { userId, davName: name }, select: { id: true, version: true } });
        if (!current) return 'not_found';
        if (failedPrecondition(conditions, contactEtag(current.id, current.version))) return 'precondition_failed';
        // Deleted only as it was checked: a change in between is read again.
        const { count } = await client.contact.deleteMany({ where: { id: current.id, userId, version: current.version } });
        if (count === 1) return 'deleted';
      }
      return 'precondition_failed';
    },
  };

  async function uidConflict(userId: string, uid: string | null): Promise<PutOutcome> {
    const other = uid ? await (await primary()).contact.findFirst({ where: { userId, davUid: uid }, select: { davName: true } }) : null;
    return { ok: false, reason: 'uid_conflict', name: other?.davName ?? '' };
  }

  return guardOutages(store);
}
