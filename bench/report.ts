/**
 * What a phase hands back, and the tables: printed at the end of a run and written to the results file.
 */
import os from 'node:os';

/**
 * One row of a load table. `met` is true/false, or undefined where there is no target; `other` is
 * the share of the machine other processes used meanwhile (0 to 1).
 */
export interface LoadRow {
  readonly scenario: string;
  readonly rps?: number;
  readonly p50?: number;
  readonly p99?: number;
  readonly ratio?: number;
  readonly target?: string;
  readonly met?: boolean;
  readonly other?: number;
}

/** A measured load's figures in a row: throughput, p50, p99 and the others' share of the machine. */
export function loadColumns(result: {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly other: number;
}): Pick<LoadRow, 'rps' | 'p50' | 'p99' | 'other'> {
  return { rps: result.rps, p50: result.p50, p99: result.p99, other: result.other };
}

/** One row of the engine micro-benchmark. */
export interface EngineRow {
  readonly measurement: string;
  readonly opsPerSecond: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly calls: number;
}

export type Table =
  | { readonly kind: 'load'; readonly rows: readonly LoadRow[] }
  | {
      readonly kind: 'engine';
      readonly rows: readonly EngineRow[];
    };

/** What a phase measured: a table and notes that carry this run's figures. */
export interface PhaseReport {
  readonly title: string;
  readonly scenario: string;
  readonly table: Table;
  readonly notes: readonly string[];
  /** For a table without the column: the share of the machine other processes used meanwhile. */
  readonly other?: number;
}

export const fixed = (value: number | undefined, digits: number): string =>
  value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : '–';
export const count = (value: number | undefined): string =>
  value !== undefined && Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
export const micro = (ms: number): string => `${Math.round(ms * 1000)} µs`;
/** CPU seconds per request (or per booking) in µs, e.g. "38 µs". */
export const perRequest = (cpuSeconds: number | undefined, requests: number): string =>
  cpuSeconds !== undefined && Number.isFinite(cpuSeconds) && requests > 0
    ? micro((cpuSeconds * 1000) / requests)
    : 'unknown';
/** A duration given in ms, in µs below a millisecond. */
const duration = (ms: number) => {
  if (!Number.isFinite(ms)) return '–';
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
};
const percent = (share: number | undefined) =>
  share !== undefined && Number.isFinite(share) ? `${Math.round(share * 100)} %` : '–';
const metCell = (met: boolean | undefined) => (met === undefined ? '–' : met ? 'yes' : '**no**');

export function table(rendered: Table): string {
  if (rendered.kind === 'engine') {
    return [
      '| measurement | calls/s | mean | p50 | p99 | calls timed |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...rendered.rows.map(
        (row) =>
          `| ${row.measurement} | ${count(row.opsPerSecond)} | ${duration(row.meanMs)} | ${duration(row.p50Ms)} | ` +
          `${duration(row.p99Ms)} | ${count(row.calls)} |`,
      ),
    ].join('\n');
  }
  return [
    '| scenario | req/s | p50 ms | p99 ms | ratio to bare | target | met? | other processes’ CPU |',
    '| --- | ---: | ---: | ---: | ---: | --- | --- | ---: |',
    ...rendered.rows.map(
      (row) =>
        `| ${row.scenario} | ${count(row.rps)} | ${fixed(row.p50, 2)} | ${fixed(row.p99, 2)} | ` +
        `${fixed(row.ratio, 3)} | ${row.target ?? '–'} | ${metCell(row.met)} | ${percent(row.other)} |`,
    ),
  ].join('\n');
}

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

const list = (items: readonly string[]) => items.map((item) => `- ${item}`).join('\n');

/** The results file: the run's settings, then each phase's table and notes, then the run's own notes. */
export function results({
  settings,
  reports,
  notes,
}: {
  settings: readonly string[];
  reports: readonly PhaseReport[];
  notes: readonly string[];
}): string {
  const sections = reports.map(
    (report) =>
      `## ${report.title}\n\nScenario: ${report.scenario}\n\n` +
      (report.table.rows.length > 0 ? `${table(report.table)}\n\n` : '') +
      `${list(report.notes)}\n`,
  );
  return `# Benchmark results

Written by \`npm run bench\` (bench/run.ts) from this run's measurements only; what each phase measures,
how, and earlier figures: [README.md](README.md).

${list([`Machine: ${machine()}`, ...settings])}

${sections.join('\n')}
## The run

${list(notes)}
`;
}
