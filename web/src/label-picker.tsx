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
export function LabelPicker<L extends string>({ id, name, visible, labels, label, customLabel, onChange }: LabelPickerProps<L>) {
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
