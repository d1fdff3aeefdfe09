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
 * A sync point (RFC 6578's token, as this server keeps it): every change to
 * the book is at or above `point`, or made by one of the `inFlight`
 * transactions, or was in the answer the token came with. `point` is just
 * above the book's newest change, so it stays put while the book does not
 * change and moves whenever it does; `inFlight` names the transactions still
 * running below it, which may yet commit a change there. With more of them
 * than a token carries, the point falls back to the oldest running
 * transaction (every change is still sent; some twice). See the carddav
 * migration.
 */
export interface SyncPoint {
  point: string;
  inFlight: string[];
  /**
   * The newest tombstone pruned when the point was taken ("-1": none, or a
   * token that did not say). Deletions pruned since then, at or above the
   * oldest of point and inFlight, could be missed: such a token has expired.
   */
  floor: string;
}

/** Running transactions a token names at most. */
export const MAX_IN_FLIGHT = 16;

/** The point from what one snapshot saw: the book's newest change, the oldest running transaction, those running below the newest. */
export function syncPointOf(row: { newest: string; xmin: string; below: string[] | null; floor: string | null }): SyncPoint {
  const next = BigInt(row.newest) + 1n;
  const below = row.below ?? [];
  const floor = row.floor ?? '-1';
  if (below.length <= MAX_IN_FLIGHT) return { point: next.toString(), inFlight: below, floor };
  const xmin = BigInt(row.xmin);
  return { point: (xmin < next ? xmin : next).toString(), inFlight: [], floor };
}

/** The address book's state: its sync point, and `ctag`, which changes with any change. */
export interface CollectionState {
  sync: SyncPoint;
  ctag: string;
  count: number;
}

/** What changed since a sync point; `expired` when deletions after it were pruned (the client syncs again from scratch). */
export type Changes = { expired: true } | { expired: false; changed: string[]; deleted: string[]; next: SyncPoint };

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
  /** Names changed and deleted since a sync point, and the next point, from one snapshot; bounded, as tombstones are (the tombstone_cap migration). */
  changesSince(userId: string, since: SyncPoint): Promise<Changes>;
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
      // The sync point (SyncPoint), and the sums the ctag is made of. (The
      // same point expression is in changesSince; Prisma.sql to share it
      // would load the Prisma client's module at start-up, which the Lambda
      // cold start defers.)
      const [row] = await (
        await primary()
      ).$queryRaw<
        { newest: string; xmin: string; below: string[] | null; floor: string | null; count: number; sum: string; gone: string }[]
      >`
        WITH newest AS (
          SELECT coalesce(greatest((SELECT max("changed_xid")::text::numeric FROM "contacts" WHERE "user_id" = ${userId}::uuid),
                                   (SELECT max("deleted_xid")::text::numeric FROM "contact_tombstones" WHERE "user_id" = ${userId}::uuid)), 0) AS n),
        snap AS (SELECT pg_current_snapshot() AS s)
        SELECT n::text AS newest, pg_snapshot_xmin(s)::text AS xmin,
               (SELECT array_agg(x::text) FROM pg_snapshot_xip(s) AS x WHERE x::text::numeric <= n) AS below,
               (SELECT "dav_sync_floor"::text FROM "users" WHERE "id" = ${userId}::uuid) AS floor,
               (SELECT count(*)::int FROM "contacts" WHERE "user_id" = ${userId}::uuid) AS count,
               (SELECT coalesce(sum("changed_xid"::text::numeric), 0)::text FROM "contacts" WHERE "user_id" = ${userId}::uuid) AS sum,
               (SELECT coalesce(sum("deleted_xid"::text::numeric), 0)::text FROM "contact_tombstones" WHERE "user_id" = ${userId}::uuid) AS gone
          FROM newest, snap`;
      // Any change gives a contact a new transaction id, and a delete a new
      // tombstone (or a new id on an old one): the sums move with every change.
      return { sync: syncPointOf(row!), count: row!.count, ctag: `${row!.count}-${row!.sum}-${row!.gone}` };
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

    async changesSince(userId, { point, inFlight, floor }) {
      // Deletions pruned since the token, at or above the oldest of these, could be missed: the token has expired.
      const oldest = [point, ...inFlight].reduce((a, b) => (BigInt(b) < BigInt(a) ? b : a));
      // One statement, one snapshot: nothing committed between the lists and the new point is missed.
      const [row] = await (
        await primary()
      ).$queryRaw<
        {
          expired: boolean;
          newest: string;
          xmin: string;
          below: string[] | null;
          floor: string | null;
          changed: string[] | null;
          deleted: string[] | null;
        }[]
      >`
        WITH newest AS (
          SELECT coalesce(greatest((SELECT max("changed_xid")::text::numeric FROM "contacts" WHERE "user_id" = ${userId}::uuid),
                                   (SELECT max("deleted_xid")::text::numeric FROM "contact_tombstones" WHERE "user_id" = ${userId}::uuid)), 0) AS n),
        snap AS (SELECT pg_current_snapshot() AS s)
        SELECT coalesce((SELECT "dav_sync_floor" >= ${oldest}::xid8 AND "dav_sync_floor"::text::numeric > ${floor}::numeric
                           FROM "users" WHERE "id" = ${userId}::uuid), false) AS expired,
               n::text AS newest, pg_snapshot_xmin(s)::text AS xmin,
               (SELECT array_agg(x::text) FROM pg_snapshot_xip(s) AS x WHERE x::text::numeric <= n) AS below,
               (SELECT "dav_sync_floor"::text FROM "users" WHERE "id" = ${userId}::uuid) AS floor,
               (SELECT array_agg("dav_name" ORDER BY "dav_name") FROM "contacts"
                 WHERE "user_id" = ${userId}::uuid
                   AND ("changed_xid" >= ${point}::xid8 OR "changed_xid" = ANY(${inFlight}::text[]::xid8[]))) AS changed,
               (SELECT array_agg("dav_name" ORDER BY "dav_name") FROM "contact_tombstones"
                 WHERE "user_id" = ${userId}::uuid
                   AND ("deleted_xid" >= ${point}::xid8 OR "deleted_xid" = ANY(${inFlight}::text[]::xid8[]))) AS deleted
          FROM newest, snap`;
      if (row!.expired) return { expired: true };
      return { expired: false, next: syncPointOf(row!), changed: row!.changed ?? [], deleted: row!.deleted ?? [] };
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
