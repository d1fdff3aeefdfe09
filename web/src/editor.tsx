import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Contact } from './api.ts';
import { birthdayValue, draftFrom, errorsForForm, toInput, type BirthdayParts, type Draft } from './draft.ts';
import { ADDRESS_LABELS, dayFirst, EMAIL_LABELS, monthNames, PHONE_LABELS, RELATED_LABELS, URL_LABELS } from './format.ts';
import { LabelPicker } from './label-picker.tsx';
import { describeError, fieldErrors } from './messages.ts';
import { TagInput } from './tag-input.tsx';

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
  /** The day or the year, typed as digits. */
  const digitsInput = (part: 'day' | 'year', maxLength: number) => (
    <input
      id={`f-birthday-${part}`}
      inputMode="numeric"
      autocomplete={`bday-${part}`}
      maxLength={maxLength}
      value={b[part]}
      {...bInvalid(part)}
      onInput={(e) => setB({ [part]: e.currentTarget.value })}
    />
  );
  const dayInput = (
    <div class="field day" key="day">
      <label for="f-birthday-day">Day</label>
      {digitsInput('day', 2)}
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
            {digitsInput('year', 4)}
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
