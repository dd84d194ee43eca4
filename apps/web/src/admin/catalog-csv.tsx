import { useId, useState } from 'react';
import { errorMessage, errorReason } from '../api-errors.ts';
import { showNotice } from '../notices/notices.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';

type ImportResult = RouterOutputs['admin']['catalog']['importCsv'];

const actionLabels: Record<ImportResult['rows'][number]['action'], string> = {
  'create-product': 'New product',
  'create-variant': 'New variant',
  update: 'Update',
  unchanged: 'Unchanged',
};

/** Saves text as a file the browser downloads (no server round trip for the file itself). */
function download(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  // After the click has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * Export the catalogue as CSV, and import one: every import is previewed first (a dry run, which
 * writes nothing), and "Apply" sends the preview's token, so what is applied is what was shown.
 */
export function CatalogCsv() {
  const utils = trpc.useUtils();
  const [csv, setCsv] = useState('');
  const [filename, setFilename] = useState<string | undefined>(undefined);
  const [preview, setPreview] = useState<{ csv: string; result: ImportResult } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const importCsv = trpc.admin.catalog.importCsv.useMutation();
  const fileId = useId();
  const textId = useId();

  async function exportCatalogue() {
    setExporting(true);
    try {
      const exported = await utils.admin.catalog.exportCsv.fetch(undefined, { staleTime: 0 });
      download(exported.csv, `catalogue-${new Date().toISOString().slice(0, 10)}.csv`);
      showNotice({ tone: 'success', title: `Exported ${exported.rows} variants` });
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setExporting(false);
    }
  }

  async function runPreview(text = csv) {
    setProblem(null);
    try {
      const result = await importCsv.mutateAsync({ csv: text, dryRun: true, filename });
      setPreview({ csv: text, result });
    } catch (error) {
      setPreview(null);
      setProblem(errorMessage(error));
    }
  }

  async function apply() {
    if (!preview) return;
    setProblem(null);
    try {
      const result = await importCsv.mutateAsync({ csv: preview.csv, dryRun: false, filename, previewToken: preview.result.previewToken ?? undefined });
      setPreview({ csv: preview.csv, result });
      if (result.valid) {
        showNotice({ tone: 'success', title: result.applied ? 'Import applied' : 'Nothing to change' });
        await utils.admin.products.invalidate();
      } else {
        setProblem('Some rows could not be applied: see their errors below, then preview again.');
      }
    } catch (error) {
      if (errorReason(error) === 'IMPORT_PREVIEW_STALE') {
        setProblem('The catalogue changed since this preview (a sale, or another edit). Here is a fresh preview: check it and apply again.');
        await runPreview(preview.csv);
        return;
      }
      setProblem(errorMessage(error));
    }
  }

  const result = preview?.result;
  const changes = result ? result.rows.filter((row) => row.action !== 'unchanged' || row.errors.length > 0) : [];
  const canApply = result !== undefined && preview?.csv === csv && result.valid && result.previewToken !== null && changes.length > 0 && !importCsv.isPending;

  return (
    <div className="admin-section">
      <h2>Export</h2>
      <p>One row per variant. Open it in a spreadsheet, edit it, and import it again below.</p>
      <button type="button" className="button" onClick={() => void exportCatalogue()} disabled={exporting}>
        {exporting ? 'Exporting…' : 'Download CSV'}
      </button>

      <h2>Import</h2>
      <div className="field">
        <label htmlFor={fileId}>CSV file</label>
        <input
          id={fileId}
          type="file"
          accept=".csv,text/csv"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (!file) return;
            setFilename(file.name);
            void file.text().then(setCsv);
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={textId}>Or paste it here</label>
        <textarea id={textId} rows={8} value={csv} spellCheck={false} onChange={(event) => setCsv(event.target.value)} />
      </div>
      <button type="button" className="button" onClick={() => void runPreview()} disabled={csv.trim() === '' || importCsv.isPending}>
        Preview
      </button>{' '}
      <button type="button" className="button" onClick={() => void apply()} disabled={!canApply}>
        Apply
      </button>

      {problem ? (
        <p role="alert" className="banner banner--error">
          {problem}
        </p>
      ) : null}

      {result ? (
        <section aria-labelledby={`${textId}-preview`}>
          <h3 id={`${textId}-preview`}>{result.applied ? 'Applied' : 'Preview'}</h3>
          <p role="status">
            {result.summary.rows} rows: {result.summary['create-product']} in new products, {result.summary['create-variant']} new variants, {result.summary.update} updated,{' '}
            {result.summary.unchanged} unchanged, {result.summary.errors} with errors.{' '}
            {result.valid ? (result.applied ? '' : 'Nothing has been written yet.') : 'Nothing will be written until every row is valid.'}
          </p>
          {changes.length > 0 ? (
            <div className="table-scroll">
              <table className="admin-table">
                <thead>
                  <tr>
                    <th scope="col">Row</th>
                    <th scope="col">Product</th>
                    <th scope="col">SKU</th>
                    <th scope="col">Action</th>
                    <th scope="col">Changes</th>
                    <th scope="col">Errors</th>
                  </tr>
                </thead>
                <tbody>
                  {changes.map((row) => (
                    <tr key={row.row}>
                      <th scope="row">{row.row}</th>
                      <td>{row.productSlug}</td>
                      <td>{row.sku}</td>
                      <td>{row.errors.length > 0 ? 'Error' : actionLabels[row.action]}</td>
                      <td>
                        <ul>
                          {row.changes.map((change) => (
                            <li key={change.column}>
                              {change.column}: {change.from === null ? '' : `${change.from} → `}
                              {change.to}
                            </li>
                          ))}
                        </ul>
                      </td>
                      <td>
                        <ul>
                          {row.errors.map((error, index) => (
                            <li key={index}>
                              {error.column ? `${error.column}: ` : ''}
                              {error.message}
                            </li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
