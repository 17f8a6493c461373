/**
 * `npm run bench`: runs the phases (all, or those named by --only / BENCH_ONLY) one after the
 * other and writes what they measured to bench/RESULTS.md; a shorter or partial run writes
 * bench/RESULTS.partial.md instead, so it never replaces the full figures. bench/README.md says
 * what each phase measures and how.
 *
 * Missing a target is reported, not fatal (exit 0). A double booking, an idempotency violation, a
 * 5xx answer or a crashed server fails the run (exit 1), as does a run past the watchdog.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../src/shared/error-message.js';
import { Bench, describeSync, log, type BenchSettings, type Phase } from './harness.js';
import { BENCH_SOURCES, PROFILES } from './paths.js';
import { adminApiPhase } from './phases/admin-api.phase.js';
import { availablePhase } from './phases/available.phase.js';
import { bookStormPhase } from './phases/book-storm.phase.js';
import { enginePhase } from './phases/engine.phase.js';
import { hostileFeedsPhase } from './phases/hostile-feeds.phase.js';
import { outboxPhase } from './phases/outbox.phase.js';
import { postgresPhase } from './phases/postgres.phase.js';
import { simulatorPhase } from './phases/simulator.phase.js';
import { sizesPhase } from './phases/sizes.phase.js';
import { results, table, type PhaseReport } from './report.js';

/**
 * In run order: the engine first, while no server runs; `available` measures the bare route that
 * `admin-api` and `hostile-feeds` compare with (`postgres` measures one of its own, in turns).
 */
const PHASES: readonly Phase[] = [
  enginePhase,
  availablePhase,
  adminApiPhase,
  bookStormPhase,
  outboxPhase,
  simulatorPhase,
  postgresPhase,
  hostileFeedsPhase,
  sizesPhase,
];
const SECONDS = 10;
const WARM_UP_SECONDS = 2;
const ENGINE_SECONDS = 3;
/** A full run takes five to seven minutes on this machine; past ten, something hangs: give up loudly. */
const WATCHDOG_MS = 1_200_000;
/** Past this share of the machine used by other processes during a measurement, its figures are called disturbed. */
const DISTURBED = 0.1;

function settingsFromCommandLine(): { phases: readonly Phase[]; settings: BenchSettings } {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, seconds: { type: 'string' } },
  });
  const only = (values.only ?? process.env.BENCH_ONLY)?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !PHASES.some((phase) => phase.name === name)) ?? [];
  if (unknown.length > 0) {
    throw new Error(
      `unknown phase ${unknown.join(', ')}; the phases are ${PHASES.map((phase) => phase.name).join(', ')}`,
    );
  }
  const seconds = Number(values.seconds ?? process.env.BENCH_SECONDS ?? SECONDS);
  if (!(seconds >= 1)) throw new Error(`--seconds must be a number of at least 1, not ${values.seconds}`);
  const profile = Boolean(process.env.BENCH_CPU_PROF);
  if (profile) mkdirSync(PROFILES, { recursive: true });
  return {
    phases: only ? PHASES.filter((phase) => only.includes(phase.name)) : PHASES,
    settings: {
      seconds,
      warmUpSeconds: Math.min(WARM_UP_SECONDS, seconds),
      engineSeconds: Math.min(ENGINE_SECONDS, seconds),
      nodeFlags: profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`] : [],
    },
  };
}

/** The run's own notes: each server's first sync, and whether other processes disturbed a figure. */
function runNotes(bench: Bench, reports: readonly PhaseReport[]): string[] {
  const disturbed = reports.flatMap((report) =>
    report.table.kind === 'load'
      ? report.table.rows.filter((row) => (row.other ?? 0) > DISTURBED).map((row) => row.scenario.replaceAll('**', ''))
      : (report.other ?? 0) > DISTURBED
        ? [report.title]
        : [],
  );
  return [
    ...(bench.launched.length > 0
      ? [
          'First sync of the calendar sources, before each server was measured: ' +
            bench.launched
              .map((server) => `${server.name}: ${server.firstSync ? describeSync(server.firstSync) : '–'}`)
              .join('; ') +
            '.',
        ]
      : []),
    disturbed.length > 0
      ? `**Other processes used over ${DISTURBED * 100} % of the machine during: ${disturbed.join('; ')}.** ` +
        'Those figures understate Slotline; run again on a quiet machine before trusting them.'
      : `Other processes used under ${DISTURBED * 100} % of the machine during every measurement.`,
  ];
}

async function main(bench: Bench, phases: readonly Phase[]): Promise<void> {
  const reports: PhaseReport[] = [];
  for (const phase of phases) {
    log(`phase ${phase.name}`);
    reports.push(await phase.run(bench));
  }
  const { seconds, warmUpSeconds } = bench.settings;
  const full = phases.length === PHASES.length && seconds === SECONDS;
  const file = join(BENCH_SOURCES, full ? 'RESULTS.md' : 'RESULTS.partial.md');
  const leftOut = PHASES.filter((phase) => !phases.includes(phase)).map((phase) => phase.name);
  const settings = [
    `Date: ${new Date().toISOString()}`,
    `Phases: ${phases.map((phase) => phase.name).join(', ')}${leftOut.length ? ` (left out: ${leftOut.join(', ')})` : ''}`,
    `Each load: ${seconds} s, after a ${warmUpSeconds} s warm-up where its phase warms up`,
  ];
  writeFileSync(file, results({ settings, reports, notes: runNotes(bench, reports) }));
  for (const report of reports) console.log(`\n${report.title}\n\n${table(report.table)}`);
  log(`wrote ${file}`);
}

const { phases, settings } = settingsFromCommandLine();
const bench = new Bench(settings);
const watchdog = setTimeout(async () => {
  console.error('[bench] FAILED: the run took longer than the watchdog allows');
  await bench.cleanUp(true);
  process.exit(1);
}, WATCHDOG_MS);

try {
  await main(bench, phases);
  clearTimeout(watchdog);
  await bench.cleanUp(false);
} catch (error) {
  clearTimeout(watchdog);
  console.error(`[bench] FAILED: ${errorMessage(error)}`);
  await bench.cleanUp(true);
  process.exit(1);
}
