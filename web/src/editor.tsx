import { useRef, useState } from 'preact/hooks';
import { api, type Contact, type ContactInput } from './api.ts';
import { describeError, fieldErrors } from './messages.ts';

type Email = Contact['emails'][number];
type Phone = Contact['phones'][number];
const EMAIL_LABELS: readonly Email['label'][] = ['home', 'work', 'other'];
const PHONE_LABELS: readonly Phone['label'][] = ['mobile', 'home', 'work', 'other'];
type Address = { [K in keyof Contact['addresses'][number]]: string };

/** What the form holds: every field as the inputs see it. */
export interface Draft {
  id?: string;
  etag?: string;
  firstName: string;
  lastName: string;
  company: string;
  jobTitle: string;
  emails: Email[];
  phones: Phone[];
  addresses: Address[];
  birthday: string;
  notes: string;
  tags: string;
  favorite: boolean;
}

export const emptyDraft = (): Draft => ({
  firstName: '',
  lastName: '',
  company: '',
  jobTitle: '',
  emails: [{ value: '', label: 'home', customLabel: null }],
  phones: [{ value: '', label: 'mobile', customLabel: null }],
  addresses: [],
  birthday: '',
  notes: '',
  tags: '',
  favorite: false,
});

export function draftFrom(c: Contact, etag?: string): Draft {
  return {
    id: c.id,
    etag,
    firstName: c.firstName ?? '',
    lastName: c.lastName ?? '',
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
      customLabel: a.customLabel ?? '',
    })),
    birthday: c.birthday ?? '',
    notes: c.notes ?? '',
    tags: c.tags.join(', '),
    favorite: c.favorite,
  };
}

/**
 * The API body for a draft, leaving out rows the person left blank, and the
 * map from the body's row numbers back to the form's (for field errors).
 */
export function toInput(d: Draft): { input: ContactInput; rows: Record<string, number[]> } {
  const keep = <T,>(list: T[], blank: (x: T) => boolean) => list.map((x, i) => [x, i] as const).filter(([x]) => !blank(x));
  const emails = keep(d.emails, (e) => !e.value.trim());
  const phones = keep(d.phones, (p) => !p.value.trim());
  const addresses = keep(d.addresses, (a) => ![a.street, a.city, a.region, a.postalCode, a.country].some((v) => v.trim()));
  const text = (s: string) => (s.trim() ? s.trim() : null);
  return {
    input: {
      firstName: text(d.firstName),
      lastName: text(d.lastName),
      company: text(d.company),
      jobTitle: text(d.jobTitle),
      emails: emails.map(([e]) => ({ value: e.value.trim(), label: e.label, customLabel: e.customLabel })),
      phones: phones.map(([p]) => ({ value: p.value.trim(), label: p.label, customLabel: p.customLabel })),
      addresses: addresses.map(([a]) => ({
        street: text(a.street),
        city: text(a.city),
        region: text(a.region),
        postalCode: text(a.postalCode),
        country: text(a.country),
        label: a.label as Contact['addresses'][number]['label'],
        customLabel: text(a.customLabel),
      })),
      birthday: d.birthday || null,
      notes: text(d.notes),
      tags: d.tags.split(',').map((t) => t.trim()).filter(Boolean),
      favorite: d.favorite,
    },
    rows: { emails: emails.map(([, i]) => i), phones: phones.map(([, i]) => i), addresses: addresses.map(([, i]) => i) },
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

interface EditorProps {
  draft: Draft;
  onChange: (d: Draft) => void;
  onSaved: (c: Contact) => void;
  onDeleted: (id: string) => void;
  onClose: () => void;
}

export function ContactEditor({ draft, onChange, onSaved, onDeleted, onClose }: EditorProps) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => onChange({ ...draft, [key]: value });

  async function save(e: Event) {
    e.preventDefault();
    const { input, rows } = toInput(draft);
    setBusy(true);
    setErrors({});
    setFormError(undefined);
    try {
      const { data, etag } = draft.id ? await api.update(draft.id, input, draft.etag) : await api.create(input);
      onChange(draftFrom(data, etag ?? undefined));
      onSaved(data);
    } catch (err) {
      const mapped = errorsForForm(fieldErrors(err), rows);
      setErrors(mapped);
      const atFields = Object.keys(mapped).some((k) => k !== '');
      setFormError(mapped[''] ?? (atFields ? 'Some fields need attention: see the highlighted fields.' : describeError(err)));
      // Take the person to the first field that needs fixing (it may be scrolled away).
      requestAnimationFrame(() => (form.current?.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus());
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!draft.id || !confirm('Delete this contact?')) return;
    setBusy(true);
    try {
      await api.remove(draft.id);
      onDeleted(draft.id);
    } catch (err) {
      setFormError(describeError(err));
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
  const text = (key: 'firstName' | 'lastName' | 'company' | 'jobTitle', label: string, autocomplete: string) => (
    <div class="field">
      <label for={`f-${key}`}>{label}</label>
      <input
        id={`f-${key}`}
        autocomplete={autocomplete}
        value={draft[key]}
        aria-invalid={Boolean(errors[key])}
        aria-describedby={errors[key] ? `err-${key}` : undefined}
        onInput={(e) => set(key, e.currentTarget.value)}
      />
      {err(key)}
    </div>
  );
  const update = <K extends 'emails' | 'phones' | 'addresses'>(key: K, i: number, patch: Partial<Draft[K][number]>) =>
    set(key, draft[key].map((row, j) => (j === i ? { ...row, ...patch } : row)) as Draft[K]);
  const removeRow = (key: 'emails' | 'phones' | 'addresses', i: number) => set(key, draft[key].filter((_, j) => j !== i) as never);
  /** The emails or phones fieldset: a value and a label per row, rows added and removed. */
  const valueRows = <K extends 'emails' | 'phones'>(key: K, noun: string, type: string, labels: readonly Draft[K][number]['label'][], fresh: Draft[K][number]['label']) => {
    const Noun = noun[0]!.toUpperCase() + noun.slice(1);
    return (
      <fieldset>
        <legend>{`${Noun}s`}</legend>
        {draft[key].map((row, i) => (
          <div class="row" key={i}>
            <label class="sr-only" for={`f-${noun}-${i}`}>{`${Noun} ${i + 1}`}</label>
            <input id={`f-${noun}-${i}`} type={type} value={row.value} aria-invalid={Boolean(errors[`${key}.${i}.value`])} onInput={(ev) => update(key, i, { value: ev.currentTarget.value } as Partial<Draft[K][number]>)} />
            <label class="sr-only" for={`f-${noun}-label-${i}`}>{`${Noun} ${i + 1} label`}</label>
            <select id={`f-${noun}-label-${i}`} value={row.label} onChange={(ev) => update(key, i, { label: ev.currentTarget.value } as Partial<Draft[K][number]>)}>
              {labels.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
            <button type="button" class="icon" aria-label={`Remove ${noun} ${i + 1}`} onClick={() => removeRow(key, i)}>
              −
            </button>
            {err(`${key}.${i}.value`)}
          </div>
        ))}
        <button type="button" onClick={() => set(key, [...draft[key], { value: '', label: fresh, customLabel: null }] as Draft[K])}>
          {`Add ${noun}`}
        </button>
      </fieldset>
    );
  };

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
      {text('company', 'Company', 'organization')}
      {text('jobTitle', 'Job title', 'organization-title')}

      {valueRows('emails', 'email', 'email', EMAIL_LABELS, 'home')}
      {valueRows('phones', 'phone', 'tel', PHONE_LABELS, 'mobile')}

      <fieldset>
        <legend>Addresses</legend>
        {draft.addresses.map((a, i) => (
          <div class="address" key={i}>
            {(['street', 'city', 'region', 'postalCode', 'country'] as const).map((part) => (
              <div class="field" key={part}>
                <label for={`f-address-${i}-${part}`}>{`${{ street: 'Street', city: 'City', region: 'Region', postalCode: 'Postal code', country: 'Country' }[part]} (address ${i + 1})`}</label>
                <input id={`f-address-${i}-${part}`} value={a[part]} onInput={(ev) => update('addresses', i, { [part]: ev.currentTarget.value })} />
                {err(`addresses.${i}.${part}`)}
              </div>
            ))}
            <label for={`f-address-label-${i}`}>{`Label (address ${i + 1})`}</label>
            <select id={`f-address-label-${i}`} value={a.label} onChange={(ev) => update('addresses', i, { label: ev.currentTarget.value })}>
              <option value="home">home</option>
              <option value="work">work</option>
              <option value="other">other</option>
            </select>
            {err(`addresses.${i}`)}
            <button type="button" onClick={() => removeRow('addresses', i)}>{`Remove address ${i + 1}`}</button>
          </div>
        ))}
        <button type="button" onClick={() => set('addresses', [...draft.addresses, { street: '', city: '', region: '', postalCode: '', country: '', label: 'home', customLabel: '' }])}>
          Add address
        </button>
      </fieldset>

      <div class="field">
        <label for="f-birthday">Birthday</label>
        <input id="f-birthday" type="date" value={draft.birthday} aria-invalid={Boolean(errors.birthday)} onInput={(e) => set('birthday', e.currentTarget.value)} />
        {err('birthday')}
      </div>
      <div class="field">
        <label for="f-tags">Tags (comma separated)</label>
        <input id="f-tags" value={draft.tags} onInput={(e) => set('tags', e.currentTarget.value)} />
        {Object.entries(errors)
          .filter(([p]) => p.startsWith('tags'))
          .map(([p, m]) => (
            <p class="field-error" key={p} role="alert">
              {m}
            </p>
          ))}
      </div>
      <div class="field">
        <label for="f-notes">Notes</label>
        <textarea id="f-notes" rows={4} value={draft.notes} onInput={(e) => set('notes', e.currentTarget.value)} />
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
        {draft.id && (
          <button type="button" class="danger" onClick={remove} disabled={busy}>
            Delete
          </button>
        )}
      </div>
    </form>
  );
}
