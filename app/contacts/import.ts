import { setImmediate as nextTurn } from 'node:timers/promises';
import { prepareRecord } from './import-report.ts';
import type { ContactDraft, DuplicateMode, ImportResult } from './schemas.ts';
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
  /** Characters in one skip reason or report sentence. */
  maxReason: 120,
  /** Entries in `changes` (merged, unchanged, or imported with something not kept); the rest are counted in changesTotal. */
  maxChangesListed: 10,
} as const;

/** What a format parser makes of one row or card; `line` is where it starts in the file (1-based). */
export type ParsedRecord =
  { line: number; input: Record<string, unknown>; dropped?: string[]; uid?: string } | { line: number; reason: string };

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

/** "not kept: PHOTO, IMPP and 3 more": as many names as fit in one report sentence, the rest counted. */
export function notKept(names: string[]): string {
  const head = 'not kept: ';
  const more = (n: number) => (n ? ` and ${n} more` : '');
  // The longest list that fits, found by growing it and stopping once the
  // names alone overflow: re-joining the whole list per try was quadratic, and
  // a CSV of 500 unknown columns per row spent 11 s of a 16 s import here.
  let shown = Math.min(1, names.length);
  let listed = 0; // length of names.slice(0, k).join(', ')
  for (let k = 1; k <= names.length; k++) {
    listed += (k > 1 ? 2 : 0) + names[k - 1]!.length;
    if (head.length + listed > IMPORT_LIMITS.maxReason) break;
    if (head.length + listed + more(names.length - k).length <= IMPORT_LIMITS.maxReason) shown = k;
  }
  return `${head}${names.slice(0, shown).join(', ')}${more(names.length - shown)}`;
}

type Skip = ImportResult['skipped'][number];
type Change = NonNullable<ImportResult['changes']>[number];

export interface ImportDeps {
  contacts: ContactStore;
  maxContactsPerUser: number;
}

interface Readable {
  index: number;
  line: number;
  name: string;
  draft: ContactDraft;
  notes: string[];
  uid?: string;
}

const MATCHED_BY = { email: 'same email', phone: 'same phone number', name: 'same name', uid: 'exported from it' } as const;

/**
 * Reads the body with `parser`, matches each valid record against the
 * user's contacts (merging, skipping or creating duplicates as `duplicates`
 * says), creates the rest within the contact limit, and reports in words
 * what was skipped, merged or not kept.
 */
export async function importContacts(
  { contacts, maxContactsPerUser }: ImportDeps,
  userId: string,
  body: string,
  parser: FormatParser,
  duplicates: DuplicateMode = 'merge',
): Promise<ImportResult> {
  // With duplicates=create nothing past the remaining room can be stored, so
  // reading stops there; otherwise a record may still merge into a contact
  // already there, and reading stops at maxRead. The store enforces the
  // limit again in its transaction when imports or creates race.
  const capacity = duplicates === 'create' ? Math.max(0, maxContactsPerUser - (await contacts.count(userId))) : Infinity;
  const readable: Readable[] = [];
  const invalid: Skip[] = [];
  let invalidCount = 0;
  let read = 0;
  const onRecord: OnRecord = (record) => {
    if (readable.length >= capacity || read >= IMPORT_LIMITS.maxRead) return false;
    const index = read++;
    const prepared = 'input' in record ? prepareRecord(record.input) : ({ ok: false, name: null, reason: record.reason } as const);
    if (prepared.ok) {
      const notes = [...prepared.changes];
      const dropped = 'input' in record ? (record.dropped ?? []) : [];
      if (dropped.length) notes.push(notKept(dropped));
      readable.push({
        index,
        line: record.line,
        name: prepared.name,
        draft: prepared.draft,
        notes,
        ...('uid' in record && record.uid ? { uid: record.uid } : {}),
      });
    } else {
      invalidCount++;
      if (invalid.length < IMPORT_LIMITS.maxListed) {
        invalid.push({ index, line: record.line, name: prepared.name, reason: clip(prepared.reason) });
      }
    }
    return readable.length < capacity && read < IMPORT_LIMITS.maxRead;
  };
  const total = await parser(body, onRecord, breather());

  const outcomes = readable.length
    ? await contacts.importRecords(
        userId,
        readable.map((r) => ({ draft: r.draft, uid: r.uid })),
        { max: maxContactsPerUser, duplicates },
      )
    : [];
  const skippedHere: Skip[] = [];
  const changes: Change[] = [];
  let changesTotal = 0;
  const counts = { imported: 0, merged: 0, unchanged: 0 };
  outcomes.forEach((o, i) => {
    const r = readable[i]!;
    const at = { index: r.index, line: r.line, name: r.name };
    switch (o.kind) {
      case 'over_limit':
        skippedHere.push({ ...at, reason: 'contact_limit_reached' });
        return;
      case 'duplicate':
        skippedHere.push({
          ...at,
          reason: clip(
            o.earlier
              ? `the same person as '${o.name}' earlier in this file (${MATCHED_BY[o.reason]})`
              : `already in your contacts as '${o.name}' (${MATCHED_BY[o.reason]})`,
          ),
        });
        return;
      case 'merge_too_large':
        skippedHere.push({ ...at, reason: clip(`matches '${o.name}', but merging would go over a limit (${o.problem})`) });
        return;
      case 'created':
        counts.imported++;
        break;
      default:
        counts[o.kind]++;
    }
    if (o.kind === 'created' && r.notes.length === 0) return;
    changesTotal++;
    if (changes.length >= IMPORT_LIMITS.maxChangesListed) return;
    const said =
      o.kind === 'merged'
        ? [`merged into '${o.name}' (${MATCHED_BY[o.reason]})`, ...o.notes]
        : o.kind === 'unchanged'
          ? [`already in your contacts as '${o.name}' (${MATCHED_BY[o.reason]}); nothing new`]
          : [];
    const notes = [...said, ...r.notes];
    // At most 4 sentences a record; the rest counted, so nothing goes unsaid.
    const shown = notes.length > 4 ? [...notes.slice(0, 3), `and ${notes.length - 3} more things not kept or changed`] : notes;
    changes.push({ ...at, contactId: o.id, outcome: o.kind === 'created' ? 'imported' : o.kind, notes: shown.map(clip) });
  });

  const unread = total - read;
  const unreadReason =
    readable.length >= capacity ? 'contact_limit_reached' : `not read: an import reads at most ${IMPORT_LIMITS.maxRead} rows or cards`;
  const unreadListed: Skip[] = Array.from({ length: Math.min(unread, IMPORT_LIMITS.maxListed) }, (_, i) => ({
    index: read + i,
    line: null,
    name: null,
    reason: unreadReason,
  }));
  // Each list is in index order and holds its lowest indices: the merge's first entries are the file's first skips.
  const skipped = [...invalid, ...skippedHere.slice(0, IMPORT_LIMITS.maxListed), ...unreadListed]
    .sort((a, b) => a.index - b.index)
    .slice(0, IMPORT_LIMITS.maxListed);
  const skippedTotal = invalidCount + skippedHere.length + unread;
  const result: ImportResult = { imported: counts.imported, merged: counts.merged, unchanged: counts.unchanged, skipped, changes };
  if (skippedTotal > skipped.length) Object.assign(result, { skippedTotal, unread });
  if (changesTotal > changes.length) result.changesTotal = changesTotal;
  return result;
}
