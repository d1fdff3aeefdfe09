import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Contact, type ContactInput } from './api.ts';
import {
  ADDRESS_LABELS,
  dayFirst,
  EMAIL_LABELS,
  monthNames,
  PHONE_LABELS,
  RELATED_LABELS,
  URL_LABELS,
  type Address,
  type Email,
  type Phone,
  type Related,
  type Url,
} from './format.ts';
import { describeError, fieldErrors } from './messages.ts';
import { addTags, TagInput } from './tag-input.tsx';

/** An address as the inputs see it. customLabel: null while an enum word is picked, text once "Custom…" is. */
export type AddressRow = { [K in 'street' | 'city' | 'region' | 'postalCode' | 'country']: string } & Pick<
  Address,
  'label' | 'customLabel'
>;
/** A birthday as three inputs: day and month required, year optional ("" when not known). month is "1".."12" or "". */
export interface BirthdayParts {
  day: string;
  month: string;
  year: string;
}

/** What the form holds: every field as the inputs see it. */
export interface Draft {
  id?: string;
  etag?: string;
  prefix: string;
  firstName: string;
  middleName: string;
  lastName: string;
  suffix: string;
  nickname: string;
  company: string;
  jobTitle: string;
  // customLabel is null while one of the enum's words is picked, and a string (maybe empty) once "Custom…" is.
  emails: Email[];
  phones: Phone[];
  addresses: AddressRow[];
  urls: Url[];
  related: Related[];
  birthday: BirthdayParts;
  notes: string;
  tags: string[];
  /** A tag typed but not yet made a chip: saved with the tags. */
  tagText: string;
  favorite: boolean;
  /** The contact as opened (its API body as JSON), to tell whether anything changed. */
  base?: string;
}

const NO_BIRTHDAY: BirthdayParts = { day: '', month: '', year: '' };

export const emptyDraft = (): Draft => ({
  prefix: '',
  firstName: '',
  middleName: '',
  lastName: '',
  suffix: '',
  nickname: '',
  company: '',
  jobTitle: '',
  emails: [{ value: '', label: 'home', customLabel: null }],
  phones: [{ value: '', label: 'mobile', customLabel: null }],
  addresses: [],
  urls: [],
  related: [],
  birthday: { ...NO_BIRTHDAY },
  notes: '',
  tags: [],
  tagText: '',
  favorite: false,
});

/** "1990-08-23" or "--08-23" (no year) as the three inputs. */
export function birthdayParts(s: string | null | undefined): BirthdayParts {
  const m = /^(\d{4}|-)-(\d{2})-(\d{2})$/.exec(s ?? '');
  if (!m) return { ...NO_BIRTHDAY };
  return { year: m[1] === '-' ? '' : m[1]!, month: String(Number(m[2])), day: String(Number(m[3])) };
}

/** Days in a month (1-12) of a year; without a year, February has 29 (a birthday on the 29th is real). */
function daysIn(month: number, year?: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year ?? 2000, month, 0); // setUTCFullYear: years before 100 stay themselves
  return d.getUTCDate();
}

export type BirthdayCheck = { ok: true; value: string | null } | { ok: false; part: keyof BirthdayParts; message: string };

/** The API's birthday for the three inputs ("YYYY-MM-DD", "--MM-DD", or null when all are empty), or what is wrong. */
export function birthdayValue(b: BirthdayParts): BirthdayCheck {
  const day = b.day.trim();
  const year = b.year.trim();
  if (!day && !b.month && !year) return { ok: true, value: null };
  if (!/^\d{1,2}$/.test(day) || Number(day) < 1 || Number(day) > 31)
    return { ok: false, part: 'day', message: 'Enter the day of the month, from 1 to 31.' };
  if (!b.month) return { ok: false, part: 'month', message: 'Choose the month.' };
  if (year && (!/^\d{4}$/.test(year) || year === '0000')) {
    return { ok: false, part: 'year', message: 'Enter the year with four digits, like 1990, or leave it empty if you do not know it.' };
  }
  const month = Number(b.month);
  const max = daysIn(month, year ? Number(year) : undefined);
  if (Number(day) > max) {
    const name = monthNames()[month - 1];
    return { ok: false, part: 'day', message: year ? `${name} ${year} has only ${max} days.` : `${name} has only ${max} days.` };
  }
  const mm = String(month).padStart(2, '0');
  const dd = day.padStart(2, '0');
  return { ok: true, value: year ? `${year}-${mm}-${dd}` : `--${mm}-${dd}` };
}

export function draftFrom(c: Contact, etag?: string): Draft {
  const d = draftOf(c, etag);
  return { ...d, base: JSON.stringify(toInput(d).input) };
}

/** Whether the draft holds anything the person has not saved. */
export function isDirty(d: Draft): boolean {
  return JSON.stringify(toInput(d).input) !== (d.base ?? JSON.stringify(toInput(emptyDraft()).input));
}

function draftOf(c: Contact, etag?: string): Draft {
  return {
    id: c.id,
    etag,
    prefix: c.prefix ?? '',
    firstName: c.firstName ?? '',
    middleName: c.middleName ?? '',
    lastName: c.lastName ?? '',
    suffix: c.suffix ?? '',
    nickname: c.nickname ?? '',
    company: c.company ?? '',
    jobTitle: c.jobTitle ?? '',
    emails: c.emails.length ? c.emails.map((e) => ({ ...e })) : [{ value: '', label: 'home', customLabel: null }],
    phones: c.phones.length ? c.phones.map((p) => ({ ...p })) : [{ value: '', label: 'mobile', customLabel: null }],
    addresses: c.addresses.map((a) => ({
      street: a.street ?? '',
      city: a.city ?? '',
      region: a.region ?? '',
      postalCode: a.postalCode ?? '',
      country: a.country ?? '',
      label: a.label,
      customLabel: a.customLabel,
    })),
    urls: c.urls.map((u) => ({ ...u })),
    related: c.related.map((r) => ({ ...r })),
    birthday: birthdayParts(c.birthday),
    notes: c.notes ?? '',
    tags: [...c.tags],
    tagText: '',
    favorite: c.favorite,
  };
}

/**
 * A draft kept in sessionStorage by an earlier version of the app (before
 * middle names, web addresses, custom labels and year-less birthdays), made
 * whole; null if it is not a draft at all.
 */
export function normalizeDraft(raw: unknown): Draft | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const d = raw as Partial<Record<keyof Draft, unknown>>;
  const base = emptyDraft();
  const str = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
  const list = <T extends { customLabel: string | null }>(v: unknown, fallback: T[]): T[] =>
    Array.isArray(v)
      ? v.filter((x) => x && typeof x === 'object').map((x) => ({ ...(x as T), customLabel: (x as T).customLabel ?? null }))
      : fallback;
  return {
    ...(typeof d.id === 'string' ? { id: d.id } : {}),
    ...(typeof d.etag === 'string' ? { etag: d.etag } : {}),
    prefix: str(d.prefix, ''),
    firstName: str(d.firstName, ''),
    middleName: str(d.middleName, ''),
    lastName: str(d.lastName, ''),
    suffix: str(d.suffix, ''),
    nickname: str(d.nickname, ''),
    company: str(d.company, ''),
    jobTitle: str(d.jobTitle, ''),
    emails: list(d.emails, base.emails),
    phones: list(d.phones, base.phones),
    addresses: list(d.addresses, base.addresses),
    urls: list(d.urls, base.urls),
    related: list(d.related, base.related),
    birthday:
      typeof d.birthday === 'string'
        ? birthdayParts(d.birthday)
        : d.birthday && typeof d.birthday === 'object'
          ? { ...NO_BIRTHDAY, ...(d.birthday as BirthdayParts) }
          : base.birthday,
    notes: str(d.notes, ''),
    // Tags were one comma-separated text before they were chips.
    tags: Array.isArray(d.tags) ? d.tags.filter((t): t is string => typeof t === 'string') : addTags([], str(d.tags, '')),
    tagText: str(d.tagText, ''),
    favorite: d.favorite === true,
    ...(typeof d.base === 'string' ? { base: d.base } : {}),
  };
}

const customOf = (c: string | null) => (c === null ? null : c.trim() || null);

/**
 * The API body for a draft, leaving out rows the person left blank, and the
 * map from the body's row numbers back to the form's (for field errors).
 * The birthday must have passed birthdayValue (an invalid one is sent as null).
 */
export function toInput(d: Draft): { input: ContactInput; rows: Record<string, number[]> } {
  const keep = <T,>(list: T[], blank: (x: T) => boolean) => list.map((x, i) => [x, i] as const).filter(([x]) => !blank(x));
  const emails = keep(d.emails, (e) => !e.value.trim());
  const phones = keep(d.phones, (p) => !p.value.trim());
  const addresses = keep(d.addresses, (a) => ![a.street, a.city, a.region, a.postalCode, a.country].some((v) => v.trim()));
  const urls = keep(d.urls, (u) => !u.value.trim());
  const related = keep(d.related, (r) => !r.value.trim());
  const text = (s: string) => (s.trim() ? s.trim() : null);
  const item = <T extends { value: string; customLabel: string | null }>(x: T): T => ({
    ...x,
    value: x.value.trim(),
    customLabel: customOf(x.customLabel),
  });
  const birthday = birthdayValue(d.birthday);
  return {
    input: {
      prefix: text(d.prefix),
      firstName: text(d.firstName),
      middleName: text(d.middleName),
      lastName: text(d.lastName),
      suffix: text(d.suffix),
      nickname: text(d.nickname),
      company: text(d.company),
      jobTitle: text(d.jobTitle),
      emails: emails.map(([e]) => item(e)),
      phones: phones.map(([p]) => item(p)),
      addresses: addresses.map(([a]) => ({
        street: text(a.street),
        city: text(a.city),
        region: text(a.region),
        postalCode: text(a.postalCode),
        country: text(a.country),
        label: a.label,
        customLabel: customOf(a.customLabel),
      })),
      urls: urls.map(([u]) => item(u)),
      related: related.map(([r]) => item(r)),
      birthday: birthday.ok ? birthday.value : null,
      notes: text(d.notes),
      tags: addTags(d.tags, d.tagText),
      favorite: d.favorite,
    },
    rows: {
      emails: emails.map(([, i]) => i),
      phones: phones.map(([, i]) => i),
      addresses: addresses.map(([, i]) => i),
      urls: urls.map(([, i]) => i),
      related: related.map(([, i]) => i),
    },
  };
}

/** Rewrites "emails.1.value" (the body's row 1) to the form's row number. */
export function errorsForForm(errors: Record<string, string>, rows: Record<string, number[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    const [list, index, ...rest] = path.split('.');
    const mapped = list && rows[list] && index !== undefined ? rows[list][Number(index)] : undefined;
    out[mapped !== undefined ? [list, mapped, ...rest].join('.') : path] = message;
  }
  return out;
}

/** The label picker's value for "Custom…" (no enum word looks like it). */
export const CUSTOM_LABEL = '(custom)';

interface LabelPickerProps<L extends string> {
  id: string;
  /** The select's accessible name, e.g. "Email 1 label". */
  name: string;
  visible?: boolean;
  labels: readonly L[];
  label: L;
  customLabel: string | null;
  onChange: (v: { label: L; customLabel: string | null }) => void;
}

/** The enum's words plus "Custom…", which asks for the person's own word (customLabel). */
function LabelPicker<L extends string>({ id, name, visible, labels, label, customLabel, onChange }: LabelPickerProps<L>) {
  return (
    <>
      <label class={visible ? undefined : 'sr-only'} for={id}>
        {name}
      </label>
      <select
        id={id}
        value={customLabel !== null ? CUSTOM_LABEL : label}
        onChange={(ev) => {
          const v = ev.currentTarget.value;
          // A custom label's enum value is "other": the nearest word every list has.
          if (v === CUSTOM_LABEL) onChange({ label: 'other' as L, customLabel: customLabel ?? '' });
          else onChange({ label: v as L, customLabel: null });
        }}
      >
        {labels.map((l) => (
          <option key={l} value={l}>
            {l}
          </option>
        ))}
        <option value={CUSTOM_LABEL}>Custom…</option>
      </select>
    </>
  );
}

type ValueList = 'emails' | 'phones' | 'urls' | 'related';
type NameField = 'prefix' | 'firstName' | 'middleName' | 'lastName' | 'suffix' | 'nickname' | 'company' | 'jobTitle';
const RARE_NAMES = ['prefix', 'middleName', 'suffix'] as const;

interface EditorProps {
  draft: Draft;
  /** The person's tags, offered as they type one. */
  knownTags: string[];
  onChange: (d: Draft) => void;
  onSaved: (c: Contact, etag?: string) => void;
  /** Delete asked for: the screen deletes it, with a moment to undo. */
  onDelete: () => void;
  onClose: () => void;
}

export function ContactEditor({ draft, knownTags, onChange, onSaved, onDelete, onClose }: EditorProps) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const anyRareName = RARE_NAMES.some((k) => draft[k].trim());
  const [moreNames, setMoreNames] = useState(anyRareName);
  const form = useRef<HTMLFormElement>(null);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => onChange({ ...draft, [key]: value });

  // The form may arrive after its panel opened (the contact fetched): its first field gets focus then.
  useEffect(() => form.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus(), []);
  // Another contact opened in the same editor: its prefix, middle name or suffix shows by itself.
  useEffect(() => setMoreNames(anyRareName), [draft.id]);
  const namesOpen = moreNames || RARE_NAMES.some((k) => errors[k]);

  const focusFirstError = () =>
    requestAnimationFrame(() => (form.current?.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus());

  async function save(e: Event) {
    e.preventDefault();
    const birthday = birthdayValue(draft.birthday);
    if (!birthday.ok) {
      setErrors({ [`birthday.${birthday.part}`]: birthday.message });
      setFormError('Some fields need attention: see the highlighted fields.');
      focusFirstError();
      return;
    }
    const { input, rows } = toInput(draft);
    setBusy(true);
    setErrors({});
    setFormError(undefined);
    try {
      const { data, etag } = draft.id ? await api.update(draft.id, input, draft.etag) : await api.create(input);
      onChange(draftFrom(data, etag ?? undefined));
      onSaved(data, etag ?? undefined);
    } catch (err) {
      const mapped = errorsForForm(fieldErrors(err), rows);
      setErrors(mapped);
      const atFields = Object.keys(mapped).some((k) => k !== '');
      setFormError(mapped[''] ?? (atFields ? 'Some fields need attention: see the highlighted fields.' : describeError(err)));
      // Take the person to the first field that needs fixing (it may be scrolled away).
      focusFirstError();
    } finally {
      setBusy(false);
    }
  }

  const err = (path: string) =>
    errors[path] && (
      <p class="field-error" id={`err-${path}`} role="alert">
        {errors[path]}
      </p>
    );
  const invalid = (path: string) => ({
    'aria-invalid': Boolean(errors[path]),
    'aria-describedby': errors[path] ? `err-${path}` : undefined,
  });
  const text = (key: NameField, label: string, autocomplete: string, hint?: string) => (
    <div class="field">
      <label for={`f-${key}`}>{label}</label>
      <input
        id={`f-${key}`}
        autocomplete={autocomplete}
        placeholder={hint}
        value={draft[key]}
        data-autofocus={key === 'firstName' ? '' : undefined}
        {...invalid(key)}
        onInput={(e) => set(key, e.currentTarget.value)}
      />
      {err(key)}
    </div>
  );
  type Row<K extends ValueList | 'addresses'> = Draft[K][number];
  const update = <K extends ValueList | 'addresses'>(key: K, i: number, patch: Partial<Row<K>>) =>
    set(key, draft[key].map((row, j) => (j === i ? { ...row, ...patch } : row)) as Draft[K]);
  const removeRow = (key: ValueList | 'addresses', i: number) => set(key, draft[key].filter((_, j) => j !== i) as never);
  /** The custom label's input, shown once "Custom…" is picked. */
  const customInput = (path: string, id: string, name: string, value: string | null, onInput: (v: string) => void, visible = false) =>
    value !== null && (
      <div class="custom-label">
        <label class={visible ? undefined : 'sr-only'} for={id}>
          {name}
        </label>
        <input
          id={id}
          maxLength={50}
          placeholder="Your own label, e.g. Boat"
          value={value}
          {...invalid(path)}
          onInput={(ev) => onInput(ev.currentTarget.value)}
        />
        {err(path)}
      </div>
    );

  /** A list of values (emails, phones, web addresses, related people): a value and a label per row, rows added and removed. */
  const valueRows = <K extends ValueList>(
    key: K,
    noun: string,
    plural: string,
    input: { type?: string; autocomplete?: string; placeholder?: string },
    labels: readonly Row<K>['label'][],
    fresh: Row<K>['label'],
  ) => {
    const Noun = noun[0]!.toUpperCase() + noun.slice(1);
    const slug = noun.replace(/\s+/g, '-');
    return (
      <fieldset>
        <legend>{plural}</legend>
        {draft[key].map((row, i) => (
          <div class="row" key={i}>
            <label class="sr-only" for={`f-${slug}-${i}`}>{`${Noun} ${i + 1}`}</label>
            <input
              id={`f-${slug}-${i}`}
              type={input.type ?? 'text'}
              autocomplete={input.autocomplete ?? 'off'}
              placeholder={input.placeholder}
              value={row.value}
              {...invalid(`${key}.${i}.value`)}
              onInput={(ev) => update(key, i, { value: ev.currentTarget.value } as Partial<Row<K>>)}
            />
            <LabelPicker
              id={`f-${slug}-label-${i}`}
              name={`${Noun} ${i + 1} label`}
              labels={labels}
              label={row.label}
              customLabel={row.customLabel}
              onChange={(v) => update(key, i, v as Partial<Row<K>>)}
            />
            <button type="button" class="icon" aria-label={`Remove ${noun} ${i + 1}`} onClick={() => removeRow(key, i)}>
              −
            </button>
            {err(`${key}.${i}.value`)}
            {customInput(`${key}.${i}.customLabel`, `f-${slug}-custom-${i}`, `${Noun} ${i + 1} custom label`, row.customLabel, (v) =>
              update(key, i, { customLabel: v } as Partial<Row<K>>),
            )}
          </div>
        ))}
        {err(key)}
        <button type="button" onClick={() => set(key, [...draft[key], { value: '', label: fresh, customLabel: null }] as Draft[K])}>
          {`Add ${noun}`}
        </button>
      </fieldset>
    );
  };

  const months = monthNames();
  const b = draft.birthday;
  const birthdayError = errors.birthday ?? errors['birthday.day'] ?? errors['birthday.month'] ?? errors['birthday.year'];
  const bInvalid = (part: keyof BirthdayParts) => ({
    'aria-invalid': Boolean(errors.birthday || errors[`birthday.${part}`]),
    'aria-describedby': birthdayError ? 'err-birthday' : undefined,
  });
  const setB = (patch: Partial<BirthdayParts>) => set('birthday', { ...b, ...patch });
  const dayInput = (
    <div class="field day" key="day">
      <label for="f-birthday-day">Day</label>
      <input
        id="f-birthday-day"
        inputMode="numeric"
        autocomplete="bday-day"
        maxLength={2}
        value={b.day}
        {...bInvalid('day')}
        onInput={(e) => setB({ day: e.currentTarget.value })}
      />
    </div>
  );
  const monthInput = (
    <div class="field month" key="month">
      <label for="f-birthday-month">Month</label>
      <select
        id="f-birthday-month"
        autocomplete="bday-month"
        value={b.month}
        {...bInvalid('month')}
        onChange={(e) => setB({ month: e.currentTarget.value })}
      >
        <option value="">—</option>
        {months.map((m, i) => (
          <option key={m} value={String(i + 1)}>
            {m}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <form ref={form} class="editor" onSubmit={save} aria-label={draft.id ? 'Edit contact' : 'New contact'} novalidate>
      <header>
        <h2>{draft.id ? 'Edit contact' : 'New contact'}</h2>
        <button type="button" class="icon" aria-label="Close" onClick={onClose}>
          ✕
        </button>
      </header>
      {text('firstName', 'First name', 'given-name')}
      {text('lastName', 'Last name', 'family-name')}
      <button
        type="button"
        class="disclosure"
        aria-expanded={namesOpen}
        aria-controls={namesOpen ? 'f-more-names' : undefined}
        onClick={() => setMoreNames(!namesOpen)}
      >
        {namesOpen ? 'Fewer name fields' : 'More name fields'}
      </button>
      {namesOpen && (
        <div id="f-more-names" class="more-names">
          {text('prefix', 'Prefix', 'honorific-prefix', 'Dr., Ms.')}
          {text('middleName', 'Middle name', 'additional-name')}
          {text('suffix', 'Suffix', 'honorific-suffix', 'Jr., PhD')}
        </div>
      )}
      {text('nickname', 'Nickname', 'nickname')}
      {text('company', 'Company', 'organization')}
      {text('jobTitle', 'Job title', 'organization-title')}

      {valueRows('emails', 'email', 'Emails', { type: 'email', autocomplete: 'email' }, EMAIL_LABELS, 'home')}
      {valueRows('phones', 'phone', 'Phones', { type: 'tel', autocomplete: 'tel' }, PHONE_LABELS, 'mobile')}

      <fieldset>
        <legend>Addresses</legend>
        {draft.addresses.map((a, i) => (
          <div class="address" key={i}>
            {(['street', 'city', 'region', 'postalCode', 'country'] as const).map((part) => (
              <div class="field" key={part}>
                <label
                  for={`f-address-${i}-${part}`}
                >{`${{ street: 'Street', city: 'City', region: 'Region', postalCode: 'Postal code', country: 'Country' }[part]} (address ${i + 1})`}</label>
                <input
                  id={`f-address-${i}-${part}`}
                  value={a[part]}
                  {...invalid(`addresses.${i}.${part}`)}
                  onInput={(ev) => update('addresses', i, { [part]: ev.currentTarget.value })}
                />
                {err(`addresses.${i}.${part}`)}
              </div>
            ))}
            <div class="field">
              <LabelPicker
                id={`f-address-label-${i}`}
                name={`Label (address ${i + 1})`}
                visible
                labels={ADDRESS_LABELS}
                label={a.label}
                customLabel={a.customLabel}
                onChange={(v) => update('addresses', i, v)}
              />
            </div>
            {customInput(
              `addresses.${i}.customLabel`,
              `f-address-custom-${i}`,
              `Custom label (address ${i + 1})`,
              a.customLabel,
              (v) => update('addresses', i, { customLabel: v }),
              true,
            )}
            {err(`addresses.${i}`)}
            <button type="button" onClick={() => removeRow('addresses', i)}>{`Remove address ${i + 1}`}</button>
          </div>
        ))}
        {err('addresses')}
        <button
          type="button"
          onClick={() =>
            set('addresses', [
              ...draft.addresses,
              { street: '', city: '', region: '', postalCode: '', country: '', label: 'home', customLabel: null },
            ])
          }
        >
          Add address
        </button>
      </fieldset>

      {valueRows(
        'urls',
        'web address',
        'Web addresses',
        { type: 'url', autocomplete: 'url', placeholder: 'example.com' },
        URL_LABELS,
        'home',
      )}
      {valueRows('related', 'related person', 'Related people', { placeholder: 'Name' }, RELATED_LABELS, 'other')}

      <fieldset class="birthday" aria-describedby={birthdayError ? 'err-birthday' : 'birthday-hint'}>
        <legend>Birthday</legend>
        <p class="hint" id="birthday-hint">
          Leave the year empty if you do not know it.
        </p>
        <div class="date-parts">
          {dayFirst() ? [dayInput, monthInput] : [monthInput, dayInput]}
          <div class="field year">
            <label for="f-birthday-year">Year (optional)</label>
            <input
              id="f-birthday-year"
              inputMode="numeric"
              autocomplete="bday-year"
              maxLength={4}
              value={b.year}
              {...bInvalid('year')}
              onInput={(e) => setB({ year: e.currentTarget.value })}
            />
          </div>
        </div>
        {birthdayError && (
          <p class="field-error" id="err-birthday" role="alert">
            {birthdayError}
          </p>
        )}
      </fieldset>
      <TagInput
        tags={draft.tags}
        text={draft.tagText}
        known={knownTags}
        error={Object.entries(errors).find(([p]) => p.startsWith('tags'))?.[1]}
        onChange={(tags, tagText) => onChange({ ...draft, tags, tagText })}
      />
      <div class="field">
        <label for="f-notes">Notes</label>
        <textarea id="f-notes" rows={4} value={draft.notes} {...invalid('notes')} onInput={(e) => set('notes', e.currentTarget.value)} />
        {err('notes')}
      </div>
      <label class="check">
        <input type="checkbox" checked={draft.favorite} onChange={(e) => set('favorite', e.currentTarget.checked)} /> Favorite
      </label>

      {formError && (
        <p class="error" role="alert">
          {formError}
        </p>
      )}
      <div class="actions">
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        {draft.id && (
          <button type="button" class="danger" onClick={onDelete} disabled={busy}>
            Delete
          </button>
        )}
      </div>
    </form>
  );
}
