import { useState } from 'preact/hooks';
import { api, type ImportResult } from './api.ts';
import { describeError, skipReason } from './messages.ts';

function typeOf(file: File): string | undefined {
  const name = file.name.toLowerCase();
  if (name.endsWith('.vcf') || name.endsWith('.vcard') || file.type.includes('vcard')) return 'text/vcard';
  if (name.endsWith('.csv') || file.type === 'text/csv') return 'text/csv';
  return undefined;
}

/** Import a vCard or CSV file, by file picker or drag and drop; shows what came in and what did not. */
export function ImportPanel({ onImported, onClose }: { onImported: () => void; onClose: () => void }) {
  const [result, setResult] = useState<ImportResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const skippedTotal = result ? (result.skippedTotal ?? result.skipped.length) : 0;

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
      const { data } = await api.importFile(await file.text(), type);
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
        <input id="import-file" class="sr-only" type="file" accept=".vcf,.vcard,.csv,text/vcard,text/csv" onChange={(e) => void load(e.currentTarget.files?.[0])} />
      </div>
      {busy && <p role="status">Importing…</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div role="status" class="import-result">
          <p>
            <strong>{result.imported}</strong> imported{skippedTotal ? `, ${skippedTotal} skipped:` : '.'}
          </p>
          {result.skipped.length > 0 && (
            <ul>
              {result.skipped.map((s) => (
                <li key={s.index}>{`Entry ${s.index + 1}: ${skipReason(s.reason)}`}</li>
              ))}
              {/* The server lists the first skips only and counts the rest. */}
              {skippedTotal > result.skipped.length && <li>{`…and ${skippedTotal - result.skipped.length} more not listed`}</li>}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
