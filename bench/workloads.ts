/**
 * The loads the phases put on a server: /available at saturation and at a steady rate, the /book
 * storm, and the double-booking checks that follow a storm.
 */
import type { BenchDatabase } from './postgres.js';
import {
  bookStorm,
  combineStorms,
  findDoubleBookings,
  findPostgresDoubleBookings,
  successesPerSecond,
  type DoubleBookingCheck,
  type StormOptions,
  type StormResult,
} from './book-storm.js';
import { BenchFailure, describe, log, type Bench, type Metered } from './harness.js';
import { inSequence, measure, measureEach, measurePaced, signedHeaders, warmUp, type LoadResult } from './load.js';
import { STORM_ID, stormGrid } from './scenario.js';
import type { Server } from './servers.js';

export const AVAILABLE_BODY = JSON.stringify({ contact_id: 'bench' });
export const SATURATION_CONNECTIONS = 50;
export const STEADY_RATE = 1_000;
export const STEADY_CONNECTIONS = 20;
export const STORM_PATH = `/calendars/${STORM_ID}`;

/** One real /available answer, as text, with its slot count and first and last start. */
export interface Answer {
  readonly text: string;
  readonly slots: number;
  readonly first: string | undefined;
  readonly last: string | undefined;
}

/** Fetches one real /available answer: the bare route will send exactly these bytes. */
export async function captureAvailableAnswer(server: Server, path = '/available'): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: signedHeaders(AVAILABLE_BODY),
    body: AVAILABLE_BODY,
  });
  const text = await response.text();
  if (response.status !== 200) throw new BenchFailure(`${path} answered ${response.status}: ${text}`);
  const available = (JSON.parse(text) as { available?: { start_iso: string }[] }).available ?? [];
  const answer = { text, slots: available.length, first: available[0]?.start_iso, last: available.at(-1)?.start_iso };
  log(
    `${path} answers ${answer.slots} slots in ${Buffer.byteLength(text)} bytes, from ${answer.first} to ${answer.last}`,
  );
  return answer;
}

/**
 * /available at saturation on `path` of one server, or of several at once (a list): then one
 * autocannon per server with an equal share of the connections, measured together.
 */
export async function saturation(
  bench: Bench,
  underTest: Server | readonly Server[],
  { path = '/available', label }: { path?: string; label: string },
): Promise<Metered<LoadResult>> {
  const list = [underTest].flat();
  const each = list.map((server) => ({
    url: `${server.url}${path}`,
    connections: SATURATION_CONNECTIONS / list.length,
    body: AVAILABLE_BODY,
  }));
  const { seconds, warmUpSeconds } = bench.settings;
  await Promise.all(each.map((options) => warmUp(options, warmUpSeconds)));
  const result = await bench.metered(list, () =>
    measureEach(each.map((options) => ({ ...options, duration: seconds }))),
  );
  bench.checkHealthy(result, label);
  describe(label, result);
  return result;
}

/** How many turns each server gets in `alternating`. */
export const ALTERNATING_ROUNDS = 5;

/** One load of `alternating`: a server, and the path it gets (`/available` unless told otherwise). */
export interface Turn {
  readonly server: Server;
  readonly path?: string;
}

/**
 * /available on two or more servers, or paths of one, in turn: ALTERNATING_ROUNDS rounds in which
 * each has the load for an equal share of the measured seconds, at saturation (after a warm-up
 * each) or, with `pace: 'steady'`, at a steady STEADY_RATE. On this kind of machine one
 * configuration's throughput swings by a quarter between runs minutes apart, and a steady load's
 * p99 with the machine's stalls, so two loads measured one after the other can differ by the
 * machine's mood alone; in turns, a swing falls on all alike. Returns each turn's rounds taken
 * together, and the second's throughput over the first's in each round.
 */
export async function alternating<const T extends readonly Turn[]>(
  bench: Bench,
  turns: T,
  { labels, pace = 'saturation' }: { labels: { readonly [K in keyof T]: string }; pace?: 'saturation' | 'steady' },
): Promise<{ results: { [K in keyof T]: Metered<LoadResult> }; roundRatios: number[] }> {
  const { seconds, warmUpSeconds } = bench.settings;
  const optionsOf = ({ server, path = '/available' }: Turn) => ({
    url: `${server.url}${path}`,
    connections: SATURATION_CONNECTIONS,
    body: AVAILABLE_BODY,
  });
  const load = (turn: Turn, duration: number) =>
    pace === 'saturation' ? measure({ ...optionsOf(turn), duration }) : steadyLoad(optionsOf(turn).url, duration);
  if (pace === 'saturation') for (const turn of turns) await warmUp(optionsOf(turn), warmUpSeconds);
  const rounds: Metered<LoadResult>[][] = turns.map(() => []);
  const order = [...turns.keys()];
  for (let round = 0; round < ALTERNATING_ROUNDS; round += 1) {
    // Every other round in the reverse order, so none always has the load right after the same other.
    for (const index of round % 2 === 0 ? order : [...order].reverse()) {
      const turn = turns[index]!;
      rounds[index]!.push(await bench.metered(turn.server, () => load(turn, seconds / ALTERNATING_ROUNDS)));
    }
  }
  const results = rounds.map((list, index) => {
    const result = { ...inSequence(list), ...meteredTogether(list) };
    bench.checkHealthy(result, labels[index]!);
    describe(`${labels[index]} (${ALTERNATING_ROUNDS} rounds, in turns)`, result);
    return result;
  }) as { [K in keyof T]: Metered<LoadResult> };
  const roundRatios = rounds[0]!.map((first, round) => rounds[1]![round]!.rps / first.rps);
  return { results, roundRatios };
}

/** The cost of runs made one after another: CPU seconds add up, the others' share is averaged over the time. */
function meteredTogether(
  list: readonly Metered<LoadResult>[],
): Pick<Metered<LoadResult>, 'other' | 'serverCpu' | 'databaseCpu'> {
  const seconds = list.reduce((total, result) => total + result.seconds, 0);
  const databaseCpu = list.map((result) => result.databaseCpu).filter((cpu) => cpu !== undefined);
  return {
    other: list.reduce((total, result) => total + result.other * result.seconds, 0) / seconds,
    serverCpu: list.reduce((total, result) => total + result.serverCpu, 0),
    ...(databaseCpu.length > 0 ? { databaseCpu: databaseCpu.reduce((total, cpu) => total + cpu, 0) } : {}),
  };
}

/** /available at a steady STEADY_RATE requests a second (`measurePaced`); `timeout` in seconds gives up on an answer. */
export async function steady(
  bench: Bench,
  server: Server,
  { label, path = '/available', timeout }: { label: string; path?: string; timeout?: number },
): Promise<Metered<LoadResult>> {
  const result = await bench.metered(server, () => steadyLoad(`${server.url}${path}`, bench.settings.seconds, timeout));
  describe(label, result);
  return result;
}

/** The steady load of `steady` and of `alternating`'s steady turns: signed /available bodies at STEADY_RATE. */
function steadyLoad(url: string, duration: number, timeout?: number): Promise<LoadResult> {
  return measurePaced({
    url,
    connections: STEADY_CONNECTIONS,
    rate: STEADY_RATE,
    duration,
    body: AVAILABLE_BODY,
    ...(timeout ? { timeout } : {}),
  });
}

/** The steady targets (issue 12, targets 1 and 2): p99 under STEADY_P99_MS, with the rate reached. */
export const STEADY_P99_MS = 5;

/** Whether a steady load met its target: p99 under STEADY_P99_MS at no less than 95 % of STEADY_RATE. */
export function steadyMet(result: LoadResult): boolean {
  return result.p99 < STEADY_P99_MS && result.rps >= STEADY_RATE * 0.95;
}

export interface Storm extends Metered<StormResult> {
  readonly grid: readonly number[];
  readonly warmUpSuccesses: number;
  readonly perSecond: readonly number[];
}

/**
 * The /book storm on the storm calendar of one server, or of several at once (a list), with
 * SATURATION_CONNECTIONS in all. Server i of n books the grid starts k with k mod n = i, so
 * together they walk the grid as one storm does; each has its own contacts. Warmed up as telli
 * calls: /available first (it also loads the calendar into memory), then /book with other
 * contacts on the far half of each server's starts, so the measured storm starts on free starts.
 */
export async function storm(
  bench: Bench,
  underTest: Server | readonly Server[],
  {
    prefix,
    label,
    contactDetails,
  }: {
    prefix: string;
    label: string;
    contactDetails?: StormOptions['contactDetails'];
  },
): Promise<Storm> {
  const list = [underTest].flat();
  const connections = SATURATION_CONNECTIONS / list.length;
  // A minute of margin at both ends, so no start turns "past" or "beyond the horizon" mid-run.
  const grid = stormGrid(Date.now(), 60_000);
  const shares = list.map((server, i) => ({
    server,
    grid: grid.filter((_, k) => k % list.length === i),
    prefix: list.length === 1 ? prefix : `${prefix}${String.fromCharCode(97 + i)}-`,
  }));
  const stormAll = (duration: number, warm: boolean) =>
    Promise.all(
      shares.map((share) =>
        bookStorm({
          url: share.server.url,
          path: `${STORM_PATH}/book`,
          grid: share.grid,
          connections,
          duration,
          prefix: warm ? `warm-${share.prefix}` : share.prefix,
          offset: warm ? Math.floor(share.grid.length / 2) : 0,
          contactDetails,
        }),
      ),
    ).then(combineStorms);
  await Promise.all(
    list.map((server) => warmUp({ url: `${server.url}${STORM_PATH}/available`, connections, body: AVAILABLE_BODY }, 1)),
  );
  const warm = await stormAll(bench.settings.warmUpSeconds, true);
  bench.checkHealthy(warm, `${label} warm-up`);
  const result = await bench.metered(list, () => stormAll(bench.settings.seconds, false));
  bench.checkHealthy(result, label);
  describe(label, result);
  const perSecond = successesPerSecond(result.successTimes, result.seconds);
  log(
    `${label}: ${result.successes} successes of ${result.requests} (${Math.round(result.successRate)}/s); ` +
      `per second: ${perSecond.join(' ')}`,
  );
  if (result.firstFailure) log(`${label}: first failed /book answer: ${result.firstFailure}`);
  return { ...result, grid, warmUpSuccesses: warm.successes, perSecond };
}

/** The double-booking check over a SQLite file or the PostgreSQL schema; a double booking fails the run. */
export async function checkDoubles(after: string, on: string | BenchDatabase): Promise<DoubleBookingCheck> {
  const check = typeof on === 'string' ? findDoubleBookings(on) : await findPostgresDoubleBookings(on.client);
  log(`active bookings per calendar after the ${after}: ${JSON.stringify(check.perCalendar)}`);
  console.log(`double bookings after the ${after}: ${check.doubles.length}`);
  if (check.doubles.length > 0) {
    throw new BenchFailure(
      `overlapping active bookings after the ${after}, e.g. ${JSON.stringify(check.doubles.slice(0, 5))}`,
    );
  }
  return check;
}
