/**
 * autocannon, run in this process through its programmatic API, and a steady load of our own,
 * paced in a worker thread (paced-load.ts).
 *
 * Latency percentiles are computed here from the raw per-response times autocannon emits
 * (fractions of a millisecond) instead of its histogram, which stores whole milliseconds and, in
 * rate-limited mode, adds synthetic samples at 1 ms steps: both blur a p99 measured against 5 ms.
 */
import { Worker } from 'node:worker_threads';
import autocannon, { type Options } from 'autocannon';
import { sign } from '../src/contract/signature.js';
import { pacedRequests, type PacedCounts, type PacedLoad } from './paced-load.js';
import { SIGNING_KEY } from './scenario.js';

const PACED_LOAD = new URL('./paced-load.js', import.meta.url);

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
  /**
   * A steady load only: the longest the pacer's event loop (its worker thread) was held up, in ms. The
   * requests due then went out together after it, so a long one shows in the p99 without being
   * the server's (see the hostile-feeds phase in README.md).
   */
  readonly pacerHeldUp?: number;
}

/**
 * One autocannon run. `options` are autocannon's (url, connections, duration,
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

export interface PacedOptions {
  /** One URL for every request, or the URL of each request in order (`pacedRequests` of them). */
  readonly url: string | readonly string[];
  readonly rate: number;
  readonly connections: number;
  readonly duration: number;
  readonly method?: 'GET' | 'POST';
  /** A POST body, signed as telli signs. */
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** Seconds after which an answer counts as a timeout. */
  readonly timeout?: number;
}

/**
 * A steady load: request i is due at i / rate seconds, and is sent then on one of `connections`
 * keep-alive connections (or waits for one to be free). autocannon's own rate limit is not
 * steady: each connection sends back to back until it has made its share of the second, then
 * waits for the next second, so "1,000 req/s" arrives as a burst at saturation once a second, and
 * its p99 is that of a saturated server. A latency here runs from the moment the request was sent
 * (a timer tick at most a millisecond after it was due: the server is not blamed for the timer's
 * lateness) to its answer's last byte, so time spent waiting for a free connection behind a slow
 * answer counts too. The load runs in a worker thread (paced-load.ts), away from this process's
 * other work.
 */
export async function measurePaced(options: PacedOptions): Promise<LoadResult> {
  const { url, body, method = 'POST', timeout = 10 } = options;
  if (typeof url !== 'string' && url.length < pacedRequests(options)) {
    throw new Error(`a paced load of ${pacedRequests(options)} requests was given ${url.length} URLs`);
  }
  const load: PacedLoad = {
    url,
    rate: options.rate,
    connections: options.connections,
    duration: options.duration,
    method,
    ...(body === undefined ? {} : { body }),
    headers: { ...(body === undefined ? {} : signedHeaders(body)), ...options.headers },
    timeout,
  };
  const worker = new Worker(PACED_LOAD, { workerData: load });
  const counts = await new Promise<PacedCounts>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the paced load's worker exited with code ${code}`)));
  });
  const { latencies, seconds, requests } = counts;
  return { ...counts, rps: requests / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
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
  const heldUp = results.flatMap((result) => (result.pacerHeldUp === undefined ? [] : [result.pacerHeldUp]));
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
    ...(heldUp.length > 0 ? { pacerHeldUp: Math.max(...heldUp) } : {}),
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
