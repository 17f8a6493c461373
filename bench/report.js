/**
 * The results table, printed and written to bench/RESULTS.md.
 */
/* global process */
import { writeFileSync } from 'node:fs';
import os from 'node:os';

const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const count = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');

/** rows: { scenario, rps, p50, p99, ratio, target, met } with met true/false/undefined (no target). */
export function table(rows) {
  const lines = [
    '| scenario | req/s | p50 ms | p99 ms | ratio to bare | target | met? |',
    '| --- | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const row of rows) {
    const met = row.met === undefined ? '–' : row.met ? 'yes' : '**no**';
    lines.push(
      `| ${row.scenario} | ${count(row.rps)} | ${fixed(row.p50, 2)} | ${fixed(row.p99, 2)} | ${fixed(row.ratio, 3)} | ${row.target ?? '–'} | ${met} |`,
    );
  }
  return lines.join('\n');
}

export function machine() {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function writeResults(path, { date, scenario, rows, notes }) {
  const text = `# Benchmark results

Written by \`npm run bench\` (bench/run.js); each run overwrites this file.

- Date: ${date}
- Machine: ${machine()}
- Scenario: ${scenario}

${table(rows)}

${notes.map((note) => `- ${note}`).join('\n')}
`;
  writeFileSync(path, text);
}
