import { useId } from 'preact/hooks';

interface Props {
  tags: string[];
  /** What is typed but not yet a chip: saved with the tags, so nothing typed is lost. */
  text: string;
  /** Tags the person already uses, offered as they type. */
  known: string[];
  onChange: (tags: string[], text: string) => void;
  error?: string;
}

const key = (t: string) => t.toLowerCase();

/** Adds typed tags (comma separated) to the list, once each whatever their case, keeping the case typed first. */
export function addTags(tags: string[], text: string): string[] {
  const out = [...tags];
  for (const t of text.split(',').map((s) => s.trim())) if (t && !out.some((x) => key(x) === key(t))) out.push(t);
  return out;
}

/**
 * Tags as chips, with the person's existing tags offered as they type (the
 * browser's own datalist: keyboard and screen-reader support for free).
 * Enter or a comma makes a chip; Backspace in the empty box removes the last.
 */
export function TagInput({ tags, text, known, onChange, error }: Props) {
  const id = useId();
  const offered = known.filter((k) => !tags.some((t) => key(t) === key(k)));
  return (
    <div class="field tag-input">
      <label for={`${id}-input`}>Tags</label>
      {tags.length > 0 && (
        <ul class="chips" aria-label="Tags of this contact">
          {tags.map((t) => (
            <li key={t}>
              <span class="tag">
                {t}
                <button
                  type="button"
                  class="chip-remove"
                  aria-label={`Remove tag ${t}`}
                  onClick={() =>
                    onChange(
                      tags.filter((x) => x !== t),
                      text,
                    )
                  }
                >
                  ×
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <input
        id={`${id}-input`}
        list={`${id}-known`}
        value={text}
        placeholder="Add a tag"
        aria-describedby={`${id}-hint`}
        aria-invalid={Boolean(error)}
        onInput={(e) => {
          const v = e.currentTarget.value;
          // A comma, or a pick from the list (an exact known tag), makes a chip.
          if (v.includes(',')) onChange(addTags(tags, v.slice(0, v.lastIndexOf(','))), v.slice(v.lastIndexOf(',') + 1).trimStart());
          else if (
            (e as InputEvent).inputType === 'insertReplacementText' ||
            ((e as InputEvent).inputType === undefined && offered.includes(v))
          )
            onChange(addTags(tags, v), '');
          else onChange(tags, v);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && text.trim()) {
            e.preventDefault(); // makes a chip instead of saving the form
            onChange(addTags(tags, text), '');
          } else if (e.key === 'Backspace' && !text && tags.length) {
            onChange(tags.slice(0, -1), '');
          }
        }}
      />
      <datalist id={`${id}-known`}>
        {offered.map((k) => (
          <option key={k} value={k} />
        ))}
      </datalist>
      <p class="hint" id={`${id}-hint`}>
        Press Enter or type a comma after each tag. Tags keep the capitals you type; “Family” and “family” are one tag.
      </p>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
