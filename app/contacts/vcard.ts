import ICAL from 'ical.js';
import { HttpProblem } from '../http/problem.ts';
import type { Contact } from './schemas.ts';

/*
 * vCard 3.0 / 4.0 <-> contact, with ical.js doing the format work (line
 * unfolding and folding, escaping, parameters, structured values). Import
 * output is unvalidated input for contactCreateSchema; it is mapped leniently
 * so Apple, Google and Outlook exports come through.
 */

type JCard = [string, unknown[], unknown[]];

/** Splits a body into vCards; an unparseable body is a 400. */
export function parseVCards(body: string): ICAL.Component[] {
  if (!/BEGIN:VCARD/i.test(body)) {
    throw new HttpProblem(400, 'unparseable_import', 'The body contains no vCard (BEGIN:VCARD).');
  }
  let parsed: unknown;
  try {
    parsed = ICAL.parse(body);
  } catch (err) {
    const why = err instanceof Error ? err.message : 'parse error';
    throw new HttpProblem(400, 'unparseable_import', `The vCard data could not be parsed: ${why}`);
  }
  const list = (Array.isArray(parsed) && typeof parsed[0] === 'string' ? [parsed] : parsed) as JCard[];
  return list.filter((j) => j[0] === 'vcard').map((j) => new ICAL.Component(j));
}

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
  const v = p?.getFirstValue();
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

function rawValue(p: ICAL.Property): string {
  const json = p.toJSON() as unknown[];
  return str(json[3]);
}

/** Maps one vCard to contact input (validated later by the create schema). */
export function vcardToInput(card: ICAL.Component): Record<string, unknown> {
  const [family, given, additional] = parts(card.getFirstProperty('n'), 5);
  // ORG is "name;unit;..." in vCard 4 (an array here) but a plain string in
  // ical.js's vCard 3 reading, where a ';' may be part of the name.
  const orgValue = card.getFirstPropertyValue('org');
  const org = Array.isArray(orgValue) ? str(orgValue[0]) : str(orgValue);
  const fn = str(card.getFirstPropertyValue('fn'));
  let firstName = [given, additional].filter(Boolean).join(' ');
  const lastName = family ?? '';
  if (!firstName && !lastName && fn && fn !== org) firstName = fn;

  const notes: string[] = [];
  const note = str(card.getFirstPropertyValue('note'));
  if (note) notes.push(note);

  let birthday: string | undefined;
  const bday = card.getFirstProperty('bday');
  if (bday) {
    const raw = rawValue(bday);
    birthday = normalizeBirthday(raw);
    // A year-less birthday (--MM-DD) has no place in the contact's date, so
    // keep it in the notes rather than drop it.
    if (!birthday && raw) notes.push(`Birthday: ${raw}`);
  }

  const favorite = card
    .getAllProperties('x-contactfolio-favorite')
    .some((p) => str(p.getFirstValue()).toLowerCase() === 'true');

  return {
    firstName,
    lastName,
    company: org,
    jobTitle: str(card.getFirstPropertyValue('title')),
    emails: card.getAllProperties('email').map((p) => ({
      value: str(p.getFirstValue()).replace(/^mailto:/i, ''),
      label: pick(types(p), { home: 'home', work: 'work' }, 'other'),
    })),
    phones: card.getAllProperties('tel').map((p) => ({
      value: str(p.getFirstValue()).replace(/^tel:/i, ''),
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
    birthday: birthday ?? null,
    notes: notes.join('\n'),
    tags: card.getAllProperties('categories').flatMap((p) => p.getValues().map(str)).filter(Boolean),
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
