-- Search over notes, addresses and job titles, and tags that keep the case
-- the person typed (issue 17).

-- Tags are matched without case through their lower-cased keys; `tags`
-- keeps the case as typed. Every stored tag was lower-cased on write until
-- now, so the keys are the tags themselves.
ALTER TABLE "contacts"
    ADD COLUMN "tag_keys" TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN "keys_version" INTEGER NOT NULL DEFAULT 0;
UPDATE "contacts" SET "tag_keys" = "tags" WHERE "tags" <> '{}';

-- search_text now also holds notes, addresses and the job title. It is
-- folded in JavaScript (search-keys.ts), which SQL cannot reproduce exactly
-- (no unaccent in every PostgreSQL), so rows written before stay at
-- keys_version 0 and the migration runner recomputes them after this file
-- (app/contacts/refresh-search-keys.ts).
