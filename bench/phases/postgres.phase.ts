/**
 * On PostgreSQL, with one Slotline process and then with two on the same database (the first one
 * stays up): /available at saturation and a /book storm, each storm followed by the double-booking
 * check in SQL. The storm calendar is emptied between the two storms. One process's /available takes
 * turns with the bare route answering its bytes, at saturation and at the steady rate, as the
 * `available` phase measures SQLite's: each ratio and p99 beside the ceiling's in the same moments.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DoubleBookingCheck } from '../book-storm.js';
import { log, type Figures, type Metered, type Phase } from '../harness.js';
import type { LoadResult } from '../load.js';
import { clearCalendar, type BenchDatabase } from '../postgres.js';
import { fixed, loadColumns, perRequest, type LoadRow } from '../report.js';
import { STORM_ID } from '../scenario.js';
import { startBare } from '../servers.js';
import {
  alternating,
  ALTERNATING_ROUNDS,
  captureAvailableAnswer,
  checkDoubles,
  saturation,
  STEADY_P99_MS,
  steadyMet,
  storm,
  type Storm,
} from '../workloads.js';
import { STORM_SCENARIO } from './scenarios.js';

export const postgresPhase: Phase = {
  name: 'postgres',
  async run(bench) {
    const { config } = await bench.scenario();
    const database = await bench.database();
    const title = 'PostgreSQL, one and two processes';
    const scenario = `the reference scenario and ${STORM_SCENARIO.replace(/^calendar/, 'the storm calendar')}`;
    if ('unavailable' in database) {
      return { title, scenario, table: { kind: 'load', rows: [] }, notes: [`Left out: ${database.unavailable}.`] };
    }
    const options = (n: number) => ({
      name: `slotline (PostgreSQL ${n})`,
      config,
      database: database.url,
      logFile: join(bench.workDir, `postgres-${n}.log`),
    });
    const first = await bench.launch(options(1));
    const bodyFile = join(bench.workDir, 'postgres-bare-body.json');
    writeFileSync(bodyFile, (await captureAvailableAnswer(first)).text);
    const bare = await startBare({ bodyFile, logFile: join(bench.workDir, 'postgres-bare.log') });
    bench.servers.add(bare);
    const turns = [{ server: bare }, { server: first }] as const;
    const {
      results: [bare1, available1],
    } = await alternating(bench, turns, {
      labels: ['bare fastify beside PostgreSQL, 50 connections', 'PostgreSQL /available, 1 process, 50 connections'],
    });
    const {
      results: [bareSteady1, steady1],
    } = await alternating(bench, turns, {
      labels: [
        'bare fastify beside PostgreSQL, steady 1,000 req/s',
        'PostgreSQL /available, 1 process, steady 1,000 req/s',
      ],
      pace: 'steady',
    });
    await bench.stop(bare);
    const second = await bench.launch(options(2));
    const available2 = await saturation(bench, [first, second], {
      label: 'PostgreSQL /available, 2 processes, 2 × 25 connections',
    });
    const storm1 = await storm(bench, first, {
      prefix: 'pg-storm-',
      label: 'PostgreSQL /book storm, 1 process, 50 connections',
    });
    const check1 = await checkDoubles('one-process storm on PostgreSQL', database);
    await clearCalendar(database, STORM_ID);
    const storm2 = await storm(bench, [first, second], {
      prefix: 'pg2-storm-',
      label: 'PostgreSQL /book storm, 2 processes, 2 × 25 connections',
    });
    const check2 = await checkDoubles('two-process storm on PostgreSQL', database);
    await bench.stop(first);
    await bench.stop(second);
    log(`PostgreSQL: the first process had synced its sources ${first.firstSync?.fromStart} ms after it was spawned`);
    const measured = { bare1, available1, bareSteady1, steady1, available2, storm1, storm2, check1, check2 };
    return {
      title,
      scenario,
      table: { kind: 'load', rows: rows(measured, bench.settings.seconds) },
      notes: notes(measured, database, bench.figures),
    };
  },
};

interface Measured {
  /** The bare route in turns with `available1`, then with `steady1`. */
  readonly bare1: Metered<LoadResult>;
  readonly available1: Metered<LoadResult>;
  readonly bareSteady1: Metered<LoadResult>;
  readonly steady1: Metered<LoadResult>;
  readonly available2: Metered<LoadResult>;
  readonly storm1: Storm;
  readonly storm2: Storm;
  readonly check1: DoubleBookingCheck;
  readonly check2: DoubleBookingCheck;
}

/** Issue 12's target: PostgreSQL /available against the bare route (its steady p99: `steadyMet`). */
const PG_RATIO = 0.4;
/** Successful bookings/s of a storm on PostgreSQL with one process (issue 12). */
const PG_STORM_TARGET = 600;
/** Server CPU per /available (Slotline and its PostgreSQL backends) against SQLite's. */
const CPU_RATIO = 1.5;

function rows(measured: Measured, seconds: number): LoadRow[] {
  const available = (scenario: string, result: Metered<LoadResult>): LoadRow => {
    const ratio = result.rps / measured.bare1.rps;
    return { scenario, ...loadColumns(result), ratio, target: `≥ ${PG_RATIO} × bare`, met: ratio >= PG_RATIO };
  };
  /** `minimum`: the bookings/s the storm must reach (issue 12: with one process), besides none doubled. */
  const storms = (label: string, result: Storm, check: DoubleBookingCheck, minimum?: number): LoadRow[] => [
    {
      scenario: `\`/book\` storm on \`${STORM_ID}\`, PostgreSQL, ${label} (all answers)`,
      ...loadColumns(result),
    },
    {
      scenario: `\`/book\` storm, PostgreSQL, ${label}: successful bookings/s, average over the ${seconds} s`,
      rps: result.successRate,
      other: result.other,
      target: minimum === undefined ? 'none doubled' : `≥ ${minimum} bookings/s, none doubled`,
      met: (minimum === undefined || result.successRate >= minimum) && check.doubles.length === 0,
    },
  ];
  return [
    {
      scenario: 'bare Fastify route, 50 connections (ceiling, in turns with the row below)',
      ...loadColumns(measured.bare1),
      ratio: 1,
    },
    available('`/available`, PostgreSQL, 1 process, 50 connections', measured.available1),
    {
      scenario: 'bare Fastify route, steady 1,000 req/s, 20 connections, in turns with the row below',
      ...loadColumns(measured.bareSteady1),
    },
    {
      scenario: '`/available`, PostgreSQL, 1 process, steady 1,000 req/s, 20 connections',
      ...loadColumns(measured.steady1),
      target: `p99 < ${STEADY_P99_MS} ms`,
      met: steadyMet(measured.steady1),
    },
    available(
      '`/available`, PostgreSQL, 2 processes on one database, 2 × 25 connections (against the bare route above)',
      measured.available2,
    ),
    ...storms('1 process, 50 connections', measured.storm1, measured.check1, PG_STORM_TARGET),
    ...storms('2 processes on one database, 2 × 25 connections', measured.storm2, measured.check2),
  ];
}

/** The one-process /available CPU (Slotline plus PostgreSQL) against SQLite's, with its target. */
function cpuRatio(postgres: Metered<LoadResult>, sqlite: Metered<LoadResult> | undefined): string {
  if (!sqlite) return '';
  const ratio =
    (postgres.serverCpu + (postgres.databaseCpu ?? 0)) / postgres.requests / (sqlite.serverCpu / sqlite.requests);
  return ` (${fixed(ratio, 2)} × SQLite's, target ≤ ${CPU_RATIO} ×: ${ratio <= CPU_RATIO ? 'met' : 'not met'})`;
}

function notes(
  { available1, available2, storm1, storm2, check1, check2 }: Measured,
  database: BenchDatabase,
  sqlite: Figures,
): string[] {
  const cpu = (result: Metered<LoadResult>, per = result.requests) =>
    `Slotline ${perRequest(result.serverCpu, per)} + PostgreSQL ${perRequest(result.databaseCpu, per)}`;
  const onSqlite = (result: Metered<LoadResult> | undefined, per = result?.requests ?? NaN) =>
    result ? perRequest(result.serverCpu, per) : 'not measured in this run';
  const storms = [
    ['one process', storm1],
    ['two processes', storm2],
  ] as const;
  return [
    `PostgreSQL ${database.version}. The bare route answered the bytes of the first process's \`/available\` answer and ` +
      `took turns with it: ${ALTERNATING_ROUNDS} rounds at saturation, then ${ALTERNATING_ROUNDS} at the steady rate.`,
    ...storms.map(
      ([label, result]) =>
        `Storm, ${label}: ${result.successes} of ${result.requests} answers said success; per second ` +
        `${result.perSecond.join(', ')}.` +
        (result.firstFailure ? ` First failure: ${result.firstFailure}` : ''),
    ),
    `Two processes made ${fixed(storm2.successRate / storm1.successRate, 2)} × the bookings of one and ` +
      `${fixed(available2.rps / available1.rps, 2)} × the \`/available\` throughput of one.`,
    `Double bookings in SQL: ${check1.doubles.length} of ${check1.activeRows} active rows after the one-process ` +
      `storm, ${check2.doubles.length} of ${check2.activeRows} after the two-process storm.`,
    `CPU per request: \`/available\` one process ${cpu(available1)}, two processes ${cpu(available2)}, SQLite ` +
      `${onSqlite(sqlite.available)}${cpuRatio(available1, sqlite.available)}; per successful \`/book\` one process ${cpu(storm1, storm1.successes)}, two ` +
      `processes ${cpu(storm2, storm2.successes)}, SQLite ${onSqlite(sqlite.storm, sqlite.storm?.successes)}.`,
  ];
}
