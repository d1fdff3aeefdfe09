import { setImmediate as nextTurn } from 'node:timers/promises';
import { zodFieldErrors } from '../http/problem.ts';
import { contactCreateSchema, IDENTITY_MESSAGE, type ContactDraft, type ImportResult } from './schemas.ts';
import type { ContactStore } from './store.ts';

/*
 * Imports are bounded whatever the file holds: the parsers go through the
 * body in small pieces and give the event loop a turn every few ms; rows or
 * cards are read (mapped and validated) only until the user's remaining
 * capacity is filled or maxRead is reached, the rest only counted; the
 * report lists the first skips, each reason short, and counts the others.
 */
export const IMPORT_LIMITS = {
  /** Rows/cards read (mapped and validated) per import; later ones are only counted. */
  maxRead: 5_000,
  /** CSV header columns. Our export has at most 148, Google's about 90. */
  maxColumns: 500,
  /** Characters in one CSV row or one vCard (embedded photos are dropped before this counts). */
  maxRecordChars: 100_000,
  /** Lines in one vCard (a 10,000-character note folds into about 140). */
  maxCardLines: 1_000,
  /** vCards nested in a vCard (vCard 2.1 AGENT). */
  maxNesting: 4,
  /** Entries in `skipped`; the rest are counted in skippedTotal. */
  maxListed: 25,
  /** Characters in one skip reason. */
  maxReason: 120,
} as const;

/** What a format parser makes of one row or card. */
export type ParsedRecord = { input: Record<string, unknown> } | { reason: string };

/**
 * Called once per row/card in file order; returns whether the parser should
 * go on reading. After `false` the parser only counts the records left.
 */
export type OnRecord = (record: ParsedRecord) => boolean;

/** A format parser: calls onRecord per record and resolves to the total number of records in the body. */
export type FormatParser = (body: string, onRecord: OnRecord, breathe: () => Promise<void>) => Promise<number>;

/**
 * Piece size for the CSV parser: one piece costs a few ms at most, even of
 * rows whose cell count differs from the header's (csv-parse builds an
 * error object for each, about 30 us a row, when relax_column_count lets it through).
 */
export const PIECE_CHARS = 1024;

/** Gives other requests a turn when this one has held the event loop for a few ms. */
export function breather(sliceMs = 5): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < sliceMs) return;
    await nextTurn();
    since = performance.now();
  };
}

const clip = (s: string) => (s.length <= IMPORT_LIMITS.maxReason ? s : `${s.slice(0, IMPORT_LIMITS.maxReason - 1)}…`);

function invalidReason(input: Record<string, unknown>): { draft: ContactDraft } | { reason: string } {
  const parsed = contactCreateSchema.safeParse(input);
  if (parsed.success) return { draft: parsed.data };
  const errors = zodFieldErrors(parsed.error);
  // A row with 20 bad emails gets a short reason, not 20 messages.
  const shown = errors
    .slice(0, 2)
    .map((e) => (e.path ? `${e.path} ${e.message}` : e.message === IDENTITY_MESSAGE ? 'no name, company, email or phone' : e.message));
  if (errors.length > 2) shown.push(`and ${errors.length - 2} more`);
  return { reason: `invalid: ${shown.join('; ')}` };
}

type Skip = ImportResult['skipped'][number];

export interface ImportDeps {
  contacts: ContactStore;
  maxContactsPerUser: number;
}

/**
 * Reads the body with `parser` up to the user's remaining capacity, creates
 * the valid contacts within the limit, and reports the rest.
 */
export async function importContacts(
  { contacts, maxContactsPerUser }: ImportDeps,
  userId: string,
  body: string,
  parser: FormatParser,
): Promise<ImportResult> {
  // Read only what could be stored; createWithinLimit still enforces the
  // limit in its transaction when imports or creates race.
  const capacity = Math.max(0, maxContactsPerUser - (await contacts.count(userId)));
  const drafts: { index: number; draft: ContactDraft }[] = [];
  const invalid: Skip[] = [];
  let invalidCount = 0;
  let read = 0;
  const onRecord: OnRecord = (record) => {
    if (drafts.length >= capacity || read >= IMPORT_LIMITS.maxRead) return false;
    const index = read++;
    const outcome = 'input' in record ? invalidReason(record.input) : record;
    if ('draft' in outcome) drafts.push({ index, draft: outcome.draft });
    else {
      invalidCount++;
      if (invalid.length < IMPORT_LIMITS.maxListed) invalid.push({ index, reason: clip(outcome.reason) });
    }
    return drafts.length < capacity && read < IMPORT_LIMITS.maxRead;
  };
  const total = await parser(body, onRecord, breather());

  const created = drafts.length ? await contacts.createWithinLimit(userId, drafts.map((d) => d.draft), maxContactsPerUser) : [];
  const overLimit: Skip[] = drafts.slice(created.length).map(({ index }) => ({ index, reason: 'contact_limit_reached' }));
  // Records never read: past the capacity they are over the limit; past the read limit, unread.
  const unread = total - read;
  const unreadReason = drafts.length >= capacity ? 'contact_limit_reached' : `not read: an import reads at most ${IMPORT_LIMITS.maxRead} rows or cards`;
  const unreadListed: Skip[] = Array.from({ length: Math.min(unread, IMPORT_LIMITS.maxListed) }, (_, i) => ({
    index: read + i,
    reason: unreadReason,
  }));
  // Each list is in index order and holds its lowest indices: the merge's first entries are the file's first skips.
  const skipped = [...invalid, ...overLimit, ...unreadListed].sort((a, b) => a.index - b.index).slice(0, IMPORT_LIMITS.maxListed);
  const skippedTotal = invalidCount + overLimit.length + unread;
  const result: ImportResult = { imported: created.length, skipped };
  if (skippedTotal > skipped.length) Object.assign(result, { skippedTotal, unread });
  return result;
}
