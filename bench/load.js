/**
 * autocannon, run in this process through its programmatic API.
 *
 * Latency percentiles are computed here from the raw per-response times autocannon emits
 * (fractions of a millisecond) instead of its histogram, which stores whole milliseconds and, in
 * rate-limited mode, adds synthetic samples at 1 ms steps: both blur a p99 measured against 5 ms.
 */
import autocannon from 'autocannon';

export const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * One autocannon run. `options` are autocannon's (url, connections, duration, overallRate,
 * requests, …). Returns throughput, percentiles of 2xx answers, and what went wrong.
 */
export async function measure(options) {
  const latencies = [];
  const run = autocannon({ method: 'POST', headers: JSON_HEADERS, ...options });
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
  };
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/** A short warm-up: lets V8 optimise the hot paths before the measured run. */
export async function warmUp(options, seconds = 2) {
  await measure({ ...options, duration: seconds });
}
