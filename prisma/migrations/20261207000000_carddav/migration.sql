-- CardDAV (issue 20): app passwords, each contact as a resource of the
-- user's address book, and what sync-collection (RFC 6578) needs: the id of
-- the transaction that last changed each contact, and tombstones.
--
-- Why transaction ids and not a counter: a sync token is the oldest
-- transaction still running when the sync read (pg_snapshot_xmin), so every
-- transaction below it had finished, and "changed since" is "changed by a
-- transaction at or above it". No lock is taken: a per-user counter would
-- lock the owner's row in the trigger, after the contact row a PATCH or a
-- merge had locked, in the opposite order of an import, and deadlock.

-- App passwords for DAV clients (HTTP Basic). Only a SHA-256 of the
-- password is kept: it is 120 random bits, which no offline guessing
-- reaches, so a slow hash would only cost every DAV request its CPU.
CREATE TABLE "app_passwords" (
  "id" UUID NOT NULL,
  "user_id" UUID NOT NULL,
  "name" TEXT NOT NULL,
  "token_hash" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "last_used_at" TIMESTAMPTZ(3),
  CONSTRAINT "app_passwords_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "app_passwords_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "app_passwords_token_hash_key" ON "app_passwords"("token_hash");
CREATE INDEX "app_passwords_user_id_idx" ON "app_passwords"("user_id");

-- dav_name: the resource's name in the address book (what the client PUT to,
-- or "<id>.vcf"); dav_uid: the client's UID when it is not our urn:uuid;
-- dav_extra: the client's properties the contact does not model, as jCal
-- (RFC 7095), written back into the card it is served as.
ALTER TABLE "contacts" ADD COLUMN "dav_name" TEXT;
ALTER TABLE "contacts" ADD COLUMN "dav_uid" TEXT;
ALTER TABLE "contacts" ADD COLUMN "dav_extra" JSONB NOT NULL DEFAULT '[]';
ALTER TABLE "contacts" ADD COLUMN "changed_xid" XID8 NOT NULL DEFAULT pg_current_xact_id();
UPDATE "contacts" SET "dav_name" = "id"::text || '.vcf';
ALTER TABLE "contacts" ALTER COLUMN "dav_name" SET NOT NULL;
CREATE UNIQUE INDEX "contacts_user_id_dav_name_key" ON "contacts"("user_id", "dav_name");
CREATE UNIQUE INDEX "contacts_user_id_dav_uid_key" ON "contacts"("user_id", "dav_uid");

CREATE TABLE "contact_tombstones" (
  "user_id" UUID NOT NULL,
  "dav_name" TEXT NOT NULL,
  "deleted_xid" XID8 NOT NULL DEFAULT pg_current_xact_id(),
  "deleted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "contact_tombstones_pkey" PRIMARY KEY ("user_id", "dav_name"),
  CONSTRAINT "contact_tombstones_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Stamps a change (a new version) with its transaction. A derived-column
-- refresh keeps the version: no stamp, no sync.
CREATE FUNCTION "contacts_sync_stamp"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NEW."version" <> OLD."version" THEN
      NEW."changed_xid" := pg_current_xact_id();
    END IF;
    RETURN NEW;
  END IF;
  NEW."dav_name" := coalesce(NEW."dav_name", NEW."id"::text || '.vcf');
  NEW."changed_xid" := pg_current_xact_id();
  -- A name used again is a new resource: its tombstone goes.
  DELETE FROM "contact_tombstones" WHERE "user_id" = NEW."user_id" AND "dav_name" = NEW."dav_name";
  RETURN NEW;
END
$$;
CREATE TRIGGER "contacts_sync_stamp" BEFORE INSERT OR UPDATE ON "contacts"
  FOR EACH ROW EXECUTE FUNCTION "contacts_sync_stamp"();

-- A deleted contact leaves a tombstone, so an incremental sync reports it
-- gone. Tombstones older than 60 days go (sync tokens that old are refused:
-- app/carddav/sync-token.ts), so they do not pile up.
CREATE FUNCTION "contacts_tombstone"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The owner is being deleted with its contacts: nobody is left to sync.
  IF NOT EXISTS (SELECT 1 FROM "users" WHERE "id" = OLD."user_id") THEN
    RETURN NULL;
  END IF;
  DELETE FROM "contact_tombstones" WHERE "user_id" = OLD."user_id" AND "deleted_at" < CURRENT_TIMESTAMP - interval '60 days';
  INSERT INTO "contact_tombstones" ("user_id", "dav_name") VALUES (OLD."user_id", OLD."dav_name")
    ON CONFLICT ("user_id", "dav_name")
    DO UPDATE SET "deleted_xid" = pg_current_xact_id(), "deleted_at" = CURRENT_TIMESTAMP;
  RETURN NULL;
END
$$;
CREATE TRIGGER "contacts_tombstone" AFTER DELETE ON "contacts"
  FOR EACH ROW EXECUTE FUNCTION "contacts_tombstone"();
