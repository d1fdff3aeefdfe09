-- The cap on contacts per user, checked by the statement that inserts them
-- (issue 19): a create is one INSERT instead of a transaction that locks the
-- owner, counts and inserts, four round trips with the owner locked.
--
-- The cap is the app's MAX_CONTACTS_PER_USER, which each pooled connection
-- sets as contactfolio.max_contacts_per_user (app/db/client.ts). Unset (psql,
-- a seed script): no cap.
CREATE FUNCTION "contacts_within_cap"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cap integer := nullif(current_setting('contactfolio.max_contacts_per_user', true), '')::integer;
  owner uuid;
BEGIN
  IF cap IS NULL THEN
    RETURN NULL;
  END IF;
  FOR owner IN SELECT DISTINCT "user_id" FROM inserted ORDER BY 1 LOOP
    -- Writers of one user queue on the owner's row. NO KEY UPDATE, not UPDATE:
    -- it must not wait for the KEY SHARE lock that every insert's foreign-key
    -- check holds, or two inserts would deadlock.
    PERFORM 1 FROM "users" WHERE "id" = owner FOR NO KEY UPDATE;
    -- A statement of its own, so its snapshot is taken after the lock: it
    -- counts what the previous holder committed, and this statement's rows.
    IF (SELECT count(*) FROM "contacts" WHERE "user_id" = owner) > cap THEN
      RAISE EXCEPTION 'contact limit reached' USING ERRCODE = 'CF001';
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;

-- Per statement, not per row: an import of 500 locks and counts once.
CREATE TRIGGER "contacts_within_cap" AFTER INSERT ON "contacts"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "contacts_within_cap"();
