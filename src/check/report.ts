import type { CheckReport, CheckResult } from './check.js';

/** One line per check under a header, columns aligned, then the counts. */
export function renderTable(report: CheckReport): string {
  const rows = [
    ['check', 'result', 'detail'],
    ...report.results.map((result) => [result.name, result.outcome, withLatency(result)]),
  ];
  const nameWidth = Math.max(...rows.map(([name]) => name!.length));
  const outcomeWidth = Math.max(...rows.map(([, outcome]) => outcome!.length));
  const lines = rows.map(
    ([name, outcome, detail]) => `${name!.padEnd(nameWidth)}  ${outcome!.padEnd(outcomeWidth)}  ${detail}`,
  );
  const { passed, warned, failed } = report.summary;
  return [...lines, '', `${passed} passed, ${warned} warned, ${failed} failed`].join('\n');
}

/** The whole report, every request with its latency included. */
export function renderJson(report: CheckReport): string {
  return JSON.stringify(report, null, 2);
}

function withLatency({ detail, requests }: CheckResult): string {
  if (requests.length === 0) return detail;
  if (requests.length === 1) return `${detail} (${requests[0]!.ms} ms)`;
  const max = Math.max(...requests.map((request) => request.ms));
  return `${detail} (${requests.length} requests, max ${max} ms)`;
}
