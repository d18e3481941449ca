/**
 * The runner behind `npm run bench`: finds every compiled `*.bench.js` under packages/, apps/
 * and tools/, runs each suite's cases in one process, and prints one table.
 */
import { readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatNumber, formatTarget, meetsTarget, type BenchmarkSuite, type Target } from './suite.js';

/** One row of the results table. */
export interface BenchmarkRow {
  /** The package. */
  readonly package: string;
  /** The case. */
  readonly name: string;
  /** The figure. */
  readonly value: number;
  /** Its unit. */
  readonly unit: string;
  /** The target, if any. */
  readonly target?: Target;
  /** Whether the target is met. */
  readonly ok: boolean;
  /** Extra figures. */
  readonly details?: Readonly<Record<string, number | string>>;
}

/** Finds the compiled benchmark files of a workspace. */
export function findBenchmarkFiles(workspace: string): string[] {
  const files: string[] = [];
  for (const group of ['packages', 'apps', 'tools']) {
    const base = join(workspace, group);
    if (!existsSync(base)) continue;
    for (const pkg of readdirSync(base).sort()) {
      const dist = join(base, pkg, 'dist');
      if (existsSync(dist)) collect(dist, files);
    }
  }
  return files;
}

function collect(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (entry.endsWith('.bench.js')) out.push(path);
  }
}

/** Runs the suites in `files` (those whose package or case name contains `filter`), reporting rows as they finish. */
export async function runBenchmarks(files: readonly string[], filter: string | undefined, onRow: (row: BenchmarkRow) => void): Promise<BenchmarkRow[]> {
  const rows: BenchmarkRow[] = [];
  for (const file of files) {
    const suite = (await import(pathToFileURL(file).href)).default as BenchmarkSuite | undefined;
    if (!suite || !Array.isArray(suite.cases)) throw new Error(`${file} does not default-export a benchmark suite`);
    for (const c of suite.cases) {
      if (filter && !suite.package.includes(filter) && !c.name.includes(filter)) continue;
      const measurement = await c.run();
      const row: BenchmarkRow = {
        package: suite.package,
        name: c.name,
        value: measurement.value,
        unit: c.unit,
        ...(c.target ? { target: c.target } : {}),
        ok: meetsTarget(measurement.value, c.target),
        ...(measurement.details ? { details: measurement.details } : {}),
      };
      rows.push(row);
      onRow(row);
    }
  }
  return rows;
}

/** Renders rows as one aligned text table. */
export function formatTable(rows: readonly BenchmarkRow[]): string {
  const header = ['package', 'benchmark', 'value', 'unit', 'target', 'ok', 'details'];
  const body = rows.map((r) => [
    r.package,
    r.name,
    formatNumber(r.value),
    r.unit,
    formatTarget(r.target),
    r.target ? (r.ok ? 'yes' : 'NO') : '',
    r.details ? Object.entries(r.details).map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`).join(' ') : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Renders rows as a Markdown table, for docs/benchmarks.md. */
export function formatMarkdown(rows: readonly BenchmarkRow[]): string {
  const lines = ['| package | benchmark | value | unit | target | met | details |', '|---|---|---:|---|---|---|---|'];
  for (const r of rows) {
    const details = r.details ? Object.entries(r.details).map(([k, v]) => `${k} = ${typeof v === 'number' ? formatNumber(v) : v}`).join('; ') : '';
    lines.push(`| ${r.package} | ${r.name} | ${formatNumber(r.value)} | ${r.unit} | ${formatTarget(r.target)} | ${r.target ? (r.ok ? 'yes' : 'no') : ''} | ${details} |`);
  }
  return lines.join('\n');
}

/** Command line: `bench [--filter TEXT] [--json] [--markdown]`, run from the workspace root. */
export async function main(argv: readonly string[], workspace: string): Promise<number> {
  const filterAt = argv.indexOf('--filter');
  const filter = filterAt >= 0 ? argv[filterAt + 1] : undefined;
  const files = findBenchmarkFiles(workspace);
  process.stderr.write(`running ${files.length} benchmark files: ${files.map((f) => relative(workspace, f)).join(', ')}\n`);
  const rows = await runBenchmarks(files, filter, (row) => process.stderr.write(`  ${row.package} ${row.name}: ${formatNumber(row.value)} ${row.unit}\n`));
  if (argv.includes('--json')) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  else if (argv.includes('--markdown')) process.stdout.write(formatMarkdown(rows) + '\n');
  else process.stdout.write(formatTable(rows) + '\n');
  return 0;
}
