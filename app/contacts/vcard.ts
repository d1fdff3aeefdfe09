import ICAL from 'ical.js';
import { HttpProblem } from '../http/problem.ts';
import type { FormatParser, ParsedRecord } from './import.ts';
import { IMPORT_LIMITS } from './import.ts';
import { birthdayOrNote, MONTH_DAY } from './birthday.ts';
import type { Contact } from './schemas.ts';
import { isVCard21, vcard21To30 } from './vcard21.ts';
import { displayName } from './display-name.ts';
import { contactIdOfUid } from './uid.ts';
import { appleLabel, labelFrom, type LabelKind } from './labels.ts';

/*
 * vCard 3.0 / 4.0 <-> contact, with ical.js doing the format work (line
 * unfolding and folding, escaping, parameters, structured values). Import
 * output is unvalidated input for contactCreateSchema; it is mapped leniently
 * so Apple, Google and Outlook exports come through.
 */

type JCard = [string, unknown[], unknown[]];

const BEGIN = /^BEGIN:VCARD\s*$/i;
const QP_PROPERTY = /^[^:]*;ENCODING=QUOTED-PRINTABLE[;:]/i;
const END = /^END:VCARD\s*$/i;
// Binary properties we do not keep: an embedded photo must not count
// against the size of a card (or cost a parse).
const UNUSED = /^(?:[\w-]+\.)?(PHOTO|LOGO|SOUND|KEY|X-MS-CARDPICTURE)[;:]/i;

const noVCard = () => new HttpProblem('unparseable_import', 'The body contains no complete vCard (BEGIN:VCARD ... END:VCARD).');

/** Whether the text from `pos` holds no more property lines before the next card: only blank lines, then BEGIN:VCARD or the end. */
function endsCard(body: string, pos: number): boolean {
  for (let at = pos; at < body.length;) {
    let nl = body.indexOf('\n', at);
    if (nl < 0) nl = body.length;
    const next = body.slice(at, nl).trim();
    if (next) return BEGIN.test(next);
    at = nl + 1;
  }
  return true;
}

/** One card's lines to contact input, or why it cannot be one. */
function cardRecord(cardLines: string[], line: number, droppedEarly: string[]): ParsedRecord {
  const lines = isVCard21(cardLines) ? vcard21To30(cardLines) : cardLines;
  let parsed: unknown;
  try {
    parsed = ICAL.parse(`${lines.join('\r\n')}\r\n`);
  } catch (err) {
    return { line, reason: `the vCard could not be read (${err instanceof Error ? err.message : 'parse error'})` };
  }
  const list = (Array.isArray(parsed) && typeof parsed[0] === 'string' ? [parsed] : parsed) as JCard[];
  const jcard = list.find((j) => j[0] === 'vcard');
  if (!jcard) return { line, reason: 'the vCard could not be read' };
  try {
    const { input, dropped, uid } = vcardToInput(new ICAL.Component(jcard));
    // A vCard 2.1 AGENT's card, nested in this one, is a person we do not keep.
    const nested = Array.isArray(jcard[2]) && jcard[2].length > 0 ? ['AGENT (a nested card)'] : [];
    return { line, input, dropped: [...new Set([...droppedEarly, ...dropped, ...nested])], ...(uid ? { uid } : {}) };
  } catch (err) {
    // A safety net: vcardToInput reads values defensively, so this is not expected.
    return { line, reason: `the vCard could not be read (${err instanceof Error ? err.message : 'error'})` };
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
    throw new HttpProblem('unparseable_import', 'The body contains no vCard (BEGIN:VCARD).');
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
  let beginLine = 0;
  let droppedEarly = new Set<string>();
  /** The last property line's name at depth >= 1: a BEGIN:VCARD nests only after AGENT (vCard 2.1). */
  let lastProperty = '';
  /** The last line was a quoted-printable value ending in a soft line break. */
  let qpOpen = false;
  const startCard = () => {
    lines = [];
    chars = 0;
    problem = undefined;
    beginLine = count;
    droppedEarly = new Set();
    lastProperty = '';
  };
  // The record is made only while the parser is reading: later cards are only counted.
  const emit = async (record: () => ParsedRecord) => {
    total++;
    if (reading) reading = onRecord(record());
    lines = [];
    // A card can cost tens of ms (a 100,000-character CATEGORIES): a turn for others after each.
    await breathe();
  };
  for (let pos = 0; pos < body.length;) {
    let nl = body.indexOf('\n', pos);
    if (nl < 0) nl = body.length;
    const line = body.charCodeAt(nl - 1) === 13 ? body.slice(pos, nl - 1) : body.slice(pos, nl);
    pos = nl + 1;
    if ((++count & 127) === 0) await breathe();
    // A quoted-printable value's soft line break (a line ending in "=") goes on
    // in the next line whatever it says, even "END:VCARD".
    // Unless it is this card's last END: the next line starts another card or the file ends.
    const qpContinued: boolean = depth > 0 && qpOpen && !(depth === 1 && END.test(line) && endsCard(body, pos));
    qpOpen = depth > 0 && (qpContinued || QP_PROPERTY.test(line)) && line.endsWith('=');
    const continued = qpContinued || line.startsWith(' ') || line.startsWith('\t');
    if (continued) {
      // The previous line's value going on (folded, or after a soft break): never BEGIN or END.
      if (depth === 0) continue;
    } else if (BEGIN.test(line)) {
      if (depth > 0 && lastProperty !== 'AGENT') {
        // A card that never ended: say so, and read on from this one rather than
        // taking every later card as nested in it.
        const at = beginLine;
        await emit(() => ({ line: at, reason: 'the vCard has no END:VCARD before the next BEGIN:VCARD' }));
        depth = 0;
      }
      if (depth === 0) startCard();
      depth++;
      dropping = false;
      lastProperty = '';
      if (depth > IMPORT_LIMITS.maxNesting) problem ??= `vCards nested more than ${IMPORT_LIMITS.maxNesting} deep`;
    } else if (END.test(line)) {
      if (depth === 0) continue;
      depth--;
      dropping = false;
    } else if (depth === 0) continue;
    else {
      // vCard 2.1 base64 (a photo) may go on in unindented lines until a blank one:
      // still the dropped value while a line does not look like a property.
      if (dropping && line.trim() !== '' && !/^[\w.-]+[;:]/.test(line)) continue;
      const unused = UNUSED.exec(line);
      dropping = unused !== null;
      if (unused) droppedEarly.add(unused[1]!.toUpperCase());
      // vCard 2.1 allows blank lines between properties (AGENT:, a blank line, then the agent's card).
      if (line.trim() !== '') lastProperty = /^(?:[\w-]+\.)?([\w-]+)/.exec(line)?.[1]?.toUpperCase() ?? '';
    }

    if (reading && problem === undefined && !dropping) {
      chars += line.length + 2;
      if (chars > IMPORT_LIMITS.maxRecordChars) problem = `the vCard is longer than ${IMPORT_LIMITS.maxRecordChars} characters`;
      else if (lines.length >= IMPORT_LIMITS.maxCardLines) problem = `the vCard has more than ${IMPORT_LIMITS.maxCardLines} lines`;
      else lines.push(line);
    }
    if (problem !== undefined) lines = [];
    if (depth === 0) {
      // The line was the END of a top-level card.
      complete++;
      const [cardLines, at, early, why] = [lines, beginLine, [...droppedEarly], problem];
      await emit(() => (why === undefined ? cardRecord(cardLines, at, early) : { line: at, reason: why }));
    }
  }
  if (complete === 0) throw noVCard();
  const at = beginLine;
  if (depth > 0) await emit(() => ({ line: at, reason: 'the last vCard has no END:VCARD' }));
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

function types(p: ICAL.Property): string[] {
  const raw = p.getParameter('type');
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return list
    .flatMap((t) => String(t).split(','))
    .map((t) => t.trim())
    .filter(Boolean);
}

function str(v: unknown): string {
  if (Array.isArray(v)) return v.map(str).filter(Boolean).join(' ');
  return v === null || v === undefined ? '' : String(v).trim();
}

/**
 * The components of a structured value (N, ADR). A component with several
 * values (RFC 6350: "Philip,Paul" middle names, street lines) is joined with
 * `joiner`.
 */
function parts(p: ICAL.Property | undefined, size: number, joiner = ' '): string[] {
  const v = first(p);
  const arr = Array.isArray(v)
    ? v.map((c) => (Array.isArray(c) ? c.map(str).filter(Boolean).join(joiner) : str(c)))
    : typeof v === 'string'
      ? v.split(';')
      : [];
  return Array.from({ length: size }, (_, i) => arr[i] ?? '');
}

/** A TEL value as a person writes it: RFC 3966's "tel:+1-604-555-0140;ext=27" is "+1-604-555-0140 ext 27". */
function telValue(v: string): string {
  return v.replace(/^tel:/i, '').replace(/;ext=/i, ' ext ');
}

/** The value as written (jCal keeps dates as text). */
function rawValue(p: ICAL.Property): string {
  return str(p.jCal[3]);
}

// Properties read into the contact, or that say nothing a person wrote
// (versions, ids, timestamps, display hints); anything else with a value is
// reported as dropped.
const READ = new Set([
  'version',
  'n',
  'fn',
  'nickname',
  'org',
  'title',
  'email',
  'tel',
  'adr',
  'url',
  'related',
  'x-abrelatednames',
  'bday',
  'note',
  'categories',
  'x-contactfolio-favorite',
  'x-ablabel',
  'uid',
  'prodid',
  'rev',
  'kind',
  'x-abshowas',
  'x-abuid',
  'x-ablabel',
  'label',
  'sort-string',
  'x-ms-ol-default-postal-address',
  'x-ms-ol-design',
  'source',
  'name',
  'class',
  'mailer',
  'x-abadr',
  'x-ms-ol-design',
  'x-android-custom',
  'x-ms-tel',
  'x-ms-manager',
  'x-ms-assistant',
  'x-ms-spouse',
]);

// Android's ContactsContract.CommonDataKinds.Relation TYPE_* numbers (0 is custom: the label is data3).
const ANDROID_RELATION: Record<string, string> = {
  '1': 'assistant',
  '2': 'brother',
  '3': 'child',
  '4': 'partner',
  '5': 'father',
  '6': 'friend',
  '7': 'manager',
  '8': 'mother',
  '9': 'parent',
  '10': 'partner',
  '11': 'referredby',
  '12': 'relative',
  '13': 'sister',
  '14': 'spouse',
};

/**
 * Android's own vCard property (AOSP VCardBuilder): a mimetype, then the row's
 * data1..data15. Nicknames and relations are kept; other kinds are reported.
 */
function androidCustom(raw: string): {
  nickname?: string;
  related?: { value: string; words: string[]; custom?: string };
  dropped?: string;
} {
  // Its columns are separated by ';', escaped as "\;" inside a column (ical.js keeps an X- value as written).
  const values = raw.split(/(?<!\\);/).map((v) => v.replace(/\\([;,\\])/g, '$1'));
  const [mimetype = '', data1 = '', data2 = '', data3 = ''] = values;
  const kind = mimetype.replace(/^vnd\.android\.cursor\.item\//, '');
  if (kind === 'nickname' && data1) return { nickname: data1 };
  if (kind === 'relation' && data1) {
    return data2 === '0'
      ? { related: { value: data1, words: [], custom: data3 } }
      : { related: { value: data1, words: [ANDROID_RELATION[data2] ?? ''] } };
  }
  return values.some((v, i) => i > 0 && v) ? { dropped: `X-ANDROID-CUSTOM:${mimetype}` } : {};
}

/** The value of Apple's `itemN.X-ABLabel` for each group (its custom and built-in labels). */
function groupLabels(card: ICAL.Component): Map<string, string> {
  const labels = new Map<string, string>();
  for (const p of card.getAllProperties('x-ablabel')) {
    const group = groupOf(p);
    if (group) labels.set(group, str(first(p)));
  }
  return labels;
}

// ical.js reads "item1.TEL" as TEL with a `group` parameter (RFC 7095 3.3.1.2).
function groupOf(p: ICAL.Property): string {
  const g = p.getParameter('group');
  return typeof g === 'string' ? g.toLowerCase() : '';
}

export interface MappedCard {
  input: Record<string, unknown>;
  /** The contact id in UID:urn:uuid:..., which our own exports write. */
  uid?: string;
  /** Properties with content that the contact cannot hold. */
  dropped: string[];
}

/** Maps one vCard to contact input (validated later by the create schema). */
export function vcardToInput(card: ICAL.Component): MappedCard {
  const labels = groupLabels(card);
  const byName = new Map<string, ICAL.Property[]>();
  const dropped = new Set<string>();
  for (const p of card.getAllProperties()) {
    const name = p.name;
    if (!READ.has(name)) {
      if (str(values(p))) dropped.add(name.toUpperCase());
      continue;
    }
    // Appended in place: copying the list per property was quadratic (15,000 item groups took seconds).
    const list = byName.get(name);
    if (list) list.push(p);
    else byName.set(name, [p]);
  }
  const all = (name: string) => byName.get(name) ?? [];
  const one = (name: string) => all(name)[0];
  // A contact has one of these: a second one with a value is reported, not silently lost.
  for (const name of ['n', 'org', 'title', 'bday']) {
    if (
      all(name)
        .slice(1)
        .some((p) => str(values(p)))
    )
      dropped.add(`${name.toUpperCase()} (a second one)`);
  }
  const labelOf = (kind: LabelKind, p: ICAL.Property) => labelFrom(kind, types(p), labels.get(groupOf(p)));

  const [family, given, additional, prefix, suffix] = parts(one('n'), 5);
  // ORG is "name;unit;..." in vCard 4 (an array here) but a plain string in
  // ical.js's vCard 3 reading, where a ';' may be part of the name.
  const orgValue = first(one('org'));
  const org = Array.isArray(orgValue) ? str(orgValue[0]) : str(orgValue);
  if (Array.isArray(orgValue) && orgValue.slice(1).some((u) => str(u))) dropped.add('ORG (department)');
  const fn = str(first(one('fn')));
  const nicknames = all('nickname')
    .flatMap((p) => values(p).map(str))
    .filter(Boolean);
  let firstName = given ?? '';
  // A card without N: its FN is the name, unless FN only repeats what the
  // card says elsewhere (exporters fall back to the company, nickname, email or phone).
  const fallbacks = [
    org,
    nicknames.join(', '),
    ...[...all('email'), ...all('tel')].map((p) => str(first(p)).replace(/^(?:mailto|tel):/i, '')),
  ];
  if (!firstName && !family && !additional && !prefix && !suffix && fn && !fallbacks.includes(fn)) firstName = fn;

  const notes: string[] = [];
  const note = all('note')
    .map((p) => str(first(p)))
    .filter(Boolean)
    .join('\n');
  if (note) notes.push(note);

  const bday = one('bday');
  // An impossible birthday has no place in the contact's date, so it is kept in the notes rather than dropped.
  const omitYear = bday?.getParameter('x-apple-omit-year');
  const { birthday, note: bdayNote } = bday
    ? birthdayOrNote(rawValue(bday), undefined, typeof omitYear === 'string' ? omitYear : undefined)
    : { birthday: null };
  if (bdayNote) notes.push(bdayNote);

  const android = all('x-android-custom').map((p) => androidCustom(str(p.jCal[3])));
  for (const a of android) if (a.dropped) dropped.add(a.dropped);
  nicknames.push(...android.flatMap((a) => (a.nickname && !nicknames.includes(a.nickname) ? [a.nickname] : [])));
  // Outlook's vCard 2.1 names the manager, assistant and spouse in properties of its own.
  const outlookRelated = (['manager', 'assistant', 'spouse'] as const).flatMap((label) =>
    all(`x-ms-${label}`).map((p) => ({ value: str(first(p)), label, customLabel: null })),
  );

  const categories = all('categories')
    .flatMap((p) => values(p).map(str))
    .filter(Boolean);
  // Google's vCards carry its system groups as categories: "starred" is a favorite, "myContacts" says nothing.
  const favorite =
    all('x-contactfolio-favorite').some((p) => str(first(p)).toLowerCase() === 'true') ||
    categories.some((c) => c.toLowerCase() === 'starred');
  const tags = categories.filter((c) => !['starred', 'mycontacts'].includes(c.toLowerCase()));

  const uid = contactIdOfUid(str(first(one('uid'))));
  return {
    dropped: [...dropped],
    ...(uid ? { uid } : {}),
    input: {
      prefix,
      firstName,
      middleName: additional,
      lastName: family ?? '',
      suffix,
      nickname: nicknames.join(', '),
      company: org,
      jobTitle: str(first(one('title'))),
      emails: all('email').map((p) => ({ value: str(first(p)).replace(/^mailto:/i, ''), ...labelOf('email', p) })),
      phones: [...all('tel'), ...all('x-ms-tel')].map((p) => ({ value: telValue(str(first(p))), ...labelOf('phone', p) })),
      addresses: all('adr').map((p) => {
        const [pobox, ext, street, city, region, postalCode, country] = parts(p, 7, ', ');
        return { street: [pobox, ext, street].filter(Boolean).join(', '), city, region, postalCode, country, ...labelOf('address', p) };
      }),
      // Apple escapes the colon of a URL ("https\://"), which a uri value does not unescape.
      urls: all('url').map((p) => ({ value: str(first(p)).replace(/\\([:,;\\])/g, '$1'), ...labelOf('url', p) })),
      related: [
        ...[...all('related'), ...all('x-abrelatednames')].map((p) => ({
          // A URI (RELATED's default value type) names the person by address; text is kept as written.
          value: p.name === 'related' && p.type !== 'text' ? str(first(p)).replace(/^(?:mailto|tel):/i, '') : str(first(p)),
          ...labelOf('related', p),
        })),
        ...android.flatMap((a) =>
          a.related ? [{ value: a.related.value, ...labelFrom('related', a.related.words, a.related.custom) }] : [],
        ),
        ...outlookRelated,
      ],
      birthday,
      notes: notes.join('\n'),
      tags,
      favorite,
    },
  };
}

const TEL_TYPE = { mobile: 'CELL', home: 'HOME', work: 'WORK', other: 'VOICE' } as const;

/**
 * A contact as vCard 3.0 (what every contacts app imports) or 4.0 (RFC
 * 6350). Custom labels, and related people in 3.0, use Apple's item groups
 * (`item1.TEL` + `item1.X-ABLabel`), which Apple, Google and DAVx5 read.
 */
export function contactToVCard(contact: Contact, version: '3.0' | '4.0' = '3.0', kept?: KeptProperties): string {
  const c = withLineBreaksAsLf(contact);
  const v4 = version === '4.0';
  const card = new ICAL.Component(['vcard', [], []]);
  card.addPropertyWithValue('version', version);
  // Our item groups are numbered after the kept properties' own (item3.X-SOCIALPROFILE).
  let item = Math.max(0, ...(kept?.properties ?? []).map((p) => Number(/^item(\d+)$/i.exec(groupName(p))?.[1] ?? 0)));
  const add = (name: string, value: unknown, type?: string | string[], label?: string | null) => {
    const p = new ICAL.Property(name);
    if (Array.isArray(value)) p.setValue(value as string[]);
    else p.setValue(value as string);
    if (type !== undefined && type.length) p.setParameter('type', type);
    card.addProperty(p);
    if (label) {
      const group = `item${++item}`;
      p.setParameter('group', group);
      card.addPropertyWithValue('x-ablabel', oneLineText(label)).setParameter('group', group);
    }
    return p;
  };
  const n = new ICAL.Property('n');
  n.setValue([c.lastName ?? '', c.firstName ?? '', c.middleName ?? '', c.prefix ?? '', c.suffix ?? '']);
  card.addProperty(n);
  card.addPropertyWithValue('fn', displayName(c));
  if (c.nickname) card.addPropertyWithValue('nickname', c.nickname);
  if (c.company) {
    const org = new ICAL.Property('org');
    org.setValue([c.company]);
    card.addProperty(org);
  }
  if (c.jobTitle) card.addPropertyWithValue('title', c.jobTitle);
  const type = (label: string) => (v4 ? label : label.toUpperCase());
  for (const e of c.emails) add('email', e.value, v4 ? [type(e.label)] : ['INTERNET', type(e.label)], e.customLabel);
  for (const p of c.phones)
    add('tel', p.value, v4 ? (p.label === 'mobile' ? 'cell' : p.label === 'other' ? 'voice' : p.label) : TEL_TYPE[p.label], p.customLabel);
  for (const a of c.addresses) {
    add('adr', ['', '', a.street ?? '', a.city ?? '', a.region ?? '', a.postalCode ?? '', a.country ?? ''], type(a.label), a.customLabel);
  }
  for (const u of c.urls) add('url', u.value, type(u.label), u.customLabel);
  for (const r of c.related) {
    // Our word first, then RFC 6350's nearest type when it differs
    // ("mother,parent"): readers take the first type they know.
    const rfc = RFC6350_RELATED[r.label];
    const words = r.label === 'other' ? [] : [r.label, ...(rfc && rfc !== r.label ? [rfc] : [])];
    if (v4) {
      // Text, not RELATED's default URI (a name, not an address): the type written as VALUE=text and the value escaped as text.
      const p = add('related', r.value, words, r.customLabel);
      p.resetType('text');
      p.setValue(r.value);
    } else add('x-abrelatednames', oneLineText(r.value), words.slice(0, 1), appleLabel('related', r.label, r.customLabel));
  }
  if (c.birthday) {
    const md = MONTH_DAY.exec(c.birthday);
    if (md && v4) card.addProperty(new ICAL.Property(['bday', {}, 'date-and-or-time', `--${md[1]}${md[2]}`]));
    else if (md) card.addPropertyWithValue('bday', `1604-${md[1]}-${md[2]}`).setParameter('x-apple-omit-year', '1604');
    else card.addPropertyWithValue('bday', c.birthday);
  }
  if (c.notes) card.addPropertyWithValue('note', c.notes);
  if (c.tags.length) {
    const cat = new ICAL.Property('categories');
    cat.setValues(c.tags);
    card.addProperty(cat);
  }
  if (c.favorite) card.addPropertyWithValue('x-contactfolio-favorite', 'TRUE');
  for (const p of kept?.properties ?? []) {
    // Cards stored before writesAsOneLine was checked on PUT may hold one that is not.
    const written = inVersion(p, v4);
    if (oneLine(written, v4)) card.addProperty(new ICAL.Property(written as unknown as unknown[]));
  }
  card.addPropertyWithValue('uid', kept?.uid ?? `urn:uuid:${c.id}`);
  return `${v4 ? ICAL.stringify.component(card.jCal, VCARD4_OUT) : card.toString()}\r\n`;
}

// ical.js escapes "\n" in text as "\\n" but writes "\r" as it is: a CR in a
// note (old Mac text, or sent to the JSON API) would end the line for readers
// that end lines at CR, and for every XML reader (XML reads a CR as "\n"),
// so "END:VCARD" after it would start a card of the sender's. Written as the
// line break it stands for; other control characters as spaces.
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const STRAY_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/g;
// Apple's X- properties have no value type ical.js knows, so it writes them
// unescaped: a line break in a label or a related name would end the line.
const oneLineText = (s: string) => s.replace(/\s*\n\s*/g, ' ');
function withLineBreaksAsLf<T>(v: T): T {
  if (typeof v === 'string') return v.replace(/\r\n?/g, '\n').replace(STRAY_CONTROL, ' ') as T;
  if (Array.isArray(v)) return v.map(withLineBreaksAsLf) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withLineBreaksAsLf(x)])) as T;
  return v;
}

// RFC 6350 3.4: only text-like values are backslash-escaped; ical.js writes a
// 4.0 URI as text, so a data: URI's comma came out as "\,", which no reader
// takes for a URI. (3.0's URI type is written as it is.)
const VCARD4_OUT = { ...ICAL.design.vcard, value: { ...ICAL.design.vcard.value, uri: {} } } as typeof ICAL.design.vcard;

// The binary properties, in 3.0 inline with ENCODING=b and a TYPE (RFC 2426
// 3.1.4, 3.5.3, 3.6.6, 3.7.2), in 4.0 as data: URIs (RFC 6350 6.2.4, 6.6.3, 6.8.1).
const BINARY = new Set(['photo', 'logo', 'sound', 'key']);
const MEDIA_TOP: Record<string, string> = { photo: 'image', logo: 'image', sound: 'audio', key: 'application' };
const KEY_TYPES: Record<string, string> = { pgp: 'application/pgp-keys', x509: 'application/pkix-cert' };
const KEY_TYPE_OF: Record<string, string> = { 'application/pgp-keys': 'PGP', 'application/pkix-cert': 'X509' };
// RFC 6838 4.2's restricted-name: what a TYPE may put into a data: URI. A
// TYPE is text to ical.js (RFC 6868's ^n is a line break), and anything else
// in it would be written raw into the URI.
const SUBTYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// One line, no "s" flag: a text value that merely starts like a data: URI
// must not carry its line breaks into a 3.0 binary value.
const DATA_URI = /^data:([a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*)?(?:;[^,;\r\n]*)*?;base64,([A-Za-z0-9+/]*={0,2})$/i;

/** The media type a 3.0 TYPE stands for: "JPEG" of a PHOTO is image/jpeg, "PGP" of a KEY application/pgp-keys. */
function mediaTypeOf(name: string, type: unknown): string {
  const word = typeof type === 'string' ? type.toLowerCase() : '';
  if (name === 'key' && KEY_TYPES[word]) return KEY_TYPES[word];
  // Some writers put a 4.0 media type in a 3.0 TYPE ("TYPE=image/png").
  if (MEDIA_TYPE.test(word)) return word;
  if (SUBTYPE.test(word) && name !== 'key') return `${MEDIA_TOP[name]}/${word}`;
  // No TYPE: a phone's photo is a JPEG; of anything else we cannot tell.
  return name === 'photo' || name === 'logo' ? 'image/jpeg' : 'application/octet-stream';
}

/**
 * A kept property as the version being written says it: a phone's 3.0
 * PHOTO;ENCODING=b;TYPE=JPEG served in 4.0 is a data: URI, and the other
 * way round; anything else as it came.
 */
function inVersion(p: JCalProperty, v4: boolean): JCalProperty {
  const [name, params, , value] = p;
  if (!BINARY.has(name) || typeof value !== 'string') return p;
  const { encoding, type, mediatype, ...rest } = params;
  if (v4 && typeof encoding === 'string' && /^(b|base64)$/i.test(encoding)) {
    const base64 = value.replace(/\s/g, '');
    if (!BASE64.test(base64)) return p;
    return [name, rest, 'uri', `data:${mediaTypeOf(name, Array.isArray(type) ? type[0] : type)};base64,${base64}`];
  }
  const data = DATA_URI.exec(value);
  if (!v4 && data) {
    const media = (data[1] ?? (typeof mediatype === 'string' ? mediatype : '')).toLowerCase();
    const word = name === 'key' ? KEY_TYPE_OF[media] : MEDIA_TYPE.test(media) ? media.split('/')[1]!.toUpperCase() : undefined;
    return [name, { ...rest, encoding: 'b', ...(word ? { type: word } : {}) }, 'binary', data[2]!];
  }
  return p;
}

/**
 * Whether a kept property is written as one content line in that version.
 * Text values are escaped, but ical.js writes URI, binary and VALUE= types
 * as they are: a line break in one (an escaped "\n" read back as a break)
 * would start a line of the client's choosing, "END:VCARD" included.
 */
export const writesAsOneLine = (p: JCalProperty, version: '3.0' | '4.0'): boolean =>
  oneLine(inVersion(p, version === '4.0'), version === '4.0');
// eslint-disable-next-line no-control-regex -- a control character is what this finds
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/;
const oneLine = (p: JCalProperty, v4: boolean) => !CONTROL.test(ICAL.stringify.property(p, v4 ? VCARD4_OUT : ICAL.design.vcard3, true));

/** A property as jCal (RFC 7095 3.3): [name, params, type, ...values]. */
export type JCalProperty = [string, Record<string, unknown>, string, ...unknown[]];

/** What a CardDAV client's card had beyond the contact: its UID and the properties we do not model. */
export interface KeptProperties {
  uid?: string | null;
  properties?: JCalProperty[];
}

const groupName = (p: JCalProperty) => (typeof p[1]?.group === 'string' ? p[1].group : '');

// What contactToVCard writes from the contact, or reads into it: a client's
// copy of one of these is replaced by ours, never kept beside it.
const WRITTEN_OR_MAPPED = new Set([
  ...['version', 'n', 'fn', 'nickname', 'org', 'title', 'email', 'tel', 'adr', 'url', 'related', 'x-abrelatednames', 'bday', 'note'],
  ...['categories', 'x-contactfolio-favorite', 'uid', 'prodid', 'rev', 'x-android-custom', 'x-ms-tel'],
  ...['x-ms-manager', 'x-ms-assistant', 'x-ms-spouse'],
]);

/**
 * The properties of a client's card that the contact does not hold (PHOTO,
 * IMPP, X-SOCIALPROFILE, KIND, X-ABShowAs, ...), as jCal, with the
 * X-ABLabel of their item groups: written back by contactToVCard, so a
 * phone's card survives a round trip through the server.
 */
export function propertiesNotModelled(card: ICAL.Component): JCalProperty[] {
  const all = card.getAllProperties();
  // A group holding a modelled property (item2.ADR) is ours to write, with
  // whatever annotates it there (item2.X-ABADR, item2.X-ABLabel).
  const modelledGroups = new Set(
    all
      .filter((p) => WRITTEN_OR_MAPPED.has(p.name))
      .map(groupOf)
      .filter(Boolean),
  );
  const kept = all.filter((p) => !WRITTEN_OR_MAPPED.has(p.name) && !modelledGroups.has(groupOf(p)));
  // A label alone in its group labels nothing.
  const labelled = new Set(kept.filter((p) => p.name !== 'x-ablabel').map(groupOf));
  return kept.filter((p) => p.name !== 'x-ablabel' || labelled.has(groupOf(p))).map((p) => p.toJSON() as JCalProperty);
}

// RFC 6350 6.6.6 has no mother/father/brother/sister/manager/assistant:
// the nearest type, with Apple's label for the exact word.
const RFC6350_RELATED: Record<Contact['related'][number]['label'], string | undefined> = {
  spouse: 'spouse',
  partner: 'sweetheart',
  child: 'child',
  mother: 'parent',
  father: 'parent',
  parent: 'parent',
  brother: 'sibling',
  sister: 'sibling',
  sibling: 'sibling',
  friend: 'friend',
  relative: 'kin',
  manager: 'co-worker',
  assistant: 'agent',
  other: undefined,
};
