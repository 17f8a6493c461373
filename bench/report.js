/**
 * The results tables, printed and written to bench/RESULTS.md.
 */
/* global process */
import { writeFileSync } from 'node:fs';
import os from 'node:os';

const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const count = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');
/** A duration given in ms, in µs below a millisecond. */
const duration = (ms) => {
  if (!Number.isFinite(ms)) return '–';
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
};

/**
 * rows: { scenario, rps, p50, p99, ratio, target, met, other } with met true/false/undefined (no
 * target) and other the share of the machine other processes used meanwhile (0 to 1).
 */
export function table(rows) {
  const lines = [
    '| scenario | req/s | p50 ms | p99 ms | ratio to bare | target | met? | other processes’ CPU |',
    '| --- | ---: | ---: | ---: | ---: | --- | --- | ---: |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.scenario} | ${count(row.rps)} | ${fixed(row.p50, 2)} | ${fixed(row.p99, 2)} | ${fixed(row.ratio, 3)} | ${row.target ?? '–'} | ${metCell(row.met)} | ${percent(row.other)} |`,
    );
  }
  return lines.join('\n');
}

/** rows: { measurement, opsPerSecond, meanMs, p50Ms, p99Ms, calls } from the engine micro-benchmark. */
export function engineTable(rows) {
  const lines = [
    '| measurement | calls/s | mean | p50 | p99 | calls timed |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.measurement} | ${count(row.opsPerSecond)} | ${duration(row.meanMs)} | ${duration(row.p50Ms)} | ${duration(row.p99Ms)} | ${count(row.calls)} |`,
    );
  }
  return lines.join('\n');
}

const percent = (share) => (Number.isFinite(share) ? `${Math.round(share * 100)} %` : '–');
const metCell = (met) => (met === undefined ? '–' : met ? 'yes' : '**no**');

export function machine() {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

const list = (items) => items.map((item) => `- ${item}`).join('\n');

export function writeResults(path, { date, scenario, rows, notes, engine, changes }) {
  const text = `# Benchmark results

Written by \`npm run bench\` (bench/run.js); each run overwrites this file.

- Date: ${date}
- Machine: ${machine()}
- Scenario: ${scenario}

${table(rows)}

${list(notes)}

## Engine alone (in-process, no HTTP, no database)

Scenario: ${engine.scenario}

${engineTable(engine.rows)}

${list(engine.notes)}

## What changed

The optimisations in the code now, behind the figures above:

${list(changes)}
`;
  writeFileSync(path, text);
}
