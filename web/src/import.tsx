import { useState } from 'preact/hooks';
import { api, type DuplicateMode, type ImportResult } from './api.ts';
import { capitalize } from './format.ts';
import { describeError, skipReason } from './messages.ts';

function typeOf(file: File): string | undefined {
  const name = file.name.toLowerCase();
  if (name.endsWith('.vcf') || name.endsWith('.vcard') || file.type.includes('vcard')) return 'text/vcard';
  if (name.endsWith('.csv') || file.type === 'text/csv') return 'text/csv';
  return undefined;
}

const DUPLICATE_CHOICES: [DuplicateMode, string][] = [
  ['merge', 'Merge it into the contact already there (adds what is new)'],
  ['skip', 'Skip it'],
  ['create', 'Import it as a new contact'],
];

type Reported = Pick<ImportResult['skipped'][number], 'index' | 'line' | 'name'>;
/** A record as the person knows it: its name, else the line of the file where it starts. */
const who = (r: Reported) => r.name ?? (r.line !== null ? `line ${r.line}` : `entry ${r.index + 1}`);

/** "2 imported, 1 merged into existing contacts, 0 already there, 1 skipped." */
export function importSummary(r: ImportResult): string {
  const skipped = r.skippedTotal ?? r.skipped.length;
  return `${r.imported} imported, ${r.merged} merged into existing contacts, ${r.unchanged} already there${skipped ? `, ${skipped} skipped` : ''}.`;
}

/** Import a vCard or CSV file, by file picker or drag and drop; shows what came in and what did not. */
export function ImportPanel({ onImported, onClose }: { onImported: () => void; onClose: () => void }) {
  const [result, setResult] = useState<ImportResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const [duplicates, setDuplicates] = useState<DuplicateMode>('merge');
  const skippedTotal = result ? (result.skippedTotal ?? result.skipped.length) : 0;
  const changesTotal = result ? (result.changesTotal ?? result.changes.length) : 0;

  async function load(file: File | undefined) {
    if (!file) return;
    setResult(undefined);
    setError(undefined);
    const type = typeOf(file);
    if (!type) {
      setError(`${file.name} is neither a vCard (.vcf) nor a CSV file.`);
      return;
    }
    setBusy(true);
    try {
      const { data } = await api.importFile(file, type, duplicates);
      setResult(data);
      onImported();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="import" aria-label="Import contacts">
      <header>
        <h2>Import contacts</h2>
        <button type="button" class="icon" aria-label="Close import" onClick={onClose}>
          ✕
        </button>
      </header>
      <fieldset class="choice">
        <legend>When a contact in the file is already in your contacts</legend>
        {DUPLICATE_CHOICES.map(([mode, text]) => (
          <label class="check" key={mode}>
            <input type="radio" name="import-duplicates" value={mode} checked={duplicates === mode} onChange={() => setDuplicates(mode)} />{' '}
            {text}
          </label>
        ))}
      </fieldset>
      <div
        class={`dropzone${over ? ' over' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void load(e.dataTransfer?.files[0]);
        }}
      >
        <p>Drop a vCard (.vcf) or CSV file here, or</p>
        <label class="button" for="import-file">
          Choose a file
        </label>
        <input
          id="import-file"
          class="sr-only"
          type="file"
          accept=".vcf,.vcard,.csv,text/vcard,text/csv"
          onChange={(e) => void load(e.currentTarget.files?.[0])}
        />
      </div>
      {busy && <p role="status">Importing…</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div class="import-result">
          <p role="status">{importSummary(result)}</p>
          {result.skipped.length > 0 && (
            <>
              <h3>Not imported</h3>
              <ul>
                {result.skipped.map((s) => (
                  <li key={s.index}>
                    <strong>{capitalize(who(s))}</strong>
                    {`: ${skipReason(s.reason)}`}
                  </li>
                ))}
                {/* The server lists the first skips only and counts the rest. */}
                {skippedTotal > result.skipped.length && <li>{`…and ${skippedTotal - result.skipped.length} more`}</li>}
              </ul>
            </>
          )}
          {result.changes.length > 0 && (
            <>
              <h3>Merged, already there, or changed on the way in</h3>
              <ul>
                {result.changes.map((c) => (
                  <li key={c.index}>
                    <strong>{capitalize(who(c))}</strong>
                    {c.outcome === 'imported' && ' (imported)'}
                    {c.notes.length > 0 && (
                      <ul>
                        {c.notes.map((n, i) => (
                          <li key={i}>{n}</li>
                        ))}
                      </ul>
                    )}
                  </li>
                ))}
                {changesTotal > result.changes.length && <li>{`…and ${changesTotal - result.changes.length} more`}</li>}
              </ul>
            </>
          )}
        </div>
      )}
    </section>
  );
}
