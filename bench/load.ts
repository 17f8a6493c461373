/**
 * autocannon, run in this process through its programmatic API.
 *
 * Latency percentiles are computed here from the raw per-response times autocannon emits
 * (fractions of a millisecond) instead of its histogram, which stores whole milliseconds and, in
 * rate-limited mode, adds synthetic samples at 1 ms steps: both blur a p99 measured against 5 ms.
 */
import autocannon, { type Options } from 'autocannon';
import { sign } from '../src/contract/signature.js';
import { SIGNING_KEY } from './scenario.js';

export const JSON_HEADERS = { 'content-type': 'application/json' };

/** A JSON body's headers as telli sends them: signed with the scenarios' key. */
export function signedHeaders(body: string): Record<string, string> {
  return { ...JSON_HEADERS, 'x-telli-signature': sign(body, SIGNING_KEY) };
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  /** Percentiles of the 2xx answers' latencies, in ms; NaN when none came. */
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly status5xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Every 2xx answer's latency, ascending. */
  readonly latencies: Float64Array;
}

/**
 * One autocannon run. `options` are autocannon's (url, connections, duration, overallRate,
 * requests, …); a fixed body is signed. Returns throughput, percentiles of 2xx answers (and their sorted `latencies`), and
 * what went wrong.
 */
export async function measure(options: Options): Promise<LoadResult> {
  const latencies: number[] = [];
  const headers = typeof options.body === 'string' ? signedHeaders(options.body) : JSON_HEADERS;
  const run = autocannon({ method: 'POST', headers, ...options });
  run.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await run;
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: result.requests.total,
    seconds: result.duration,
    rps: result.requests.total / result.duration,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    non2xx: result.non2xx,
    status5xx: result['5xx'],
    errors: result.errors,
    timeouts: result.timeouts,
    latencies: sorted,
  };
}

/**
 * Several runs made at the same time (one per server, since autocannon takes one URL) as one:
 * throughputs and counts add up, percentiles come from all their samples together.
 */
export function combine(results: readonly LoadResult[]): LoadResult {
  return merged(results, {
    seconds: Math.max(...results.map((result) => result.seconds)),
    rps: results.reduce((total, result) => total + result.rps, 0),
  });
}

/** Runs made one after another against one server as one: its requests over their seconds together. */
export function inSequence(results: readonly LoadResult[]): LoadResult {
  const seconds = results.reduce((total, result) => total + result.seconds, 0);
  const requests = results.reduce((total, result) => total + result.requests, 0);
  return merged(results, { seconds, rps: requests / seconds });
}

function merged(results: readonly LoadResult[], time: Pick<LoadResult, 'seconds' | 'rps'>): LoadResult {
  const latencies = new Float64Array(results.reduce((sum, result) => sum + result.latencies.length, 0));
  let at = 0;
  for (const result of results) {
    latencies.set(result.latencies, at);
    at += result.latencies.length;
  }
  latencies.sort();
  const sum = (key: 'requests' | 'non2xx' | 'status5xx' | 'errors' | 'timeouts') =>
    results.reduce((total, result) => total + result[key], 0);
  return {
    requests: sum('requests'),
    ...time,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    non2xx: sum('non2xx'),
    status5xx: sum('status5xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    latencies,
  };
}

/** Nearest-rank percentile of an ascending array; NaN for none. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}

/** A short warm-up: lets V8 optimise the hot paths before the measured run. */
export async function warmUp(options: Options, seconds = 2): Promise<void> {
  await measure({ ...options, duration: seconds });
}

/** The same run against several servers at once, one autocannon each; see `combine`. */
export async function measureEach(optionsList: readonly Options[]): Promise<LoadResult> {
  return combine(await Promise.all(optionsList.map((options) => measure(options))));
}
