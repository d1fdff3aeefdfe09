import { ADDRESS_LABELS, EMAIL_LABELS, PHONE_LABELS, RELATED_LABELS, URL_LABELS } from './schemas.ts';

/*
 * Labels as exporters write them, to our enum plus a custom label. Each
 * exporter has its own words for the same thing: vCard TYPE parameters
 * (RFC 2426, RFC 6350), Apple's `_$!<Mobile>!$_` built-ins in
 * `itemN.X-ABLabel`, Google's "Mobile" / "* Home" in its CSV, Outlook's
 * column names. A label we have no enum word for is kept as customLabel.
 */

export type LabelKind = 'email' | 'phone' | 'address' | 'url' | 'related';

const ENUMS: Record<LabelKind, readonly string[]> = {
  email: EMAIL_LABELS,
  phone: PHONE_LABELS,
  address: ADDRESS_LABELS,
  url: URL_LABELS,
  related: RELATED_LABELS,
};

const FALLBACK: Record<LabelKind, string> = { email: 'other', phone: 'other', address: 'home', url: 'other', related: 'other' };

/** Words exporters use for our enum values (lower case, spaces removed). */
const SYNONYMS: Record<LabelKind, Record<string, string>> = {
  email: { internet: '', pref: '', x400: '', business: 'work', personal: 'home' },
  phone: {
    cell: 'mobile',
    cellular: 'mobile',
    iphone: 'mobile',
    mobile: 'mobile',
    voice: '',
    pref: '',
    msg: '',
    business: 'work',
    personal: 'home',
  },
  address: { dom: '', intl: '', postal: '', parcel: '', pref: '', business: 'work', personal: 'home' },
  url: { pref: '', business: 'work', personal: 'home' },
  related: {
    husband: 'spouse',
    wife: 'spouse',
    domesticpartner: 'partner',
    son: 'child',
    daughter: 'child',
    mom: 'mother',
    dad: 'father',
    kin: 'relative',
    sweetheart: 'partner',
    contact: '',
    pref: '',
  },
};

/** Labels that need a customLabel beside the enum value ("Fax" is a phone labelled home or work). */
const NAMED: Record<string, string> = {
  fax: 'Fax',
  pager: 'Pager',
  main: 'Main',
  car: 'Car',
  isdn: 'ISDN',
  video: 'Video',
  textphone: 'Textphone',
  text: 'Text',
  assistant: 'Assistant',
  callback: 'Callback',
  radio: 'Radio',
  telex: 'Telex',
  'tty/tdd': 'TTY/TDD',
  googlevoice: 'Google Voice',
  school: 'School',
  blog: 'Blog',
  profile: 'Profile',
  ftp: 'FTP',
  anniversary: 'Anniversary',
  'co-worker': 'Co-worker',
  colleague: 'Colleague',
  contact: 'Contact',
  acquaintance: 'Acquaintance',
  neighbor: 'Neighbor',
  'co-resident': 'Co-resident',
  emergency: 'Emergency',
  agent: 'Agent',
  referredby: 'Referred by',
  reference: 'Reference',
};

// Apple's built-in labels: `_$!<HomePage>!$_` (its custom labels are plain text).
const APPLE_BUILT_IN = /^_\$!<(.+)>!\$_$/;

export interface Labelled {
  label: string;
  customLabel: string | null;
}

const squash = (s: string) => s.toLowerCase().replace(/[\s_]+/g, '');

/**
 * Our label for `words` (vCard TYPE values, a Google or Outlook label, an
 * Apple X-ABLabel), in order of strength: the first word that is an enum
 * value or a synonym of one wins; a word with no enum equivalent becomes the
 * custom label.
 */
export function labelFrom(kind: LabelKind, words: readonly string[], explicit?: string): Labelled {
  const allowed = ENUMS[kind];
  let label: string | undefined;
  let customLabel: string | null = null;
  const consider = (raw: string, strong: boolean) => {
    // "* " is Google's primary marker; "X-" a vCard 2.1 custom type (Android's TEL;X-Dinghy).
    const text = raw
      .trim()
      .replace(/^\*\s*/, '')
      .replace(strong ? /^$/ : /^x-/i, '');
    if (!text) return;
    const apple = APPLE_BUILT_IN.exec(text);
    const word = squash(apple ? apple[1]! : text);
    const synonym = SYNONYMS[kind][word];
    const mapped = synonym ?? (allowed.includes(word) ? word : undefined);
    if (mapped) {
      label ??= mapped;
      return;
    }
    if (mapped === '') return; // a word that says nothing we keep (INTERNET, VOICE, PREF)
    // One word for both ("Work Fax", Apple's _$!<HomeFAX>!$_, Google's "Home Page").
    const both = QUALIFIED[word];
    if (both) {
      label ??= both[0];
      if (strong || customLabel === null) customLabel = both[1];
      return;
    }
    // Beside a label already found, another TYPE word qualifies it only for
    // phones ("WORK,FAX"); for the others it is a vaguer type (RELATED's
    // "manager,co-worker" writes RFC 6350's nearest type after ours).
    if (!strong && label !== undefined && kind !== 'phone') return;
    if (strong || customLabel === null) customLabel = NAMED[word] ?? (apple ? apple[1]! : text);
  };
  if (explicit !== undefined) consider(explicit, true);
  for (const w of words) consider(w, false);
  const custom = customLabel as string | null; // assigned in consider(), which TypeScript does not follow
  return { label: label ?? FALLBACK[kind], customLabel: custom ? custom.slice(0, 50) : null };
}

const QUALIFIED: Record<string, [label: string, customLabel: string]> = {
  homefax: ['home', 'Fax'],
  workfax: ['work', 'Fax'],
  businessfax: ['work', 'Fax'],
  otherfax: ['other', 'Fax'],
  homepage: ['home', 'Home Page'],
};

/** The Apple built-in X-ABLabel for a custom label when Apple has one (so iOS shows it translated), else the text. */
export function appleLabel(kind: LabelKind, label: string, customLabel: string | null): string | undefined {
  if (customLabel) return customLabel;
  if (kind === 'related' && label !== 'other') return `_$!<${label[0]!.toUpperCase()}${label.slice(1)}>!$_`;
  return undefined;
}
