/**
 * The steady load of `measurePaced` (load.ts), run in a worker thread of its own: this module is
 * the worker. The bench's main thread also serves the calendar feeds (the hostile 50 MB one among
 * them), reads every server's log pipe and collects its own garbage; a pacer on that event loop was
 * held up by all of it, and a steady load's p99 followed the hold-ups rather than the server
 * (bench/README.md, 2026-12-02, third session). Here the pacer's event loop and heap are its own.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

export interface PacedLoad {
  /** One URL for every request, or the URL of each request in order (the connections' opening requests first). */
  readonly url: string | readonly string[];
  readonly rate: number;
  readonly connections: number;
  readonly duration: number;
  readonly method: 'GET' | 'POST';
  readonly body?: string;
  readonly headers: Record<string, string>;
  /** Seconds after which an answer counts as a timeout. */
  readonly timeout: number;
}

export interface PacedCounts {
  readonly requests: number;
  readonly seconds: number;
  readonly non2xx: number;
  readonly status5xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Every 2xx answer's latency in ms, ascending (in its own buffer, handed over to the main thread). */
  readonly latencies: Float64Array<ArrayBuffer>;
  /** The longest this worker's event loop was held up, in ms. */
  readonly pacerHeldUp: number;
}

/** How many requests a paced load sends: one to open each connection, then `rate` a second. */
export function pacedRequests({ rate, connections, duration }: Pick<PacedLoad, 'rate' | 'connections' | 'duration'>) {
  return connections + Math.floor(rate * duration);
}

async function pace(load: PacedLoad): Promise<PacedCounts> {
  const { url, rate, connections, duration, method, body, headers, timeout } = load;
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  const counts = { requests: 0, non2xx: 0, status5xx: 0, errors: 0, timeouts: 0 };
  const due = Math.floor(rate * duration);
  let sent = 0;
  const nextUrl = typeof url === 'string' ? () => url : () => url[sent++]!;
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
  return {
    ...counts,
    seconds: (performance.now() - started) / 1000,
    latencies: Float64Array.from(latencies).sort(),
    pacerHeldUp: loop.max / 1e6,
  };
}

if (!isMainThread) {
  const counts = await pace(workerData as PacedLoad);
  parentPort?.postMessage(counts, [counts.latencies.buffer]);
}
