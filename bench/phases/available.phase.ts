/**
 * /available of the reference calendar against its ceiling, the bare Fastify route answering the
 * same bytes: both at saturation, in turns with the `sourced` calendar's /available on the same
 * server (its feeds synced before the server was measured), then both at a steady rate, in turns
 * again.
 * Slotline runs as shipped (info logs, signed requests, metrics); a second server logging
 * warnings only, in the same turns, shows what the request lines cost.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEEDS, log, type Phase } from '../harness.js';
import { fixed, loadColumns, perRequest } from '../report.js';
import { CLOSE_HOUR, HORIZON_DAYS, OPEN_HOUR, RESOURCES, SOURCED_ID } from '../scenario.js';
import { startBare } from '../servers.js';
import { EVENTS_PER_FEED, syncedBusy } from '../sources.js';
import {
  alternating,
  ALTERNATING_ROUNDS,
  captureAvailableAnswer,
  SATURATION_CONNECTIONS,
  STEADY_P99_MS,
  steadyMet,
} from '../workloads.js';
import { REFERENCE_SCENARIO } from './scenarios.js';

/** `sourced` must be as fast as `reference`: within this share of its throughput. */
const SOURCED_TOLERANCE = 0.1;
const SOURCED_PATH = `/calendars/${SOURCED_ID}/available`;

export const availablePhase: Phase = {
  name: 'available',
  async run(bench) {
    const { server: slotline, database } = await bench.launchOnSeed('available', 'slotline (/available)');
    const answer = await captureAvailableAnswer(slotline);
    const bodyFile = join(bench.workDir, 'bare-body.json');
    writeFileSync(bodyFile, answer.text);
    const bare = await startBare({ bodyFile, logFile: join(bench.workDir, 'bare.log') });
    bench.servers.add(bare);
    // What the request log line costs: the same, logging warnings only.
    const { server: quiet } = await bench.launchOnSeed('available-warn', 'slotline (/available, LOG_LEVEL=warn)', {
      logLevel: 'warn',
    });

    // Bare, Slotline, Slotline logging warnings and Slotline's `sourced` in turns, same options, so
    // all see the same machine state; then the steady load on the ceiling and Slotline in turns: what
    // the machine and the load generator add to a p99, measured in the same moments as Slotline's.
    const sourcedAnswer = await captureAvailableAnswer(slotline, SOURCED_PATH);
    const {
      results: [bareResult, available, warnOnly, sourced],
      roundRatios,
    } = await alternating(
      bench,
      [{ server: bare }, { server: slotline }, { server: quiet }, { server: slotline, path: SOURCED_PATH }],
      {
        labels: [
          'bare fastify, 50 connections',
          '/available, 50 connections',
          '/available with LOG_LEVEL=warn, 50 connections',
          `/available on ${SOURCED_ID}, 50 connections`,
        ],
      },
    );
    await bench.stop(quiet);
    bench.figures.bare = bareResult;
    bench.figures.available = available;

    const served = { ...bench.feeds?.served };
    const {
      results: [bareSteady, steadyResult],
    } = await alternating(bench, [{ server: bare }, { server: slotline }], {
      labels: ['bare fastify, steady 1,000 req/s', '/available, steady 1,000 req/s'],
      pace: 'steady',
    });
    await bench.stop(bare);
    await bench.stop(slotline);
    const busy = syncedBusy(database, SOURCED_ID);
    log(
      `${SOURCED_ID}: ${busy.intervals} busy intervals from ${busy.sources} sources (${Math.round(busy.hours)} ` +
        `hours); the feeds answered ${served.full} full downloads and ${served.unchanged} 304s by then`,
    );

    const ratio = available.rps / bareResult.rps;
    const sourcedRatio = sourced.rps / available.rps;
    const { seconds, warmUpSeconds } = bench.settings;
    const openHours = RESOURCES.length * HORIZON_DAYS * (CLOSE_HOUR - OPEN_HOUR);
    return {
      title: '`/available` and its ceiling (SQLite)',
      scenario: REFERENCE_SCENARIO,
      table: {
        kind: 'load',
        rows: [
          { scenario: 'bare Fastify route, 50 connections (ceiling)', ...loadColumns(bareResult), ratio: 1 },
          {
            scenario: '`/available`, 50 connections (saturation)',
            ...loadColumns(available),
            ratio,
            target: '≥ 0.5 × bare',
            met: ratio >= 0.5,
          },
          {
            scenario: `\`/available\` on \`${SOURCED_ID}\` (${FEEDS} ICS sources of ${EVENTS_PER_FEED} events), 50 connections, same server in the same turns`,
            ...loadColumns(sourced),
            ratio: sourced.rps / bareResult.rps,
            target: `≥ ${1 - SOURCED_TOLERANCE} × the row above (${fixed(sourcedRatio, 2)} ×)`,
            met: sourcedRatio >= 1 - SOURCED_TOLERANCE,
          },
          {
            scenario:
              '`/available` with `LOG_LEVEL=warn` (no request lines), 50 connections, another server in the same turns',
            ...loadColumns(warnOnly),
            ratio: warnOnly.rps / bareResult.rps,
          },
          {
            scenario: 'bare Fastify route, steady 1,000 req/s, 20 connections, in turns with the row below',
            ...loadColumns(bareSteady),
          },
          {
            scenario: '`/available`, steady 1,000 req/s, 20 connections',
            ...loadColumns(steadyResult),
            target: `p99 < ${STEADY_P99_MS} ms`,
            met: steadyMet(steadyResult),
          },
        ],
      },
      notes: [
        `The bare route answered the bytes of one real \`/available\` answer: ${answer.slots} slots, ` +
          `${Buffer.byteLength(answer.text)} bytes, from ${answer.first} to ${answer.last}. Each load ran ` +
          `${seconds} s after a ${warmUpSeconds} s warm-up at ${SATURATION_CONNECTIONS} connections (steady: ` +
          `${seconds} s, no warm-up). The bare route, \`/available\`, \`/available\` with \`LOG_LEVEL=warn\` and ` +
          `\`${SOURCED_ID}\`'s took turns: ${ALTERNATING_ROUNDS} rounds of ` +
          `${fixed(seconds / ALTERNATING_ROUNDS, 1)} s each; \`/available\` over bare in each round: ` +
          `${roundRatios.map((ratio) => fixed(ratio, 3)).join(', ')}. The steady loads of the bare route and ` +
          `\`/available\` took turns the same way, so the bare route's p99 is the machine's in the same moments.`,
        `Server CPU per request: at saturation bare ${perRequest(bareResult.serverCpu, bareResult.requests)}, ` +
          `\`/available\` ${perRequest(available.serverCpu, available.requests)} ` +
          `(${fixed(available.serverCpu / available.requests / (bareResult.serverCpu / bareResult.requests), 1)} × bare), ` +
          `with \`LOG_LEVEL=warn\` ${perRequest(warnOnly.serverCpu, warnOnly.requests)}, ` +
          `\`${SOURCED_ID}\` ${perRequest(sourced.serverCpu, sourced.requests)}; at steady 1,000 req/s bare ` +
          `${perRequest(bareSteady.serverCpu, bareSteady.requests)}, \`/available\` ` +
          `${perRequest(steadyResult.serverCpu, steadyResult.requests)}.`,
        `\`${SOURCED_ID}\`: the sync wrote ${busy.intervals.toLocaleString('en-US')} busy intervals from ` +
          `${busy.sources} sources (${Math.round(busy.hours).toLocaleString('en-US')} hours against ` +
          `${openHours.toLocaleString('en-US')} open resource-hours); each feed is ` +
          `${Math.round((served.bytes ?? NaN) / 1024)} KiB, and by the end of its row the feeds had sent ` +
          `${served.full} full answers and ${served.unchanged} 304s. Its answer: ${sourcedAnswer.slots} slots from ` +
          `${sourcedAnswer.first} to ${sourcedAnswer.last} (${Buffer.byteLength(sourcedAnswer.text)} bytes).`,
      ],
    };
  },
};
