-- Richer contacts (issue 16): name parts, nickname, web addresses, related
-- people, custom labels and birthdays without a year.

ALTER TABLE "contacts"
    ADD COLUMN "prefix" TEXT,
    ADD COLUMN "middle_name" TEXT,
    ADD COLUMN "suffix" TEXT,
    ADD COLUMN "nickname" TEXT,
    ADD COLUMN "urls" JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN "related" JSONB NOT NULL DEFAULT '[]';

-- A birthday is "YYYY-MM-DD" or "--MM-DD" (no year), so text. Apple writes a
-- year-less birthday as the year 1604 (X-APPLE-OMIT-YEAR=1604), which earlier
-- imports stored as that year: those become year-less.
ALTER TABLE "contacts" ALTER COLUMN "birthday" TYPE TEXT
    USING CASE WHEN EXTRACT(YEAR FROM "birthday") = 1604 THEN to_char("birthday", '"--"MM-DD')
               ELSE to_char("birthday", 'YYYY-MM-DD') END;

-- Every labelled item gains "customLabel" (null: the label says it all), so
-- stored JSON has the shape the API returns.
UPDATE "contacts" SET
    "emails" = (SELECT coalesce(jsonb_agg(e || '{"customLabel": null}'::jsonb ORDER BY i), '[]'::jsonb)
                FROM jsonb_array_elements("emails") WITH ORDINALITY AS x(e, i)),
    "phones" = (SELECT coalesce(jsonb_agg(e || '{"customLabel": null}'::jsonb ORDER BY i), '[]'::jsonb)
                FROM jsonb_array_elements("phones") WITH ORDINALITY AS x(e, i)),
    "addresses" = (SELECT coalesce(jsonb_agg(e || '{"customLabel": null}'::jsonb ORDER BY i), '[]'::jsonb)
                   FROM jsonb_array_elements("addresses") WITH ORDINALITY AS x(e, i))
WHERE "emails" <> '[]' OR "phones" <> '[]' OR "addresses" <> '[]';
