-- Tombstones bounded (issue 20, second hostile review): a client that PUT
-- and DELETEd cards under new names left one tombstone each, without end;
-- 300,000 of them made one incremental sync gather 125 MB of names, and each
-- delete scanned them all for the 60-day expiry.
--
-- Now each user keeps the newest 10,000 (contactfolio.max_tombstones_per_user
-- where a session sets it), and those older than 60 days go, once per DELETE
-- statement rather than once per row. A sync token older than the newest
-- tombstone pruned could miss that deletion: users.dav_sync_floor records
-- it, and the app refuses such tokens (DAV:valid-sync-token, RFC 6578 3.2),
-- so the client syncs from scratch instead.

ALTER TABLE "users" ADD COLUMN "dav_sync_floor" XID8;
CREATE INDEX "contact_tombstones_user_id_deleted_xid_idx" ON "contact_tombstones"("user_id", "deleted_xid");

-- The row trigger only writes the tombstone.
CREATE OR REPLACE FUNCTION "contacts_tombstone"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The owner is being deleted with its contacts: nobody is left to sync.
  IF NOT EXISTS (SELECT 1 FROM "users" WHERE "id" = OLD."user_id") THEN
    RETURN NULL;
  END IF;
  INSERT INTO "contact_tombstones" ("user_id", "dav_name") VALUES (OLD."user_id", OLD."dav_name")
    ON CONFLICT ("user_id", "dav_name")
    DO UPDATE SET "deleted_xid" = pg_current_xact_id(), "deleted_at" = CURRENT_TIMESTAMP;
  RETURN NULL;
END
$$;

-- After the statement's row triggers: per owner, what is past the cap or
-- 60 days old goes, and the floor moves above the newest of it.
CREATE FUNCTION "contact_tombstones_prune"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cap integer := coalesce(nullif(current_setting('contactfolio.max_tombstones_per_user', true), '')::integer, 10000);
  owner uuid;
  pruned xid8;
BEGIN
  FOR owner IN SELECT DISTINCT "user_id" FROM gone ORDER BY 1 LOOP
    WITH doomed AS (
      DELETE FROM "contact_tombstones" t
       WHERE t."user_id" = owner
         AND (t."deleted_at" < CURRENT_TIMESTAMP - interval '60 days'
              OR t."deleted_xid" <= (SELECT k."deleted_xid" FROM "contact_tombstones" k
                                      WHERE k."user_id" = owner
                                      ORDER BY k."deleted_xid" DESC OFFSET cap LIMIT 1))
      RETURNING t."deleted_xid")
    SELECT max("deleted_xid") INTO pruned FROM doomed;
    IF pruned IS NOT NULL THEN
      UPDATE "users" SET "dav_sync_floor" = greatest("dav_sync_floor", pruned) WHERE "id" = owner;
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
CREATE TRIGGER "contact_tombstones_prune" AFTER DELETE ON "contacts"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "contact_tombstones_prune"();
