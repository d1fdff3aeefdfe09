import type { Contact, ContactDraft } from './schemas.ts';
import { digits, fold, tagKey } from './search-keys.ts';

/*
 * When two contacts are the same person, and what one contact looks like
 * after another is merged into it. Used by imports (a record that matches a
 * contact already there), GET /v1/contacts/duplicates and POST /merge.
 *
 * Same person: a shared email (case-insensitive), a shared phone number
 * (digits, leading zeros dropped, one the other's tail when both have 8 or
 * more: "+34 612 345 678" is "612345678"), or the same folded name when
 * neither has an email or phone the other lacks entirely.
 */

export type MatchReason = 'email' | 'phone' | 'name';

/** The strongest reason first. */
const RANK: Record<MatchReason, number> = { email: 0, phone: 1, name: 2 };

/** Contacts compared per key of a lookup (the first ones indexed under it). */
const CANDIDATES_PER_KEY = 64;
/** Contacts in one duplicates group: the rest of a bigger one shows after it is merged (a merge takes 21 at most anyway). */
const MAX_GROUP = 50;

type Keyed = Pick<ContactDraft, 'firstName' | 'middleName' | 'lastName' | 'company' | 'emails' | 'phones'>;

const emailKey = (e: string) => e.trim().toLowerCase();
const phoneKey = (p: string) => digits(p).replace(/^0+/, '');
// Shorter numbers (extensions, short codes) match only whole.
const PHONE_TAIL = 8;
const tailOf = (k: string) => (k.length >= PHONE_TAIL ? k.slice(-PHONE_TAIL) : `=${k}`);

export function nameKey(d: Keyed): string | null {
  const name = fold([d.firstName, d.middleName, d.lastName].filter(Boolean).join(' ') || d.company || '')
    .replace(/\s+/g, ' ')
    .trim();
  return name || null;
}

function samePhone(a: string, b: string): boolean {
  if (a === b) return a.length > 0;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.length >= PHONE_TAIL && long.endsWith(short);
}

/**
 * A contact's content as one string, keys sorted at every level (a stored
 * contact's JSON comes back from PostgreSQL in jsonb's key order): indexed
 * too, so an exact copy finds its contact however many share its name.
 */
function content(d: object): string {
  const { id: _id, createdAt: _c, updatedAt: _u, ...rest } = d as Record<string, unknown>;
  return JSON.stringify(rest, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : value,
  );
}

/** How many emails and phone numbers a and b share. */
function shared(a: Keyed, b: Keyed): number {
  const ea = new Set(a.emails.map((e) => emailKey(e.value)));
  const pa = a.phones.map((p) => phoneKey(p.value));
  return (
    b.emails.filter((e) => ea.has(emailKey(e.value))).length +
    b.phones.filter((p) => pa.some((k) => samePhone(k, phoneKey(p.value)))).length
  );
}

/** Both have emails and share none, or phones and share none: two people with one name. */
export function conflicts(a: Keyed, b: Keyed): boolean {
  const ea = new Set(a.emails.map((e) => emailKey(e.value)));
  if (ea.size && b.emails.length && !b.emails.some((e) => ea.has(emailKey(e.value)))) return true;
  const pa = a.phones.map((p) => phoneKey(p.value));
  return pa.length > 0 && b.phones.length > 0 && !b.phones.some((p) => pa.some((k) => samePhone(k, phoneKey(p.value))));
}

/** Why a and b are the same person, or null. */
export function matchReason(a: Keyed, b: Keyed): MatchReason | null {
  const ea = new Set(a.emails.map((e) => emailKey(e.value)));
  if (b.emails.some((e) => ea.has(emailKey(e.value)))) return 'email';
  const pa = a.phones.map((p) => phoneKey(p.value)).filter(Boolean);
  if (b.phones.some((p) => pa.some((k) => samePhone(k, phoneKey(p.value))))) return 'phone';
  const na = nameKey(a);
  if (na && na === nameKey(b) && !conflicts(a, b)) return 'name';
  return null;
}

/**
 * Contacts by their keys, so finding a match is a few map lookups, not a
 * scan (an import of 5,000 rows against 10,000 contacts).
 */
export class DuplicateIndex<T extends Keyed> {
  private readonly byKey = new Map<string, Set<string>>();
  private readonly entries = new Map<string, T>();

  private keys(d: T): string[] {
    const name = nameKey(d);
    return [
      ...d.emails.map((e) => `e:${emailKey(e.value)}`),
      ...d.phones
        .map((p) => phoneKey(p.value))
        .filter(Boolean)
        .map((k) => `p:${tailOf(k)}`),
      ...(name ? [`n:${name}`] : []),
    ];
  }

  set(id: string, d: T): void {
    this.delete(id);
    this.entries.set(id, d);
    for (const k of [...this.keys(d), `c:${content(d)}`]) {
      let ids = this.byKey.get(k);
      if (!ids) this.byKey.set(k, (ids = new Set()));
      ids.add(id);
    }
  }

  delete(id: string): void {
    const old = this.entries.get(id);
    if (!old) return;
    for (const k of [...this.keys(old), `c:${content(old)}`]) this.byKey.get(k)?.delete(id);
    this.entries.delete(id);
  }

  get(id: string): T | undefined {
    return this.entries.get(id);
  }

  /**
   * The entry that is the same person as d: one with exactly d's content
   * first (our own export coming back must land on the same contacts), then
   * the strongest reason, then the entry that shares the most with d.
   */
  find(d: Keyed): { id: string; reason: MatchReason } | null {
    for (const id of this.byKey.get(`c:${content(d)}`) ?? []) {
      const reason = matchReason(this.entries.get(id)!, d);
      if (reason) return { id, reason };
    }
    const candidates = new Set<string>();
    for (const k of this.keys(d as T)) {
      // At most CANDIDATES_PER_KEY from one key: 2,000 contacts all named "John Smith"
      // made each lookup compare 2,000, and an import of them hold the event loop for 10 s.
      let taken = 0;
      for (const id of this.byKey.get(k) ?? []) {
        if (taken++ >= CANDIDATES_PER_KEY) break;
        candidates.add(id);
      }
    }
    // (An exact copy was found above, by its content.)
    let best: { id: string; reason: MatchReason; score: number } | null = null;
    for (const id of candidates) {
      const entry = this.entries.get(id)!;
      const reason = matchReason(entry, d);
      if (!reason) continue;
      const score = shared(entry, d);
      if (!best || RANK[reason] < RANK[best.reason] || (reason === best.reason && score > best.score)) best = { id, reason, score };
    }
    return best && { id: best.id, reason: best.reason };
  }
}

export interface DuplicateGroup {
  reason: MatchReason;
  contacts: Contact[];
}

/** Groups of contacts that are likely one person (each contact in one group at most), in the order given. */
export function duplicateGroups(contacts: Contact[]): DuplicateGroup[] {
  const index = new DuplicateIndex<Contact>();
  const parent = new Map<string, string>();
  const reasonOf = new Map<string, MatchReason>();
  const root = (id: string): string => {
    let r = id;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(id, r);
    return r;
  };
  const members = new Map<string, Contact[]>();
  for (const c of contacts) {
    parent.set(c.id, c.id);
    const match = index.find(c);
    // A group is one person: c joins only if it matches or at least does not
    // contradict every member (John at acme and John at othercorp are two
    // people, even when a John without an email is like both).
    const r = match ? root(match.id) : undefined;
    const group = r ? (members.get(r) ?? []) : [];
    if (match && r && group.length < MAX_GROUP && group.every((m) => matchReason(m, c) !== null || !conflicts(m, c))) {
      parent.set(c.id, r);
      members.get(r)!.push(c);
      const was = reasonOf.get(r);
      if (!was || RANK[match.reason] < RANK[was]) reasonOf.set(r, match.reason);
    } else members.set(c.id, [c]);
    index.set(c.id, c);
  }
  const groups = new Map<string, Contact[]>();
  for (const c of contacts) {
    const r = root(c.id);
    groups.set(r, [...(groups.get(r) ?? []), c]);
  }
  return [...groups.entries()].filter(([, cs]) => cs.length > 1).map(([r, cs]) => ({ reason: reasonOf.get(r)!, contacts: cs }));
}

const SCALARS = ['prefix', 'firstName', 'middleName', 'lastName', 'suffix', 'nickname', 'company', 'jobTitle'] as const;
const SCALAR_NAMES: Record<(typeof SCALARS)[number], string> = {
  prefix: 'Prefix',
  firstName: 'First name',
  middleName: 'Middle name',
  lastName: 'Last name',
  suffix: 'Suffix',
  nickname: 'Nickname',
  company: 'Company',
  jobTitle: 'Job title',
};

function union<T>(a: T[], b: T[], key: (t: T) => string): T[] {
  const seen = new Set(a.map(key));
  const out = [...a];
  for (const t of b) {
    const k = key(t);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(t);
    }
  }
  return out;
}

const folded = (...parts: (string | null)[]) =>
  parts
    .map((p) =>
      fold(p ?? '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .join('|');

/**
 * `target` with what `other` adds: lists united (emails by address, phones
 * by number, addresses, web addresses and related people by their folded
 * text), tags united, favorite if either is; target's names and titles
 * kept, another value of other's written into the notes so nothing is lost;
 * notes kept when one holds the other, else joined. Merging the same thing
 * twice changes nothing.
 */
export function mergeDrafts(target: ContactDraft, other: ContactDraft): ContactDraft {
  const merged: ContactDraft = { ...target };
  const notes: string[] = [];
  for (const k of SCALARS) {
    const mine = target[k];
    const theirs = other[k];
    if (!mine) merged[k] = theirs;
    else if (theirs && folded(mine) !== folded(theirs)) notes.push(`${SCALAR_NAMES[k]} (merged): ${theirs}`);
  }
  merged.emails = union(target.emails, other.emails, (e) => emailKey(e.value));
  // A number already there under another form ("+34 612..." and "612...") is the same number.
  merged.phones = [...target.phones];
  for (const p of other.phones) {
    if (!merged.phones.some((q) => samePhone(phoneKey(q.value), phoneKey(p.value)) || q.value === p.value)) merged.phones.push(p);
  }
  merged.addresses = union(target.addresses, other.addresses, (a) => folded(a.street, a.city, a.region, a.postalCode, a.country));
  merged.urls = union(target.urls, other.urls, (u) => u.value.trim().toLowerCase().replace(/\/$/, ''));
  merged.related = union(target.related, other.related, (r) => folded(r.value, r.label));
  merged.tags = union(target.tags, other.tags, tagKey);
  merged.favorite = target.favorite || other.favorite;

  if (!target.birthday) merged.birthday = other.birthday;
  else if (other.birthday && other.birthday !== target.birthday) {
    // A year-less birthday gains its year from the other; a different date is kept in the notes.
    if (target.birthday.startsWith('--') && other.birthday.endsWith(target.birthday.slice(1))) merged.birthday = other.birthday;
    else if (!(other.birthday.startsWith('--') && target.birthday.endsWith(other.birthday.slice(1))))
      notes.push(`Birthday (merged): ${other.birthday}`);
  }

  let text = target.notes ?? '';
  const theirs = other.notes ?? '';
  if (theirs && !text.includes(theirs)) text = theirs.includes(text) ? theirs : `${text}\n\n${theirs}`;
  for (const line of notes) if (!text.split('\n').includes(line)) text = text ? `${text}\n${line}` : line;
  merged.notes = text || null;
  return merged;
}

/** Whether two drafts hold the same content. */
export function sameDraft(a: ContactDraft, b: ContactDraft): boolean {
  return deepEqual(a, b);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}
