/**
 * `/available` of the reference calendar while the hostile feeds of hostile-feeds.ts are synced:
 * a config of its own adds the calendar `hostile` (the reference rules, no bookings) whose first
 * resource reads the three feeds, served by this process. The server is measured from its first
 * answer on, while its first sync of those feeds runs: at a steady 1,000 req/s from start-up, at
 * the same rate again (the feeds still syncing, start-up behind it), then at saturation, with its
 * resident memory sampled throughout. A server that hangs is recorded as "no answer",
 * never waited for: every step has a deadline, and the server is killed at the end if SIGTERM
 * does not stop it (or at once past RSS_LIMIT, to spare the shared machine).
 */
import { join } from 'node:path';
import { log, type Bench, type Metered, type Phase } from '../harness.js';
import { HOSTILE_FEED_BYTES, HOSTILE_FEEDS, hostileFeeds } from '../hostile-feeds.js';
import { measure, type LoadResult } from '../load.js';
import { sampleRss } from '../machine-load.js';
import { fixed, type LoadRow, type PhaseReport } from '../report.js';
import { HOSTILE_ID, writeConfig } from '../scenario.js';
import { probe, spawnSlotline, waitReady, type Server, type SourceState } from '../servers.js';
import { serveFeeds, type FeedServer } from '../sources.js';
import { AVAILABLE_BODY, SATURATION_CONNECTIONS, steady } from '../workloads.js';
import { REFERENCE_SCENARIO } from './scenarios.js';

const READY_TIMEOUT_MS = 10_000;
/** Seconds before a request counts as unanswered: far above any normal latency, far below the run. */
const ANSWER_TIMEOUT_S = 2;
const RSS_EVERY_MS = 100;
const RSS_LIMIT = 4 * 1024 ** 3;
/** From the hardening issue: the process stays under this while it handles hostile feeds. */
const RSS_TARGET = 800 * 1024 ** 2;
const P99_TARGET_MS = 10;
const MB = 1024 ** 2;
const STOPPED = {
  SIGTERM: 'exited on SIGTERM',
  SIGKILL: 'ignored SIGTERM for 5 s and was killed',
  'not running': 'had exited by itself',
} as const;

export const hostileFeedsPhase: Phase = {
  name: 'hostile-feeds',
  async run(bench) {
    const feeds = await serveFeeds(hostileFeeds());
    log(`hostile feeds ready: ${HOSTILE_FEEDS.join('; ')}`);
    try {
      return report(bench, await observe(bench, feeds));
    } finally {
      await feeds.close();
    }
  },
};

interface Observed {
  /** When /readyz first answered, in ms from spawning; undefined if it never did in time. */
  readonly ready: number | undefined;
  /** The first steady load, from the first /readyz answer on: start-up and the first syncs. */
  readonly cold: Metered<LoadResult> | undefined;
  /** The same load again right after, the feeds still syncing: what the target is about. */
  readonly steady: Metered<LoadResult> | undefined;
  readonly saturated: LoadResult | undefined;
  /** /healthz right after the loads: its status, or undefined for no answer, and how long it took. */
  readonly healthz: { readonly status: number | undefined; readonly ms: number };
  /** The hostile sources as /readyz showed them after the loads; undefined for no answer. */
  readonly sources: readonly (SourceState & { id: string; stale?: boolean; failures?: number })[] | undefined;
  /** How the server ended, to follow "The server". */
  readonly stopped: string;
  readonly maxRss: number;
  readonly rssSamples: number;
  /** The server's requests for the feeds, `at` in ms from the start of the loads. */
  readonly fetches: readonly { feed: number; at: number; complete: boolean }[];
}

async function observe(bench: Bench, feeds: FeedServer): Promise<Observed> {
  await bench.scenario();
  const config = join(bench.workDir, 'hostile.yaml');
  writeConfig(config, { feedUrl: bench.sourcedFeed, hostileFeeds: HOSTILE_FEEDS.map((_, n) => feeds.url(n)) });
  const server = await spawnSlotline({
    name: 'slotline (hostile feeds)',
    config,
    database: `sqlite:${await bench.seededCopy('hostile')}`,
    logFile: join(bench.workDir, 'hostile.log'),
    nodeFlags: bench.settings.nodeFlags,
  });
  bench.servers.add(server);
  let killedAtLimit = false;
  const rss = sampleRss(server.pid, RSS_EVERY_MS, (bytes) => {
    if (bytes <= RSS_LIMIT || killedAtLimit) return;
    killedAtLimit = true;
    server.stopping = true;
    server.child.kill('SIGKILL');
  });
  try {
    const ready = await waitReady(server, READY_TIMEOUT_MS).then(
      () => Date.now() - server.startedAt,
      () => undefined,
    );
    const loadsFrom = Date.now();
    const loads = ready === undefined ? undefined : await measureLoads(bench, server);
    const healthzFrom = Date.now();
    const healthz = { status: (await probe(server, '/healthz'))?.status, ms: Date.now() - healthzFrom };
    const readyz = await probe(server, '/readyz');
    const sources = readyz?.ok
      ? ((await readyz.json()) as { sources?: Observed['sources'] }).sources?.filter((source) =>
          source.id.startsWith(`${HOSTILE_ID}/`),
        )
      : undefined;
    rss.stop();
    return {
      ready,
      cold: loads?.cold,
      steady: loads?.steady,
      saturated: loads?.saturated,
      healthz,
      sources,
      stopped: killedAtLimit
        ? `was killed past ${RSS_LIMIT / MB} MB of RSS`
        : server.crashed
          ? `had crashed (${server.crashed})`
          : STOPPED[await bench.stop(server)],
      maxRss: rss.max(),
      rssSamples: rss.samples(),
      fetches: feeds.requests.map((request) => ({ ...request, at: request.at - loadsFrom })),
    };
  } finally {
    rss.stop();
    await bench.stop(server);
  }
}

/** The three loads; each ends by itself after the run's seconds, however the server behaves. */
async function measureLoads(bench: Bench, server: Server) {
  const cold = await steady(bench, server, {
    label: `/available from start-up while ${HOSTILE_ID}'s feeds sync, steady 1,000 req/s`,
    timeout: ANSWER_TIMEOUT_S,
  });
  const steadyResult = await steady(bench, server, {
    label: `/available while ${HOSTILE_ID}'s feeds sync, steady 1,000 req/s`,
    timeout: ANSWER_TIMEOUT_S,
  });
  const saturated = await measure({
    url: `${server.url}/available`,
    connections: SATURATION_CONNECTIONS,
    duration: bench.settings.seconds,
    body: AVAILABLE_BODY,
    timeout: ANSWER_TIMEOUT_S,
  });
  return { cold, steady: steadyResult, saturated };
}

function report(bench: Bench, observed: Observed): PhaseReport {
  const { cold, steady: steadyResult, saturated, maxRss } = observed;
  const answered = (result: LoadResult | undefined) => (result?.latencies.length ?? 0) > 0;
  const label = (text: string, result: LoadResult | undefined) => (answered(result) ? text : `${text}: **no answer**`);
  const bare = bench.figures.bare;
  const rows: LoadRow[] = [
    {
      scenario: label(
        `\`/available\` on \`reference\` from the first \`/readyz\` answer (start-up, first syncs, no warm-up), steady 1,000 req/s, 20 connections`,
        cold,
      ),
      rps: cold?.rps,
      p50: cold?.p50,
      p99: cold?.p99,
      other: cold?.other,
    },
    {
      scenario: label(
        `\`/available\` on \`reference\` right after, \`${HOSTILE_ID}\`'s feeds still syncing, steady 1,000 req/s, 20 connections`,
        steadyResult,
      ),
      rps: steadyResult?.rps,
      p50: steadyResult?.p50,
      p99: steadyResult?.p99,
      other: steadyResult?.other,
      target: `p99 < ${P99_TARGET_MS} ms`,
      met: answered(steadyResult) && (steadyResult?.p99 ?? NaN) < P99_TARGET_MS && steadyResult?.timeouts === 0,
    },
    {
      scenario: label(`\`/available\` on \`reference\` while the feeds sync, 50 connections, no warm-up`, saturated),
      rps: saturated?.rps,
      p50: saturated?.p50,
      p99: saturated?.p99,
      ...(bare && saturated ? { ratio: saturated.rps / bare.rps } : {}),
    },
    {
      scenario: `Slotline's largest resident memory during the phase: ${fixed(maxRss / MB, 0)} MB`,
      target: `< ${RSS_TARGET / MB} MB`,
      met: maxRss < RSS_TARGET,
    },
  ];
  const unanswered = (result: LoadResult | undefined) =>
    result
      ? `${result.latencies.length} 2xx answers, ${result.timeouts} timeouts, ${result.errors} errors` +
        (result.pacerHeldUp === undefined
          ? ''
          : ` (the pacer's event loop held up at most ${fixed(result.pacerHeldUp, 1)} ms)`)
      : 'not run';
  return {
    title: 'Hostile calendar feeds being synced (SQLite)',
    scenario:
      `${REFERENCE_SCENARIO} In a config of its own, calendar \`${HOSTILE_ID}\` has the reference rules and ` +
      `resources, no bookings, and its first resource reads three ICS feeds served by the bench: ` +
      `${HOSTILE_FEEDS.join('; ')}.`,
    table: { kind: 'load', rows },
    notes: [
      observed.ready === undefined
        ? `/readyz gave no answer within ${READY_TIMEOUT_MS / 1000} s of spawning the server: no load was run.`
        : `/readyz first answered ${observed.ready} ms after spawning; the loads started at once, each ` +
          `${bench.settings.seconds} s, a request unanswered after ${ANSWER_TIMEOUT_S} s counting as a timeout: ` +
          `from start-up ${unanswered(cold)}; steady ${unanswered(steadyResult)}; saturation ${unanswered(saturated)}.`,
      `Feed requests by the server, seconds from the start of the loads (✓ sent whole): ` +
        (observed.fetches.length === 0
          ? 'none.'
          : observed.fetches
              .map((fetch) => `feed ${fetch.feed} at ${(fetch.at / 1000).toFixed(1)} s ${fetch.complete ? '✓' : '✗'}`)
              .join(', ') + `. Feed 2 is ${(HOSTILE_FEED_BYTES / MB).toFixed(0)} MB.`),
      `After the loads: /healthz ${observed.healthz.status === undefined ? 'gave no answer' : `answered ${observed.healthz.status}`} ` +
        `(${observed.healthz.ms} ms); /readyz ${
          observed.sources === undefined
            ? 'gave no answer'
            : `showed the hostile sources as ${JSON.stringify(observed.sources.map(({ stale, synced_at, failures }) => ({ stale, synced_at, failures })))}`
        }.`,
      `Resident memory sampled every ${RSS_EVERY_MS} ms (${observed.rssSamples} samples), largest ` +
        `${fixed(maxRss / MB, 0)} MB. The server ${observed.stopped}.`,
    ],
  };
}
