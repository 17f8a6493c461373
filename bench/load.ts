/**
 * autocannon, run in this process through its programmatic API.
 *
 * Latency percentiles are computed here from the raw per-response times autocannon emits
 * (fractions of a millisecond) instead of its histogram, which stores whole milliseconds and, in
 * rate-limited mode, adds synthetic samples at 1 ms steps: both blur a p99 measured against 5 ms.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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
  /**
   * A steady load only: the longest this process's event loop was held up meanwhile, in ms. The
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
  /** The URL, or the URL of the n-th request (the first one of each connection included). */
  readonly url: string | ((n: number) => string);
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
 * answer counts too.
 */
export async function measurePaced(options: PacedOptions): Promise<LoadResult> {
  const { url, rate, connections, duration, method = 'POST', body, timeout = 10 } = options;
  const headers = { ...(body === undefined ? {} : signedHeaders(body)), ...options.headers };
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  const counts = { requests: 0, non2xx: 0, status5xx: 0, errors: 0, timeouts: 0 };
  const due = Math.floor(rate * duration);
  let sent = 0;
  const nextUrl = typeof url === 'string' ? () => url : () => url(sent++);
  const answers: Promise<void>[] = [];
  const send = (sentAt: number) =>
    new Promise<void>((resolve) => {
      let timedOut = false;
      const request = http.request(nextUrl(), { method, headers, agent }, (response) => {
        response.resume();
        response.on('end', () => {
          counts.requests += 1;
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) latencies.push(performance.now() - sentAt);
          else counts.non2xx += 1;
          if (status >= 500) counts.status5xx += 1;
        });
      });
      request.setTimeout(timeout * 1000, () => {
        timedOut = true;
        counts.timeouts += 1;
        request.destroy();
      });
      request.on('error', () => {
        if (!timedOut) counts.errors += 1;
      });
      // After the answer's end, or once the request failed: every request settles here.
      request.on('close', resolve);
      request.end(body);
    });
  // The connections are opened first, one request each, as autocannon opens its own before it measures.
  await Promise.all(Array.from({ length: connections }, () => send(performance.now())));
  Object.assign(counts, { requests: 0, non2xx: 0, status5xx: 0, errors: 0, timeouts: 0 });
  latencies.length = 0;
  answers.length = 0;
  const started = performance.now();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  await new Promise<void>((finished) => {
    let next = 0;
    const tick = () => {
      const now = performance.now();
      for (; next < due && started + (next * 1000) / rate <= now; next += 1) {
        answers.push(send(now));
      }
      if (next < due) setTimeout(tick, started + (next * 1000) / rate - performance.now());
      else finished();
    };
    tick();
  });
  await Promise.all(answers);
  loop.disable();
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    ...counts,
    seconds,
    rps: counts.requests / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    latencies: sorted,
    pacerHeldUp: loop.max / 1e6,
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
