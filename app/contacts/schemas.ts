import { z } from 'zod';

/*
 * One set of zod schemas validates requests, types the code (z.infer) and
 * generates the OpenAPI document. Limits here are the contract's edges.
 */

// PostgreSQL text and jsonb cannot hold U+0000.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
export const NO_NUL = [/^[^\u0000]*$/, 'must not contain NUL characters'] as const;

/** Trimmed text; empty means "not set" and is stored as null. */
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .regex(...NO_NUL)
    .transform((s) => (s === '' ? null : s))
    .nullable()
    .transform((s) => s ?? null);

export const EMAIL_LABELS = ['home', 'work', 'other'] as const;
export const PHONE_LABELS = ['mobile', 'home', 'work', 'other'] as const;
export const ADDRESS_LABELS = ['home', 'work', 'other'] as const;

export const emailSchema = z
  .strictObject({
    value: z.string().trim().max(254).pipe(z.email('must be a valid email address')),
    label: z.enum(EMAIL_LABELS).default('other'),
  })
  .meta({ id: 'ContactEmail' });

export const phoneSchema = z
  .strictObject({
    // Kept exactly as typed (trimmed); search matches its digits.
    value: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(64, 'must be at most 64 characters')
      .regex(/\d/, 'must contain a digit')
      .regex(/^[\d\s()+\-./#*,;xextEXT]+$/, 'may contain only digits, spaces and + ( ) - . / # * , ; x ext'),
    label: z.enum(PHONE_LABELS).default('other'),
  })
  .meta({ id: 'ContactPhone' });

export const addressSchema = z
  .strictObject({
    street: text(200).optional().transform((v) => v ?? null),
    city: text(100).optional().transform((v) => v ?? null),
    region: text(100).optional().transform((v) => v ?? null),
    postalCode: text(20).optional().transform((v) => v ?? null),
    country: text(100).optional().transform((v) => v ?? null),
    label: z.enum(ADDRESS_LABELS).default('home'),
  })
  .refine((a) => a.street || a.city || a.region || a.postalCode || a.country, 'an address needs at least one part')
  .meta({ id: 'ContactAddress' });

export const birthdaySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s) && s >= '0001-01-01';
  }, 'must be a real calendar date')
  .nullable();

export const tagSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(50, 'must be at most 50 characters')
  // eslint-disable-next-line no-control-regex -- NUL is refused on purpose (see NO_NUL)
  .regex(/^[^,;\n\r\u0000]+$/, 'must not contain commas, semicolons, line breaks or NUL')
  .transform((t) => t.toLowerCase());

const dedupe = (tags: string[]) => [...new Set(tags)];

const fields = {
  firstName: text(100),
  lastName: text(100),
  company: text(200),
  jobTitle: text(200),
  emails: z.array(emailSchema).max(20, 'at most 20 emails'),
  phones: z.array(phoneSchema).max(20, 'at most 20 phones'),
  addresses: z.array(addressSchema).max(10, 'at most 10 addresses'),
  birthday: birthdaySchema,
  notes: text(10_000),
  tags: z.array(tagSchema).max(30, 'at most 30 tags').transform(dedupe),
  favorite: z.boolean(),
};

/** A contact's editable content, complete (the shape stored). */
export type ContactDraft = { [K in keyof typeof fields]: z.output<(typeof fields)[K]> };

const IDENTIFYING = 'a contact needs at least one of firstName, lastName, company, an email or a phone';

export function hasIdentity(d: Pick<ContactDraft, 'firstName' | 'lastName' | 'company' | 'emails' | 'phones'>): boolean {
  return Boolean(d.firstName || d.lastName || d.company || d.emails.length || d.phones.length);
}

export const contactCreateSchema = z
  .strictObject({
    firstName: fields.firstName.optional().transform((v) => v ?? null),
    lastName: fields.lastName.optional().transform((v) => v ?? null),
    company: fields.company.optional().transform((v) => v ?? null),
    jobTitle: fields.jobTitle.optional().transform((v) => v ?? null),
    emails: fields.emails.default([]),
    phones: fields.phones.default([]),
    addresses: fields.addresses.default([]),
    birthday: fields.birthday.optional().transform((v) => v ?? null),
    notes: fields.notes.optional().transform((v) => v ?? null),
    tags: fields.tags.default([]),
    favorite: fields.favorite.default(false),
  })
  .refine(hasIdentity, { message: IDENTIFYING })
  .meta({ id: 'ContactCreate' });

/** PATCH: any subset of fields; arrays replace the stored list whole. */
export const contactPatchSchema = z
  .strictObject({
    firstName: fields.firstName.optional(),
    lastName: fields.lastName.optional(),
    company: fields.company.optional(),
    jobTitle: fields.jobTitle.optional(),
    emails: fields.emails.optional(),
    phones: fields.phones.optional(),
    addresses: fields.addresses.optional(),
    birthday: fields.birthday.optional(),
    notes: fields.notes.optional(),
    tags: fields.tags.optional(),
    favorite: fields.favorite.optional(),
  })
  .meta({ id: 'ContactPatch' });

export type ContactPatch = z.output<typeof contactPatchSchema>;

export const IDENTITY_MESSAGE = IDENTIFYING;

export const contactSchema = z
  .object({
    id: z.uuid(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    company: z.string().nullable(),
    jobTitle: z.string().nullable(),
    emails: z.array(z.object({ value: z.string(), label: z.enum(EMAIL_LABELS) })),
    phones: z.array(z.object({ value: z.string(), label: z.enum(PHONE_LABELS) })),
    addresses: z.array(
      z.object({
        street: z.string().nullable(),
        city: z.string().nullable(),
        region: z.string().nullable(),
        postalCode: z.string().nullable(),
        country: z.string().nullable(),
        label: z.enum(ADDRESS_LABELS),
      }),
    ),
    birthday: z.string().nullable().meta({ description: 'YYYY-MM-DD' }),
    notes: z.string().nullable(),
    tags: z.array(z.string()),
    favorite: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Contact' });

export type Contact = z.infer<typeof contactSchema>;

export const SORTS = ['name', '-updatedAt', 'createdAt'] as const;
export type Sort = (typeof SORTS)[number];

export const listQuerySchema = z.strictObject({
  q: z.string().trim().max(200).optional(),
  tag: z.string().trim().max(50).transform((t) => t.toLowerCase()).optional(),
  favorite: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  sort: z.enum(SORTS).default('name'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional(),
});

export type ListQuery = z.output<typeof listQuerySchema>;

export const contactListSchema = z
  .object({
    items: z.array(contactSchema),
    nextCursor: z.string().nullable(),
    total: z.number().int(),
  })
  .meta({ id: 'ContactList' });

export const exportQuerySchema = z.strictObject({
  format: z.enum(['vcard', 'csv']).default('vcard'),
});

export const importResultSchema = z
  .object({
    imported: z.number().int(),
    skipped: z.array(z.object({ index: z.number().int(), reason: z.string() })),
  })
  .meta({ id: 'ImportResult' });

export type ImportResult = z.infer<typeof importResultSchema>;

export const contactIdSchema = z.uuid();
