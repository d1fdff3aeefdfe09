import { useState } from 'preact/hooks';
import { api, type ExportFormat } from './api.ts';

/** The export format picker and the download link: vCard 3.0 (what every contacts app reads), 4.0, or Google's CSV. */
export function ExportLink({ id, label = 'Export' }: { id: string; label?: string }) {
  const [format, setFormat] = useState<ExportFormat>('vcard3');
  return (
    <span class="export">
      <label for={id}>Export as</label>
      <select id={id} value={format} onChange={(e) => setFormat(e.currentTarget.value as ExportFormat)}>
        <option value="vcard3">vCard 3.0</option>
        <option value="vcard4">vCard 4.0</option>
        <option value="csv">CSV (Google)</option>
      </select>
      <a class="button" href={api.exportUrl(format)} download>
        {label}
      </a>
    </span>
  );
}
