// Plain Markdown tables: they read well in a terminal and paste straight into BENCHMARKS.md.

export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(3, ...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...cells.slice(1).map(line)].join('\n');
}

export function rate(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(value >= 10 ? 1 : 2)} ms`;
}

export function percent(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  // Math.round(-0.2) is -0, and (-0).toFixed() would print "-0%".
  const rounded = Math.round(value * 100) || 0;
  return `${rounded}%`;
}

export function times(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : 'n/a';
}

export function met(ok: boolean | null): string {
  if (ok === null) return 'n/a';
  return ok ? 'met' : '**not met**';
}

export function list(values: number[], format: (value: number) => string = rate): string {
  return values.map(format).join(' / ');
}
