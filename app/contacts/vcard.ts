import ICAL from 'ical.js';
import { HttpProblem } from '../http/problem.ts';
import type { FormatParser, ParsedRecord } from './import.ts';
import { IMPORT_LIMITS } from './import.ts';
import { birthdaySchema, type Contact } from './schemas.ts';

/*
 * vCard 3.0 / 4.0 <-> contact, with ical.js doing the format work (line
 * unfolding and folding, escaping, parameters, structured values). Import
 * output is unvalidated input for contactCreateSchema; it is mapped leniently
 * so Apple, Google and Outlook exports come through.
 */

type JCard = [string, unknown[], unknown[]];

const BEGIN = /^BEGIN:VCARD\s*$/i;
const END = /^END:VCARD\s*$/i;
// Binary properties we do not keep: an embedded photo must not count
// against the size of a card (or cost a parse).
const UNUSED = /^(?:[\w-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]/i;

const noVCard = () => new HttpProblem(400, 'unparseable_import', 'The body contains no complete vCard (BEGIN:VCARD ... END:VCARD).');

/** One card's text to contact input, or why it cannot be one. */
function cardRecord(text: string): ParsedRecord {
  let parsed: unknown;
  try {
    parsed = ICAL.parse(text);
  } catch (err) {
    return { reason: `unparseable vCard: ${err instanceof Error ? err.message : 'parse error'}` };
  }
  const list = (Array.isArray(parsed) && typeof parsed[0] === 'string' ? [parsed] : parsed) as JCard[];
  const jcard = list.find((j) => j[0] === 'vcard');
  if (!jcard) return { reason: 'unparseable vCard' };
  try {
    return { input: vcardToInput(new ICAL.Component(jcard)) };
  } catch (err) {
    // A safety net: vcardToInput reads values defensively, so this is not expected.
    return { reason: `unreadable vCard: ${err instanceof Error ? err.message : 'error'}` };
  }
}

/**
 * Splits the body into cards line by line, a card at a time through
 * ical.js, so memory holds one card's tree, never the file's (ICAL.parse of
 * a whole 5 MB file took +300 MB). ical.js has no incremental parser: its
 * ComponentParser parses the whole text first. Text outside cards is
 * ignored; a body without one complete card is a 400.
 */
export const parseVCards: FormatParser = async (body, onRecord, breathe) => {
  if (!/BEGIN:VCARD/i.test(body)) {
    throw new HttpProblem(400, 'unparseable_import', 'The body contains no vCard (BEGIN:VCARD).');
  }
  let reading = true;
  let total = 0;
  let complete = 0;
  let depth = 0;
  let lines: string[] = [];
  let chars = 0;
  let problem: string | undefined;
  let dropping = false;
  let count = 0;
  for (let pos = 0; pos < body.length; ) {
    let nl = body.indexOf('\n', pos);
    if (nl < 0) nl = body.length;
    const line = body.charCodeAt(nl - 1) === 13 ? body.slice(pos, nl - 1) : body.slice(pos, nl);
    pos = nl + 1;
    if ((++count & 127) === 0) await breathe();
    const continued = line.startsWith(' ') || line.startsWith('\t');
    if (BEGIN.test(line)) {
      if (depth === 0) {
        lines = [];
        chars = 0;
        problem = undefined;
      }
      depth++;
      dropping = false;
      if (depth > IMPORT_LIMITS.maxNesting) problem ??= `vCards nested more than ${IMPORT_LIMITS.maxNesting} deep`;
    } else if (END.test(line)) {
      if (depth === 0) continue;
      depth--;
      dropping = false;
    } else if (depth === 0) continue;
    else if (!continued) dropping = UNUSED.test(line);

    if (reading && problem === undefined && !dropping) {
      chars += line.length + 2;
      if (chars > IMPORT_LIMITS.maxRecordChars) problem = `the vCard is longer than ${IMPORT_LIMITS.maxRecordChars} characters`;
      else if (lines.length >= IMPORT_LIMITS.maxCardLines) problem = `the vCard has more than ${IMPORT_LIMITS.maxCardLines} lines`;
      else lines.push(line);
    }
    if (problem !== undefined) lines = [];
    if (depth === 0) {
      // The line was the END of a top-level card.
      total++;
      complete++;
      if (reading) reading = onRecord(problem === undefined ? cardRecord(`${lines.join('\r\n')}\r\n`) : { reason: problem });
      lines = [];
    }
  }
  if (complete === 0) throw noVCard();
  if (depth > 0) {
    total++;
    if (reading) onRecord({ reason: 'the last vCard has no END:VCARD' });
  }
  return total;
};

/** The property's values; its text as written when the VALUE= type does not fit it (ical.js throws then). */
function values(p: ICAL.Property): unknown[] {
  try {
    return p.getValues();
  } catch {
    return p.jCal.slice(3);
  }
}

const first = (p: ICAL.Property | null | undefined): unknown => (p ? values(p)[0] : undefined);
const firstOf = (card: ICAL.Component, name: string): unknown => first(card.getFirstProperty(name));

function types(p: ICAL.Property): string[] {
  const raw = p.getParameter('type');
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return list.flatMap((t) => String(t).toLowerCase().split(','));
}

function str(v: unknown): string {
  if (Array.isArray(v)) return v.map(str).filter(Boolean).join(' ');
  return v === null || v === undefined ? '' : String(v).trim();
}

function parts(p: ICAL.Property | null, size: number): string[] {
  const v = first(p);
  const arr = Array.isArray(v) ? v.map(str) : typeof v === 'string' ? v.split(';') : [];
  return Array.from({ length: size }, (_, i) => arr[i] ?? '');
}

const pick = <T extends string>(ts: string[], map: Record<string, T>, fallback: T): T => {
  for (const t of ts) if (map[t]) return map[t];
  return fallback;
};

/** YYYY-MM-DD from vCard 3/4 date forms; year-less dates return undefined. */
export function normalizeBirthday(raw: string): string | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?$/.exec(raw.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/** The value as written (jCal keeps dates as text). */
function rawValue(p: ICAL.Property): string {
  return str(p.jCal[3]);
}

/**
 * A birthday as YYYY-MM-DD when `raw` (or the caller's reading of it) is a
 * real date; otherwise its text for the notes, so nothing is lost and the
 * contact still imports.
 */
export function birthdayOrNote(raw: string, alternative?: string): { birthday: string | null; note?: string } {
  const text = raw.trim();
  if (!text) return { birthday: null };
  for (const candidate of [normalizeBirthday(text), alternative]) {
    if (candidate && birthdaySchema.safeParse(candidate).success) return { birthday: candidate };
  }
  return { birthday: null, note: `Birthday: ${text}` };
}

/** Maps one vCard to contact input (validated later by the create schema). */
export function vcardToInput(card: ICAL.Component): Record<string, unknown> {
  const [family, given, additional] = parts(card.getFirstProperty('n'), 5);
  // ORG is "name;unit;..." in vCard 4 (an array here) but a plain string in
  // ical.js's vCard 3 reading, where a ';' may be part of the name.
  const orgValue = firstOf(card, 'org');
  const org = Array.isArray(orgValue) ? str(orgValue[0]) : str(orgValue);
  const fn = str(firstOf(card, 'fn'));
  let firstName = [given, additional].filter(Boolean).join(' ');
  const lastName = family ?? '';
  if (!firstName && !lastName && fn && fn !== org) firstName = fn;

  const notes: string[] = [];
  const note = str(firstOf(card, 'note'));
  if (note) notes.push(note);

  const bday = card.getFirstProperty('bday');
  // A year-less (--MM-DD) or impossible birthday has no place in the
  // contact's date, so it is kept in the notes rather than dropped.
  const { birthday, note: bdayNote } = bday ? birthdayOrNote(rawValue(bday)) : { birthday: null };
  if (bdayNote) notes.push(bdayNote);

  const favorite = card
    .getAllProperties('x-contactfolio-favorite')
    .some((p) => str(first(p)).toLowerCase() === 'true');

  return {
    firstName,
    lastName,
    company: org,
    jobTitle: str(firstOf(card, 'title')),
    emails: card.getAllProperties('email').map((p) => ({
      value: str(first(p)).replace(/^mailto:/i, ''),
      label: pick(types(p), { home: 'home', work: 'work' }, 'other'),
    })),
    phones: card.getAllProperties('tel').map((p) => ({
      value: str(first(p)).replace(/^tel:/i, ''),
      label: pick(types(p), { cell: 'mobile', mobile: 'mobile', iphone: 'mobile', home: 'home', work: 'work' }, 'other'),
    })),
    addresses: card.getAllProperties('adr').map((p) => {
      const [pobox, ext, street, city, region, postalCode, country] = parts(p, 7);
      return {
        street: [pobox, ext, street].filter(Boolean).join(', '),
        city,
        region,
        postalCode,
        country,
        label: pick(types(p), { home: 'home', work: 'work' }, 'other'),
      };
    }),
    birthday,
    notes: notes.join('\n'),
    tags: card.getAllProperties('categories').flatMap((p) => values(p).map(str)).filter(Boolean),
    favorite,
  };
}

const TEL_TYPE = { mobile: 'CELL', home: 'HOME', work: 'WORK', other: 'VOICE' } as const;

/** vCard 3.0: the version every contacts app imports. */
export function contactToVCard(c: Contact): string {
  const card = new ICAL.Component(['vcard', [], []]);
  card.addPropertyWithValue('version', '3.0');
  const display =
    [c.firstName, c.lastName].filter(Boolean).join(' ') || c.company || c.emails[0]?.value || c.phones[0]?.value || '';
  const n = new ICAL.Property('n');
  n.setValue([c.lastName ?? '', c.firstName ?? '', '', '', '']);
  card.addProperty(n);
  card.addPropertyWithValue('fn', display);
  if (c.company) {
    const org = new ICAL.Property('org');
    org.setValue([c.company]);
    card.addProperty(org);
  }
  if (c.jobTitle) card.addPropertyWithValue('title', c.jobTitle);
  for (const e of c.emails) {
    card.addPropertyWithValue('email', e.value).setParameter('type', ['INTERNET', e.label.toUpperCase()]);
  }
  for (const p of c.phones) card.addPropertyWithValue('tel', p.value).setParameter('type', TEL_TYPE[p.label]);
  for (const a of c.addresses) {
    const adr = new ICAL.Property('adr');
    adr.setValue(['', '', a.street ?? '', a.city ?? '', a.region ?? '', a.postalCode ?? '', a.country ?? '']);
    adr.setParameter('type', a.label.toUpperCase());
    card.addProperty(adr);
  }
  if (c.birthday) card.addPropertyWithValue('bday', c.birthday);
  if (c.notes) card.addPropertyWithValue('note', c.notes);
  if (c.tags.length) {
    const cat = new ICAL.Property('categories');
    cat.setValues(c.tags);
    card.addProperty(cat);
  }
  if (c.favorite) card.addPropertyWithValue('x-contactfolio-favorite', 'TRUE');
  card.addPropertyWithValue('uid', `urn:uuid:${c.id}`);
  return `${card.toString()}\r\n`;
}
